//! The one place that validates a finished scene before anything uses it.

use super::ImportError;
use crate::chunked;
use crate::model::Scene;

/// Checks what every consumer relies on: triangle lists with in-range indices,
/// attribute arrays as long as the positions, finite coordinates, material and
/// texture references that exist, and a node graph that is a forest (no cycles,
/// no node with two parents). Importers may also check earlier, to give a more
/// specific message, but this is the guarantee.
pub fn sanity_check(scene: &Scene) -> Result<(), ImportError> {
    for (m, mesh) in scene.meshes.iter().enumerate() {
        for (p, primitive) in mesh.primitives.iter().enumerate() {
            let what = || format!("Mesh {m} ('{}'), primitive {p}", mesh.name);
            let vertex_count = primitive.positions.len();
            if !primitive.indices.len().is_multiple_of(3) {
                return Err(ImportError::Malformed(format!(
                    "{} has {} indices, which is not a whole number of triangles.",
                    what(),
                    primitive.indices.len()
                )));
            }
            // Branch-free folds over the whole array first (they vectorise; millions of
            // vertices are the normal case), and a search for the culprit only on failure.
            let largest_index = chunked::fold(&primitive.indices, 0, |c| largest_masked(c, u32::MAX), u32::max);
            if !primitive.indices.is_empty() && largest_index as usize >= vertex_count {
                return Err(ImportError::IndexOutOfRange {
                    what: what(),
                    index: largest_index as u64,
                    vertex_count: vertex_count as u64,
                });
            }
            // A coordinate is finite when its bits without the sign are below infinity's.
            let coordinates: &[u32] = bytemuck::cast_slice(&primitive.positions);
            let largest_magnitude = chunked::fold(coordinates, 0, |c| largest_masked(c, !SIGN_BIT), u32::max);
            if largest_magnitude >= f32::INFINITY.to_bits() {
                let v = primitive.positions.iter().position(|p| !p.iter().all(|c| c.is_finite())).unwrap_or(0);
                // Spelled out rather than `what().to_lowercase()`: Unicode case
                // tables would add ~5 KB gzip to the page for this one message.
                let what = format!("Vertex {v} of mesh {m} ('{}'), primitive {p}", mesh.name);
                return Err(ImportError::NonFinite { what });
            }
            let lengths_ok = primitive.normals.len() == vertex_count
                && primitive.uvs.as_ref().is_none_or(|a| a.len() == vertex_count)
                && primitive.colors.as_ref().is_none_or(|a| a.len() == vertex_count);
            if !lengths_ok {
                return Err(ImportError::Malformed(format!("{} has attribute arrays of different lengths.", what())));
            }
            if primitive.material.is_some_and(|i| i >= scene.materials.len()) {
                return Err(ImportError::Malformed(format!("{} uses a material that does not exist.", what())));
            }
        }
    }
    for material in &scene.materials {
        if material.base_color_texture.is_some_and(|t| t >= scene.textures.len()) {
            return Err(ImportError::Malformed(format!(
                "Material '{}' uses a texture that does not exist.",
                material.name
            )));
        }
    }
    check_node_forest(scene)?;
    if scene.scene_triangle_count() == 0 {
        return Err(ImportError::NoGeometry);
    }
    Ok(())
}

const SIGN_BIT: u32 = 1 << 31;

/// The largest of `values`, each masked with `mask`, kept as eight running
/// maxima: with one, every step would wait for the one before (the browser
/// build has no vector instructions), while eight overlap. In wasm this made
/// the check of a million-triangle mesh 12 → ~6 ms.
fn largest_masked(values: &[u32], mask: u32) -> u32 {
    let mut lanes = [0u32; 8];
    let chunks = values.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &value) in lanes.iter_mut().zip(chunk) {
            *lane = (*lane).max(value & mask);
        }
    }
    lanes.into_iter().chain(rest.iter().map(|&v| v & mask)).fold(0, u32::max)
}

fn check_node_forest(scene: &Scene) -> Result<(), ImportError> {
    let n = scene.nodes.len();
    let mut parent_count = vec![0u32; n];
    for (i, node) in scene.nodes.iter().enumerate() {
        if node.mesh.is_some_and(|m| m >= scene.meshes.len()) {
            return Err(ImportError::Malformed(format!("Node {i} uses a mesh that does not exist.")));
        }
        if !node.parent_from_node.is_finite() {
            return Err(ImportError::NonFinite { what: format!("The transform of node {i} ('{}')", node.name) });
        }
        for &child in &node.children {
            if child >= n {
                return Err(ImportError::Malformed(format!("Node {i} has a child {child} that does not exist.")));
            }
            parent_count[child] += 1;
            if parent_count[child] > 1 || child == i {
                return Err(ImportError::Malformed(format!(
                    "Node {child} has more than one parent: the node hierarchy must be a tree."
                )));
            }
        }
    }
    for &root in &scene.root_nodes {
        if root >= n {
            return Err(ImportError::Malformed(format!("The scene lists node {root}, which does not exist.")));
        }
        if parent_count[root] != 0 {
            return Err(ImportError::Malformed(format!("Scene root node {root} is also a child of another node.")));
        }
    }
    // With at most one parent each, a cycle is a set of nodes never reached from a parentless node.
    let mut reached = vec![false; n];
    let mut stack: Vec<usize> = (0..n).filter(|&i| parent_count[i] == 0).collect();
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut reached[i], true) {
            continue;
        }
        stack.extend(&scene.nodes[i].children);
    }
    if let Some(i) = reached.iter().position(|r| !r) {
        return Err(ImportError::Malformed(format!("Node {i} is part of a cycle in the node hierarchy.")));
    }
    Ok(())
}
