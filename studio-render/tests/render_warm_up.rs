//! The renderer's warm-up draw (drawn while the viewer waits for its first
//! file) must create exactly the pipeline variants that common models use, so
//! that their first frame finds them ready. Rendered natively on lavapipe.

use studio_render::MeshPipelineKey;
use studio_render::offscreen::Offscreen;

fn key(faceted: bool, has_uv: bool, has_color: bool, double_sided: bool) -> MeshPipelineKey {
    MeshPipelineKey { faceted, has_uv, has_color, double_sided, blend: false }
}

#[test]
fn warm_up_creates_the_common_pipeline_variants() {
    let mut offscreen = pollster::block_on(Offscreen::new()).expect("lavapipe adapter");
    assert!(offscreen.renderer.mesh_pipeline_keys().is_empty(), "no mesh pipeline before the warm-up");
    offscreen.renderer.warm_up(&offscreen.device, &offscreen.queue, (64, 48));
    let mut keys = offscreen.renderer.mesh_pipeline_keys();
    keys.sort_by_key(|k| format!("{k:?}"));
    let mut expected = vec![
        key(true, false, false, true),   // binary or ASCII STL
        key(false, false, true, true),   // STL with face colours
        key(false, false, false, false), // untextured glTF
        key(false, true, false, false),  // textured glTF
        key(false, false, false, true),  // glTF without materials
    ];
    expected.sort_by_key(|k| format!("{k:?}"));
    assert_eq!(keys, expected);
}
