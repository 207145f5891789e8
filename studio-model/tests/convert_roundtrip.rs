//! Conversion round trips: every corpus model in the fixtures that has reference
//! values, imported → exported to each format → imported again, keeps its
//! triangle count, area, volume and bounding box (within 1e-5 relative, after
//! the unit scaling the conversion applies: glTF is metres, the others default
//! to millimetres).

#[path = "support/round_trip.rs"]
mod round_trip;

use std::path::{Path, PathBuf};

use round_trip::{TARGETS, close, reimport};
use studio_model::export::{ExportOptions, LengthUnit, OutputSink, TargetFormat, export, export_to};
use studio_model::import::{Companions, import};
use studio_model::inspect::{PartReport, inspect};
use studio_model::model::{Scene, SourceFormat, UpAxis};
use studio_model::model_transfer::{Receiving, ToolsJob, pack};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn companions(path: &Path) -> Companions {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gltf")) {
        Companions::beside(path).expect("the fixture's folder")
    } else {
        Companions::new()
    }
}

/// The bounds a Y-up model has once turned Z-up: (x, y, z) → (x, −z, y).
fn turned_to_z_up(report: &PartReport) -> PartReport {
    let mut turned = report.clone();
    let (min, max) = (report.stats.bounds_min, report.stats.bounds_max);
    turned.stats.bounds_min = [min[0], -max[2], min[1]];
    turned.stats.bounds_max = [max[0], -min[2], max[1]];
    turned
}

/// Compares a round trip with the original, `factor` being the length scale applied.
fn compare(path: &str, target: TargetFormat, before: &PartReport, after: &PartReport, factor: f64) -> Vec<String> {
    let mut problems = Vec::new();
    let (b, a) = (&before.stats, &after.stats);
    if a.triangles != b.triangles {
        problems.push(format!("triangles {} → {}", b.triangles, a.triangles));
    }
    if !close(a.area, b.area * factor * factor, 0.0) {
        problems.push(format!("area {} → {} (× {factor}²)", b.area, a.area));
    }
    if let (Some(vb), Some(va)) = (b.volume, a.volume) {
        if !close(va, vb * factor.powi(3), 0.0) {
            problems.push(format!("volume {vb} → {va} (× {factor}³)"));
        }
    } else if b.volume.is_some() != a.volume.is_some() {
        problems.push(format!("volume {:?} → {:?}", b.volume, a.volume));
    }
    let size = (0..3).map(|k| b.bounds_max[k] - b.bounds_min[k]).fold(0.0, f64::max) * factor;
    for k in 0..3 {
        for (x, y) in [(b.bounds_min[k], a.bounds_min[k]), (b.bounds_max[k], a.bounds_max[k])] {
            if !close(y, x * factor, size) {
                problems.push(format!("bounds[{k}] {x} → {y} (× {factor})"));
            }
        }
    }
    problems.into_iter().map(|p| format!("{path} → {target:?}: {p}")).collect()
}

