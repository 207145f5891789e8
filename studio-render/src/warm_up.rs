//! A tiny scene drawn once while the viewer waits for its first file, so that
//! the first real frame does not pay for work every GPU stack defers to first
//! use: compiling the pipelines most models need, and — in drivers such as
//! SwiftShader, Chromium's software GPU — generating the code for each draw
//! state the first time a draw uses it. Measured on SwiftShader, a 1M-triangle
//! model's first frame otherwise takes ~100 ms longer than its second.
//!
//! The scene holds one primitive per common pipeline variant: a faceted
//! two-sided one (STL), a coloured two-sided one (STL with face colours), a
//! smooth one-sided one (glTF), a textured one-sided one, and a smooth
//! two-sided one (glTF without materials), the glTF ones indexed.

use studio_model::model::{AlphaMode, Material, Mesh, Primitive, Scene, SourceFormat, Texture, UpAxis, WrapMode};

const NORMAL: [f32; 3] = [0.0, 0.0, 1.0];

/// A unit square at `offset_x`: as STL stores it (two triangles of their own,
/// drawn without indices: faceted) or as glTF does (four shared vertices and an
/// index buffer: a draw state of its own).
fn square(offset_x: f32, material: Option<usize>, indexed: bool) -> Primitive {
    let corner = |x: f32, y: f32| [x + offset_x, y, 0.0];
    let (positions, indices) = if indexed {
        (vec![corner(0.0, 0.0), corner(1.0, 0.0), corner(0.0, 1.0), corner(1.0, 1.0)], vec![0, 1, 2, 2, 1, 3])
    } else {
        let [a, b, c, d] = [corner(0.0, 0.0), corner(1.0, 0.0), corner(0.0, 1.0), corner(1.0, 1.0)];
        (vec![a, b, c, c, b, d], (0..6).collect())
    };
    let normals = vec![NORMAL; positions.len()];
    Primitive { positions, normals, uvs: None, colors: None, indices, material }
}

fn material(name: &str, double_sided: bool, base_color_texture: Option<usize>) -> Material {
    Material {
        name: name.to_string(),
        base_color_factor: [0.8, 0.8, 0.8, 1.0],
        base_color_texture,
        metallic_factor: 0.0,
        roughness_factor: 1.0,
        alpha_mode: AlphaMode::Opaque,
        alpha_cutoff: 0.5,
        double_sided,
    }
}

pub(super) fn scene() -> Scene {
    let faceted = square(0.0, Some(0), false);
    let coloured = Primitive { colors: Some(vec![[1.0, 0.5, 0.2, 1.0]; 6]), ..square(1.5, Some(0), false) };
    let smooth = square(3.0, Some(1), true);
    let textured =
        Primitive { uvs: Some(vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), ..square(4.5, Some(2), true) };
    // A glTF without materials gets the viewer's default one, which is two-sided.
    let unmaterialled = square(6.0, None, true);
    let primitives = vec![faceted, coloured, smooth, textured, unmaterialled];
    let mesh = Mesh { name: "warm-up".to_string(), primitives };
    let materials = vec![
        material("two-sided", true, None),
        material("one-sided", false, None),
        material("textured", false, Some(0)),
    ];
    let mut scene = Scene::from_meshes(SourceFormat::Glb, UpAxis::Y, vec![mesh], materials);
    scene.textures.push(Texture {
        width: 1,
        height: 1,
        rgba8: vec![200; 4],
        wrap_u: WrapMode::Repeat,
        wrap_v: WrapMode::Repeat,
        nearest: false,
        encoded: None,
    });
    scene
}
