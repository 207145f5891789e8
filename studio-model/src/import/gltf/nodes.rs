//! The node hierarchy: local transforms, which nodes are the scene's roots,
//! and which meshes the scene actually draws.
//!
//! The glTF node graph is untrusted: it may contain cycles or nodes with two
//! parents. [`sanity_check`](crate::import::sanity_check) rejects those, but
//! it runs after this module, so every walk here is iterative and visits each
//! node at most once: no recursion depth or running time depends on the file.

use glam::{Mat4, Quat, Vec3};
use gltf::json;

use crate::model::Node;

/// Converts every node (indices are kept, so children stay valid) and picks
/// the roots: the default scene's nodes, else scene 0's, else — for a file
/// with no scenes — every node without a parent.
pub fn convert(root: &json::Root, warnings: &mut Vec<String>) -> (Vec<Node>, Vec<usize>) {
    let mut zero_rotations = 0;
    let nodes = root
        .nodes
        .iter()
        .map(|node| Node {
            name: node.name.clone().unwrap_or_default(),
            parent_from_node: local_transform(node, &mut zero_rotations),
            mesh: node.mesh.map(|m| m.value()),
            children: node.children.iter().flatten().map(|c| c.value()).collect(),
        })
        .collect::<Vec<_>>();
    if zero_rotations > 0 {
        warnings.push(format!("{zero_rotations} node(s) had an all-zero rotation, which was treated as no rotation."));
    }

    let scene = root.scene.map(|s| s.value()).and_then(|s| root.scenes.get(s)).or_else(|| root.scenes.first());
    let roots = match scene {
        Some(scene) => scene.nodes.iter().map(|n| n.value()).collect(),
        None => {
            let mut has_parent = vec![false; nodes.len()];
            for child in nodes.iter().flat_map(|n| &n.children) {
                if let Some(flag) = has_parent.get_mut(*child) {
                    *flag = true;
                }
            }
            (0..nodes.len()).filter(|&i| !has_parent[i]).collect()
        }
    };
    (nodes, roots)
}

/// `matrix` if present (column-major, as glam expects), else T * R * S.
/// Non-finite values are passed through for `sanity_check` to report.
fn local_transform(node: &json::scene::Node, zero_rotations: &mut usize) -> Mat4 {
    if let Some(matrix) = node.matrix {
        return Mat4::from_cols_array(&matrix);
    }
    let translation = Vec3::from(node.translation.unwrap_or([0.0; 3]));
    let scale = Vec3::from(node.scale.unwrap_or([1.0; 3]));
    let rotation = match node.rotation {
        None => Quat::IDENTITY,
        Some(json::scene::UnitQuaternion(q)) => {
            let q = Quat::from_array(q);
            // Exporters write slightly non-unit quaternions; glam's matrix
            // conversion assumes unit length, so normalize (NaN stays NaN).
            let length = q.length();
            if length == 0.0 {
                *zero_rotations += 1;
                Quat::IDENTITY
            } else {
                q / length
            }
        }
    };
    Mat4::from_scale_rotation_translation(scale, rotation, translation)
}

/// Which meshes are reachable from `roots`, as a flag per mesh index.
pub fn drawn_meshes(nodes: &[Node], roots: &[usize], mesh_count: usize) -> Vec<bool> {
    let mut drawn = vec![false; mesh_count];
    let mut visited = vec![false; nodes.len()];
    let mut stack: Vec<usize> = roots.to_vec();
    while let Some(index) = stack.pop() {
        let Some(seen) = visited.get_mut(index) else {
            continue;
        };
        if std::mem::replace(seen, true) {
            continue;
        }
        let node = &nodes[index];
        if let Some(flag) = node.mesh.and_then(|m| drawn.get_mut(m)) {
            *flag = true;
        }
        stack.extend(&node.children);
    }
    drawn
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(mesh: Option<usize>, children: Vec<usize>) -> Node {
        Node { name: String::new(), parent_from_node: Mat4::IDENTITY, mesh, children }
    }

    #[test]
    fn cycles_terminate() {
        let nodes = vec![node(Some(0), vec![1]), node(None, vec![0, 1]), node(Some(1), vec![])];
        assert_eq!(drawn_meshes(&nodes, &[0, 0, 7], 2), vec![true, false]);
    }

    #[test]
    fn trs_order_is_translate_rotate_scale() {
        let json: json::scene::Node =
            serde_json::from_str(r#"{"translation":[1,0,0],"rotation":[0,0,0.7071068,0.7071068],"scale":[2,2,2]}"#)
                .unwrap_or_else(|e| panic!("{e}"));
        let m = local_transform(&json, &mut 0);
        let p = m.transform_point3(Vec3::X);
        assert!((p - Vec3::new(1.0, 2.0, 0.0)).length() < 1e-5, "{p}");
    }

    #[test]
    fn zero_quaternion_is_identity() {
        let json: json::scene::Node =
            serde_json::from_str(r#"{"rotation":[0,0,0,0]}"#).unwrap_or_else(|e| panic!("{e}"));
        let mut zero = 0;
        assert_eq!(local_transform(&json, &mut zero), Mat4::IDENTITY);
        assert_eq!(zero, 1);
    }
}