#[test]
fn every_reference_model_survives_every_format() {
    let mut problems = Vec::new();
    let mut round_trips = 0;
    for (path, scene) in reference_scenes() {
        let path = path.as_str();
        let before = inspect(&scene).total;
        // Metres per source unit: glTF metres, the unitless formats read as millimetres.
        let source_metres = if matches!(scene.format, SourceFormat::Glb | SourceFormat::Gltf) { 1.0 } else { 0.001 };
        // Every format with baked transforms, and GLB once more keeping the hierarchy
        // (in Z-up, so that the transform conjugation is exercised too).
        let mut kept = ExportOptions::new(TargetFormat::Glb);
        kept.keep_hierarchy = true;
        kept.up = Some(UpAxis::Z);
        let variants = TARGETS.iter().map(|&t| ExportOptions::new(t)).chain([kept]);
        for options in variants {
            let target = options.format;
            let turned = options.up == Some(UpAxis::Z) && scene.up_axis == UpAxis::Y;
            let (files, report) =
                export(scene.clone(), path, &options).unwrap_or_else(|e| panic!("{path} → {target:?}: {e}"));
            assert_eq!(report.triangles_out, report.triangles_in, "{path} → {target:?}");
            assert!(files[0].name.ends_with(target.extension()), "{}", files[0].name);
            let after = inspect(&reimport(&files)).total;
            // glTF metres ↔ millimetres (the unitless formats' default, and our 3MF's unit).
            let factor = source_metres / target.fixed_unit_metres().unwrap_or(0.001);
            let expected = if turned { turned_to_z_up(&before) } else { before.clone() };
            problems.extend(compare(path, target, &expected, &after, factor));
            round_trips += 1;
        }
    }
    assert!(round_trips >= 40 * TARGETS.len());
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn units_and_axis_options_are_applied_and_reported() {
    let path = "gltf/khronos/Box/glTF-Binary/Box.glb";
    let scene = import(path, &std::fs::read(fixtures().join(path)).expect("fixture"), &Companions::new()).expect("ok");
    assert_eq!(scene.up_axis, UpAxis::Y);
    let mut options = ExportOptions::new(TargetFormat::StlBinary);
    options.unitless_unit = LengthUnit::Mm;
    options.up = Some(UpAxis::Z);
    let (files, report) = export(scene, path, &options).expect("exports");
    assert_eq!(files[0].name, "Box.stl");
    assert!(report.applied.iter().any(|a| a.contains("from m to mm")), "{report:?}");
    assert!(report.applied.iter().any(|a| a.contains("Y-up to Z-up")), "{report:?}");
    let stats = inspect(&reimport(&files)).total.stats;
    // The 1 m cube becomes a 1000 mm one; volume stays positive (no mirroring).
    assert!((stats.volume.expect("closed") - 1e9).abs() < 1.0, "{stats:?}");
    assert!((stats.bounds_max[2] - 500.0).abs() < 1e-3);

    let mut textured = ExportOptions::new(TargetFormat::StlBinary);
    textured.merge = true;
    let path = "gltf/khronos/BoxVertexColors/glTF-Binary/BoxVertexColors.glb";
    let scene = import(path, &std::fs::read(fixtures().join(path)).expect("fixture"), &Companions::new()).expect("ok");
    let (_, report) = export(scene, path, &textured).expect("exports");
    assert!(report.dropped.iter().any(|d| d.contains("Vertex colours")), "{report:?}");
}

#[test]
fn animations_cameras_skins_and_morph_targets_are_reported_as_left_out() {
    let cases = [
        (
            "gltf/khronos/AnimatedMorphCube/glTF-Binary/AnimatedMorphCube.glb",
            "1 animation, 1 primitive with morph targets",
        ),
        ("gltf/khronos/SimpleSkin/glTF/SimpleSkin.gltf", "1 animation, 1 skin"),
        ("gltf/khronos/Cameras/glTF/Cameras.gltf", "2 cameras"),
    ];
    for (path, expected) in cases {
        let full = fixtures().join(path);
        let scene = import(path, &std::fs::read(&full).expect("fixture"), &companions(&full)).expect("imports");
        let (_, report) = export(scene, path, &ExportOptions::new(TargetFormat::Glb)).expect("exports");
        let expected = format!("{}{}", expected[..1].to_uppercase(), &expected[1..]);
        assert!(report.dropped.iter().any(|d| d.starts_with(&expected)), "{path}: {report:?}");
    }
}

#[test]
fn keeping_the_hierarchy_writes_a_shared_mesh_once() {
    // Two nodes place the same mesh.
    let path = "gltf/khronos/SimpleMeshes/glTF/SimpleMeshes.gltf";
    let full = fixtures().join(path);
    let scene = import(path, &std::fs::read(&full).expect("fixture"), &companions(&full)).expect("imports");
    let mut options = ExportOptions::new(TargetFormat::GltfEmbedded);
    options.keep_hierarchy = true;
    let (files, report) = export(scene.clone(), path, &options).expect("exports");
    assert_eq!((report.triangles_in, report.triangles_out), (2, 2));
    let json: serde_json::Value = serde_json::from_slice(&files[0].bytes).expect("glTF JSON");
    assert_eq!(json["meshes"].as_array().expect("meshes").len(), 1);
    let placed = json["nodes"].as_array().expect("nodes").iter().filter(|n| n["mesh"] == 0).count();
    assert_eq!(placed, 2);
    assert!(json["nodes"].as_array().expect("nodes").iter().any(|n| n["matrix"].is_array()), "{json}");

    // Baked, the same model is two meshes; and merging always bakes.
    let (files, _) = export(scene.clone(), path, &ExportOptions::new(TargetFormat::GltfEmbedded)).expect("exports");
    let json: serde_json::Value = serde_json::from_slice(&files[0].bytes).expect("glTF JSON");
    assert_eq!(json["meshes"].as_array().expect("meshes").len(), 2);
    // A format without a hierarchy says it baked.
    let mut stl = ExportOptions::new(TargetFormat::StlBinary);
    stl.keep_hierarchy = true;
    let (_, report) = export(scene, path, &stl).expect("exports");
    assert!(report.applied.iter().any(|a| a.contains("only glTF can carry it")), "{report:?}");
}

/// Records each write a file gets, as the browser's Blob sink sees them.
#[derive(Default)]
struct RecordingSink {
    writes: Vec<Vec<u8>>,
}

struct RecordingWriter<'a>(&'a mut Vec<Vec<u8>>);

impl std::io::Write for RecordingWriter<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.push(data.to_vec());
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl OutputSink for RecordingSink {
    fn create(&mut self, _name: &str, _size_hint: usize) -> std::io::Result<Box<dyn std::io::Write + '_>> {
        Ok(Box::new(RecordingWriter(&mut self.writes)))
    }
}

