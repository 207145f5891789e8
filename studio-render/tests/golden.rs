//! Golden-image tests: fixtures rendered offscreen at 256×256 on lavapipe (Mesa's
//! Vulkan-on-CPU driver, `mesa-vulkan-drivers`) and compared with the PNGs in
//! `tests/golden/`. Without a Vulkan adapter the tests fail rather than skip. On a
//! machine with a GPU, select lavapipe so that the images match:
//! `VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json`.
//!
//! On a mismatch the actual image and a diff (differing pixels red over a dimmed
//! copy of the expected image) are written to `<target dir>/golden-actual/`.
//!
//! To bless new images after an intended rendering change, run
//! `UPDATE_GOLDEN=1 cargo test -p studio-render --test golden`, then look at every
//! changed PNG before committing it.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use image::{Rgba, RgbaImage};
use studio_model::import::{self, Companions};
use studio_model::model::{Scene, UpAxis};
use studio_render::camera::Projection;
use studio_render::offscreen::Offscreen;
use studio_render::{GpuScene, Shading, ViewSettings};

const SIZE: (u32, u32) = (256, 256);
// Tolerances, measured with Mesa 22.3 lavapipe (LLVM 15) on x86-64 with AVX2. On one
// machine lavapipe is deterministic: re-renders, other processes and LP_NUM_THREADS=1
// or 7 were bit-identical to the PNGs, so both tolerances only cover other machines'
// Mesa/LLVM/CPU, and both are far below what the regressions we tried produced.
/// A pixel differs when one of its channels differs by more than this (out of 255).
/// Maths differences (another LLVM's pow or sRGB encoding) flip 8-bit rounding by
/// one step; as a stand-in, changing the background by 0.004 linear (1.4/255 after
/// encoding) moved channels by at most 1. 2 gives a margin.
const CHANNEL_TOLERANCE: u8 = 2;
/// The test fails when more than this fraction of pixels differ. Rasterisation
/// differences show up as whole edge pixels of thin grid and wire lines and of
/// silhouettes: moving the camera by about 0.01 pixel (yaw 1e-4 rad, or distance
/// ×1.0001) changed at most 0.2% of the pixels. The smallest real regression we
/// tried changed 1.1% (wireframe overlay missing); a vertically flipped Fox texture
/// changed 3%, the wrong up axis 5%.
const MAX_DIFFERING_FRACTION: f64 = 0.005;

fn fixture(relative: &str) -> Scene {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../studio-model/tests/fixtures").join(relative);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().unwrap().to_string_lossy();
    import::import(&name, &bytes, &Companions::new()).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn offscreen() -> Offscreen {
    // CI installs lavapipe, so a missing adapter is a broken setup, not a reason to skip.
    pollster::block_on(Offscreen::new()).unwrap_or_else(|e| panic!("golden-image tests need a Vulkan adapter: {e}"))
}

/// Renders `scene` with the camera fitted to it, after `adjust` has changed the settings.
fn render(scene: &Scene, up: UpAxis, adjust: impl FnOnce(&mut ViewSettings)) -> RgbaImage {
    let mut offscreen = offscreen();
    let mut gpu =
        GpuScene::upload_with_up(&offscreen.device, &offscreen.queue, offscreen.renderer.pipelines(), scene, up);
    let mut settings = ViewSettings::default();
    settings.camera.fit(&gpu.bounds_in_view_world);
    adjust(&mut settings);
    if settings.wireframe {
        gpu.ensure_wireframe(&offscreen.device, &offscreen.queue, scene);
    }
    let pixels = offscreen.render_rgba(Some(&mut gpu), &settings, SIZE).unwrap();
    RgbaImage::from_raw(SIZE.0, SIZE.1, pixels).unwrap()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"), PathBuf::from)
}

fn check_golden(name: &str, actual: &RgbaImage) {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.png"));
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        actual.save(&golden).unwrap();
        return;
    }
    let expected = image::open(&golden)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 creates it)", golden.display()))
        .to_rgba8();
    assert_eq!(expected.dimensions(), actual.dimensions(), "{name}: image size");

    let mut diff = RgbaImage::new(actual.width(), actual.height());
    let mut differing = 0usize;
    for ((e, a), d) in expected.pixels().zip(actual.pixels()).zip(diff.pixels_mut()) {
        let delta = e.0.iter().zip(a.0).map(|(&e, a)| e.abs_diff(a)).max().unwrap();
        *d = if delta > CHANNEL_TOLERANCE {
            differing += 1;
            Rgba([255, 0, 0, 255])
        } else {
            Rgba([e[0] / 3, e[1] / 3, e[2] / 3, 255])
        };
    }
    let allowed = (MAX_DIFFERING_FRACTION * (actual.width() * actual.height()) as f64) as usize;
    if differing > allowed {
        let out = target_dir().join("golden-actual");
        std::fs::create_dir_all(&out).unwrap();
        let (actual_path, diff_path) = (out.join(format!("{name}.png")), out.join(format!("{name}.diff.png")));
        actual.save(&actual_path).unwrap();
        diff.save(&diff_path).unwrap();
        let adapter = offscreen().adapter_info;
        panic!(
            "{name}: {differing} pixels differ by more than {CHANNEL_TOLERANCE}/255 (at most {allowed} may) from {};\n\
             actual: {}\ndiff (red = differing): {}\nrendered on: {} ({})\n\
             If the change is intended, bless it with UPDATE_GOLDEN=1.",
            golden.display(),
            actual_path.display(),
            diff_path.display(),
            adapter.name,
            adapter.driver_info,
        );
    }
}

