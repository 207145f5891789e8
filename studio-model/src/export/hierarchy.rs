//! glTF output that keeps the node hierarchy instead of baking it.
//!
//! Each mesh is written once, in its own coordinates, and nodes keep their
//! transforms, so instancing and the part tree survive the conversion. Units and
//! up axis still apply: with `C` the scale-and-turn of the conversion, every
//! node transform `M` becomes `C·M·C⁻¹` and every mesh position `p` becomes
//! `C·p`, so that each world position `C·(M·p)` comes out as it would baked.

use std::ops::Range;

use glam::{DMat4, Mat4};

use super::flatten::{FlatMesh, output_from_world, primitive_name, to_output, wanted_parts, weld_all};
use super::{ConversionReport, ExportOptions};
use crate::model::Scene;

/// The node tree to write, pointing into the flattened primitives.
#[derive(Clone, Debug, Default)]
pub struct Hierarchy {
    pub nodes: Vec<OutputNode>,
    pub roots: Vec<usize>,
    /// For each scene mesh, its primitives' range in the [`FlatMesh`] list
    /// (empty when no chosen node uses it).
    pub mesh_primitives: Vec<Range<usize>>,
    pub mesh_names: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct OutputNode {
    pub name: String,
    /// `None` for the identity.
    pub matrix: Option<[f32; 16]>,
    pub mesh: Option<usize>,
    pub children: Vec<usize>,
}

/// The scene's meshes in their own (converted) coordinates and the node tree.
/// Takes the geometry out of `scene`.
pub fn keep_hierarchy(
    scene: &mut Scene,
    options: &ExportOptions,
    report: &mut ConversionReport,
) -> (Vec<FlatMesh>, Hierarchy) {
    let c = output_from_world(scene, options, report);
    report.applied.push("Node hierarchy and transforms kept as they are.".into());
    let instances = scene.mesh_instances();
    let wanted = wanted_parts(instances.len(), options, report);
    // A node keeps its mesh when its part was chosen.
    let mut node_keeps_mesh = vec![false; scene.nodes.len()];
    let mut mesh_used = vec![false; scene.meshes.len()];
    for (instance, keep) in instances.iter().zip(&wanted) {
        if *keep {
            node_keeps_mesh[instance.node] = true;
            mesh_used[instance.mesh] = true;
        }
    }

    let mut flat = Vec::new();
    let mut hierarchy = Hierarchy::default();
    for (m, mesh) in scene.meshes.iter_mut().enumerate() {
        let start = flat.len();
        if mesh_used[m] {
            for p in 0..mesh.primitives.len() {
                let name = primitive_name(mesh, p, || format!("mesh{}", m + 1));
                flat.push(to_output(&mut mesh.primitives[p], true, true, c, name));
            }
        }
        hierarchy.mesh_primitives.push(start..flat.len());
        hierarchy.mesh_names.push(if mesh.name.is_empty() { format!("mesh{}", m + 1) } else { mesh.name.clone() });
    }
    if options.weld {
        flat = weld_all(flat, report);
    }

    // The drawn tree, each node once. The glTF importer refuses loops and shared
    // children, but other scene builders need not, and glTF forbids both; so
    // this holds whatever the scene. Nodes are numbered as first reached.
    let mut number = vec![None; scene.nodes.len()];
    let mut order = Vec::new();
    let mut stack: Vec<usize> = scene.root_nodes.iter().rev().copied().collect();
    while let Some(n) = stack.pop() {
        if n >= scene.nodes.len() || number[n].is_some() {
            continue;
        }
        number[n] = Some(order.len());
        order.push(n);
        stack.extend(scene.nodes[n].children.iter().rev());
    }
    // Roots first, then each child by the first node (in that order) that lists
    // it: every kept edge points forward in the order, so no loop survives.
    let mut claimed = vec![false; scene.nodes.len()];
    for &root in &scene.root_nodes {
        if root < claimed.len() && !std::mem::replace(&mut claimed[root], true) {
            hierarchy.roots.extend(number[root]);
        }
    }
    let c_inverse = c.inverse();
    for &n in &order {
        let node = &scene.nodes[n];
        let parent_from_node = DMat4::from_cols_array(&node.parent_from_node.to_cols_array().map(f64::from));
        let matrix = (c * parent_from_node * c_inverse).as_mat4();
        // A child goes to its first parent only.
        let children = node
            .children
            .iter()
            .filter(|&&child| child < claimed.len() && !std::mem::replace(&mut claimed[child], true))
            .filter_map(|&child| number[child])
            .collect();
        hierarchy.nodes.push(OutputNode {
            name: node.name.clone(),
            matrix: (!matrix.abs_diff_eq(Mat4::IDENTITY, 1e-7)).then(|| matrix.to_cols_array()),
            mesh: node.mesh.filter(|_| node_keeps_mesh[n]),
            children,
        });
    }
    (flat, hierarchy)
}
