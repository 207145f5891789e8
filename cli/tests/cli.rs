//! The installed binary, end to end: convert a GLB to an STL in millimetres,
//! Z-up, and read it back with `info --json`.

use std::process::Command;

fn fixture(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../studio-model/tests/fixtures").join(path)
}

fn run(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_model-studio")).args(args).output().expect("runs");
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn convert_then_info() {
    let dir = std::env::temp_dir().join(format!("model-studio-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let input = fixture("gltf/khronos/Box/glTF-Binary/Box.glb");
    let output = dir.join("box.stl");
    let report = run(&[
        "convert",
        input.to_str().expect("path"),
        output.to_str().expect("path"),
        "--units",
        "mm",
        "--up",
        "z",
        "--json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&report).expect("JSON report");
    assert_eq!(report["triangles_in"], 12);
    assert_eq!(report["triangles_out"], 12);

    let info: serde_json::Value =
        serde_json::from_str(&run(&["info", output.to_str().expect("path"), "--json"])).expect("JSON info");
    let total = &info["total"];
    assert_eq!(total["stats"]["triangles"], 12);
    assert!((total["stats"]["volume"].as_f64().expect("closed") - 1e9).abs() < 1.0, "{total}");
    assert_eq!(total["health"]["closed"], true);
    assert!((total["stats"]["bounds_max"][2].as_f64().expect("z") - 500.0).abs() < 1e-3);

    let text = run(&["info", input.to_str().expect("path")]);
    assert!(text.contains("closed           yes"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_output_extension_is_explained() {
    let output = Command::new(env!("CARGO_BIN_EXE_model-studio"))
        .args(["convert", fixture("stl/trimesh/unit_cube.STL").to_str().expect("path"), "out.xyz"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("must end in"));
}

/// Inputs are mapped, not read: an empty file (which cannot be mapped with
/// any length) and a folder still give the importer's or the system's message.
#[test]
fn empty_and_unreadable_inputs_are_explained() {
    let dir = std::env::temp_dir().join(format!("model-studio-cli-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let empty = dir.join("empty.stl");
    std::fs::write(&empty, b"").expect("empty file");
    for (input, expected) in [(empty.as_path(), "The file is empty"), (dir.as_path(), "reading")] {
        let output = Command::new(env!("CARGO_BIN_EXE_model-studio"))
            .args(["convert", input.to_str().expect("path"), dir.join("out.glb").to_str().expect("path")])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success() && stderr.contains(expected), "{input:?}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn parts_and_gltf_layouts() {
    let dir = std::env::temp_dir().join(format!("model-studio-cli-parts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let input = fixture("3mf/trimesh/pyramids.3mf");
    let input = input.to_str().expect("path");
    // Parts 1 and 4 of the 3MF ("info" numbers them): 20 + 760 triangles.
    let out = dir.join("two.gltf");
    let report = run(&["convert", input, out.to_str().expect("path"), "--parts", "1,4", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&report).expect("JSON report");
    assert_eq!(report["triangles_out"], 780, "{report}");
    assert!(dir.join("two.bin").exists(), ".bin written beside the .gltf");
    let info: serde_json::Value =
        serde_json::from_str(&run(&["info", out.to_str().expect("path"), "--json"])).expect("JSON info");
    assert_eq!(info["total"]["stats"]["triangles"], 780);

    let embedded = dir.join("one.gltf");
    run(&["convert", input, embedded.to_str().expect("path"), "--embed"]);
    assert!(!dir.join("one.bin").exists(), "--embed writes one file");
    let text = std::fs::read_to_string(&embedded).expect("written");
    assert!(text.contains("data:application/octet-stream;base64,"));

    let failed = Command::new(env!("CARGO_BIN_EXE_model-studio"))
        .args(["convert", input, dir.join("x.stl").to_str().expect("path"), "--parts", "99"])
        .output()
        .expect("runs");
    assert!(!failed.status.success());
    assert!(String::from_utf8_lossy(&failed.stderr).contains("the model has parts 1 to"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The unit `info` states is the format's own: glTF metres, 3MF millimetres
/// (our reader converts whatever the file declares), and the file's numbers for STL.
#[test]
fn info_states_each_formats_unit() {
    let unit = |path: &str| {
        let info: serde_json::Value =
            serde_json::from_str(&run(&["info", fixture(path).to_str().expect("path"), "--json"])).expect("JSON info");
        info["units"].as_str().expect("units").to_string()
    };
    assert_eq!(unit("gltf/khronos/Box/glTF-Binary/Box.glb"), "m");
    assert_eq!(unit("3mf/3mf-samples/core/cube_gears.3mf"), "mm");
    assert_eq!(unit("stl/trimesh/unit_cube.STL"), "file units (no unit in the file)");
}