#[test]
fn stl_cube_smooth_with_grid() {
    let scene = fixture("stl/online3dviewer/cube_meshlab_binary.stl");
    check_golden("stl_cube_smooth", &render(&scene, scene.up_axis, |_| {}));
}

#[test]
fn stl_cube_flat_wireframe_orthographic() {
    let scene = fixture("stl/online3dviewer/cube_meshlab_binary.stl");
    let image = render(&scene, scene.up_axis, |s| {
        s.shading = Shading::Flat;
        s.wireframe = true;
        s.camera.projection = Projection::Orthographic;
    });
    check_golden("stl_cube_flat_wire_ortho", &image);
}

/// The Fox's palette texture gives legs, chest and tail tip their colours, so a
/// flipped or missing texture is obvious. (TextureSettingsTest's wrap-mode squares
/// are too small at 256×256: breaking all wrap modes changed only 0.3% of pixels.)
#[test]
fn textured_gltf() {
    let scene = fixture("gltf/khronos/Fox/glTF-Binary/Fox.glb");
    check_golden("gltf_fox_textured", &render(&scene, scene.up_axis, |_| {}));
}

/// The XYZ calibration cube has its axis letters embossed on the faces, so Z-up
/// (the STL convention) and the same file read as Y-up look clearly different.
#[test]
fn stl_z_up_and_y_up() {
    let scene = fixture("stl/trimesh/20mm-xyz-cube.stl");
    assert_eq!(scene.up_axis, UpAxis::Z);
    check_golden("stl_xyz_cube_z_up", &render(&scene, UpAxis::Z, |_| {}));
    check_golden("stl_xyz_cube_y_up", &render(&scene, UpAxis::Y, |_| {}));
}

/// Without a scene only the background is drawn, sRGB-encoded by the renderer
/// because the offscreen target is plain RGBA8.
#[test]
fn empty_scene_is_the_srgb_encoded_background() {
    let mut offscreen = offscreen();
    for background in [ViewSettings::default().background, [0.0, 0.5, 1.0], [0.002, 0.2, 0.9]] {
        let settings = ViewSettings { background, ..ViewSettings::default() };
        let pixels = offscreen.render_rgba(None, &settings, SIZE).unwrap();
        let encode = |c: f32| {
            let srgb = if c <= 0.003_130_8 { c * 12.92 } else { 1.055 * c.powf(1.0 / 2.4) - 0.055 };
            (srgb * 255.0).round() as u8
        };
        let expected = [encode(background[0]), encode(background[1]), encode(background[2]), 255];
        for (i, pixel) in pixels.chunks_exact(4).enumerate() {
            // Vulkan lets a float-to-unorm conversion round either way, hence ±1.
            let close = pixel.iter().zip(expected).all(|(&p, e)| p.abs_diff(e) <= 1);
            assert!(close, "background {background:?}: pixel {i} is {pixel:?}, expected {expected:?}");
        }
    }
}