#[test]
fn block_written_formats_never_hand_over_the_whole_file_at_once() {
    // What lets the browser build keep binary STL and GLB outputs out of the
    // wasm memory: the sink gets them in parts, and the parts are the file.
    let path = "gltf/khronos/Box/glTF-Binary/Box.glb";
    let full = fixtures().join(path);
    let scene = import(path, &std::fs::read(&full).expect("fixture"), &companions(&full)).expect("imports");
    for target in [TargetFormat::StlBinary, TargetFormat::Glb] {
        assert!(target.writes_in_blocks());
        let options = ExportOptions::new(target);
        let (files, _) = export(scene.clone(), path, &options).expect("exports");
        let mut sink = RecordingSink::default();
        export_to(scene.clone(), path, &options, &mut sink, &mut |_| {}).expect("exports");
        let largest = sink.writes.iter().map(Vec::len).max().unwrap_or(0);
        assert!(sink.writes.len() >= 2 && largest < files[0].bytes.len(), "{target:?}: {} writes", sink.writes.len());
        assert_eq!(sink.writes.concat(), files[0].bytes, "{target:?}");
    }
}

/// The scene `scene` becomes when the viewer hands it to a tools job, and
/// whether its normals came along.
fn handed_over(scene: &Scene, with_normals: bool) -> Result<(Scene, bool), String> {
    let packed = pack(scene, with_normals);
    let lengths: Vec<usize> = packed.arrays.iter().map(|a| a.len()).collect();
    let mut receiving = Receiving::new(&packed.description, &lengths)?;
    for (i, bytes) in packed.arrays.iter().enumerate() {
        receiving.array_bytes_mut(i).ok_or("no array")?.copy_from_slice(bytes);
    }
    let normals = receiving.normals_handed_over();
    Ok((receiving.into_scene().map_err(|e| e.to_string())?, normals))
}

/// Every reference model in the fixtures, imported: (path, scene).
fn reference_scenes() -> Vec<(String, Scene)> {
    let text = std::fs::read_to_string(fixtures().join("inspect_reference.json")).expect("reference");
    let reference: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let files = reference["files"].as_array().expect("files");
    files
        .iter()
        .map(|file| {
            let path = file["path"].as_str().expect("path");
            let full = fixtures().join(path);
            let scene = import(path, &std::fs::read(&full).expect("fixture"), &companions(&full)).expect("imports");
            (path.to_owned(), scene)
        })
        .collect()
}

#[test]
fn every_reference_model_is_handed_over_unchanged() {
    // Converting the open model in the browser starts from the viewer's scene
    // handed over (model_transfer), not from its file: it must be the scene the
    // file gives. Decoded pixels stay behind (the writers use encoded images).
    for (path, mut scene) in reference_scenes() {
        let (arrived, normals) = handed_over(&scene, true).unwrap_or_else(|e| panic!("{path}: {e}"));
        for texture in &mut scene.textures {
            texture.rgba8.clear();
        }
        assert!(normals && arrived == scene, "{path}: the scene changed on the way");
    }
}

#[test]
fn jobs_that_never_read_normals_do_the_same_without_them() {
    // The viewer leaves the normals behind for these jobs (web/engine/worker-tools.js):
    // the files written and the inspection must not change.
    for (path, scene) in reference_scenes() {
        let (bare, normals) = handed_over(&scene, false).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(!normals, "{path}");
        let json = |scene: &Scene| serde_json::to_string(&inspect(scene)).expect("JSON");
        assert_eq!(json(&bare), json(&scene), "{path}: inspection");
        for target in TARGETS {
            let options = ExportOptions::new(target);
            if options.reads_vertex_normals() {
                continue;
            }
            let written = |scene: &Scene| export(scene.clone(), &path, &options).expect("exports").0;
            let (with, without) = (written(&scene), written(&bare));
            let same = with.len() == without.len() && with.iter().zip(&without).all(|(a, b)| a.bytes == b.bytes);
            assert!(same, "{path} → {target:?}: the output depends on the normals");
        }
    }
}

#[test]
fn the_engine_worker_leaves_normals_behind_only_where_no_writer_reads_them() {
    // The viewer build decides with ToolsJob, named as the Convert dialog names targets.
    for target in TARGETS {
        let name = serde_json::to_value(target).expect("name").as_str().expect("a string").to_owned();
        for weld in [false, true] {
            let job = ToolsJob::Convert { format: &name, weld };
            assert_eq!(
                job.reads_vertex_normals(),
                ExportOptions { weld, ..ExportOptions::new(target) }.reads_vertex_normals(),
                "{name}, weld {weld}"
            );
        }
    }
    // Welding compares normals whatever the format.
    assert!(TARGETS.into_iter().all(|t| ExportOptions { weld: true, ..ExportOptions::new(t) }.reads_vertex_normals()));
    // The formats that never read them: binary and ASCII STL compute face normals, OFF and 3MF store none.
    let without: Vec<TargetFormat> =
        TARGETS.into_iter().filter(|&t| !ExportOptions::new(t).reads_vertex_normals()).collect();
    assert_eq!(without, [TargetFormat::StlBinary, TargetFormat::StlAscii, TargetFormat::Off, TargetFormat::ThreeMf]);
    // An inspection never reads them; an unknown target gets them (the converter refuses it).
    assert!(!ToolsJob::Inspect.reads_vertex_normals());
    assert!(ToolsJob::Convert { format: "xyz", weld: false }.reads_vertex_normals());
}
