//! How much memory importing a file will allocate, guessed from its name and
//! length before its bytes arrive, so that the browser build can make that
//! memory ready while the file is still being read (see `web_memory.rs`).
//!
//! A guess only sizes a preparation: nothing is reserved from a count in the
//! file, and a wrong guess costs time, never correctness.

/// Bytes the parsed model of a binary STL holds per triangle: three positions
/// and three normals (`f32 × 3` each) and three `u32` indices.
const STL_BYTES_PER_TRIANGLE: usize = 3 * 12 + 3 * 12 + 3 * 4;

/// Prepared memory is kept by the tab for good (wasm memory never shrinks), so
/// the guess stops at a size a model that large would need anyway.
pub const MAX_ESTIMATE_BYTES: usize = 1 << 30;

/// Bytes of model data that importing `len` bytes of the file `name` allocates.
pub fn import_bytes_estimate(name: &str, len: usize) -> usize {
    estimate(name, len).0.min(MAX_ESTIMATE_BYTES)
}

/// Bytes a conversion of the file allocates: the imported model and an output
/// as large as the model or as a binary STL of its triangles (50 bytes each),
/// whichever is more; of an output that goes out a group of blocks at a time
/// (`output_in_blocks`), at most a group (`export::blocks::GROUP_BYTES`).
pub fn convert_bytes_estimate(name: &str, len: usize, output_in_blocks: bool) -> usize {
    let (model, triangles) = estimate(name, len);
    model_and_output_bytes(model, triangles, output_in_blocks)
}

/// Bytes converting a model the viewer hands over (`vertices`, `triangles`,
/// see `model_transfer`) allocates, whatever the format chosen: its positions,
/// normals and indices, and an output as large as them or as a binary STL of
/// its triangles, whichever is more, of which at most a group is held.
pub fn handed_over_convert_bytes_estimate(vertices: usize, triangles: usize) -> usize {
    let model = vertices.saturating_mul(24).saturating_add(triangles.saturating_mul(12));
    model_and_output_bytes(model, triangles, true)
}

/// `model` bytes and an output as large as them or as a binary STL of the
/// `triangles` (50 bytes each), whichever is more; at most a group of it when
/// it is held a group of blocks at a time. Capped.
fn model_and_output_bytes(model: usize, triangles: usize, output_in_blocks: bool) -> usize {
    let output = model.max(triangles.saturating_mul(50));
    let output = if output_in_blocks { output.min(crate::export::blocks::GROUP_BYTES) } else { output };
    model.saturating_add(output).min(MAX_ESTIMATE_BYTES)
}

/// (model bytes, triangles) that a file of `len` bytes named `name` likely holds.
fn estimate(name: &str, len: usize) -> (usize, usize) {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".stl") {
        // A binary STL's length is 84 + 50 × triangles; anything else is ASCII,
        // whose facets take about 250 bytes of text each.
        let triangles = if len >= 84 && (len - 84).is_multiple_of(50) { (len - 84) / 50 } else { len / 250 };
        (triangles.saturating_mul(STL_BYTES_PER_TRIANGLE), triangles)
    } else if lower.ends_with(".glb") || lower.ends_with(".gltf") {
        // Accessors decode to about the size they are stored at; an indexed mesh
        // stores ~24 bytes per triangle (half a vertex of position and normal,
        // three indices).
        (len, len / 24)
    } else {
        // Text meshes (OBJ, PLY, OFF) and zipped 3MF: less model than file.
        (len / 2, len / 48)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_stl_is_sized_by_its_triangles() {
        let triangles = 1_000;
        assert_eq!(import_bytes_estimate("part.STL", 84 + 50 * triangles), triangles * 84);
    }

    #[test]
    fn other_lengths_are_ascii_stl_or_other_formats() {
        assert_eq!(import_bytes_estimate("part.stl", 250_001), 1_000 * 84);
        assert_eq!(import_bytes_estimate("scene.glb", 4_000), 4_000);
        assert_eq!(import_bytes_estimate("mesh.obj", 4_000), 2_000);
    }

    #[test]
    fn a_conversion_adds_its_output_or_a_group_of_its_blocks() {
        // GLB → ASCII STL of ~1M triangles: the 24 MB model and (at least) 50 MB of text.
        assert_eq!(convert_bytes_estimate("field.glb", 24_000_000, false), 24_000_000 + 50_000_000);
        // STL → OBJ: the model, and an output as large as it.
        let triangles = 1_000;
        assert_eq!(convert_bytes_estimate("part.stl", 84 + 50 * triangles, false), 2 * 84 * triangles);
        // GLB → binary STL, held a group of blocks at a time: all of a small output…
        assert_eq!(convert_bytes_estimate("field.glb", 24_000_000, true), 24_000_000 + 50_000_000);
        // …but only a group of a large one.
        let group = crate::export::blocks::GROUP_BYTES;
        assert_eq!(convert_bytes_estimate("huge.glb", 240_000_000, true), 240_000_000 + group);
    }

    #[test]
    fn a_handed_over_model_needs_its_arrays_and_its_output() {
        // The 1M-triangle field: 501,264 vertices; a binary STL is the larger output.
        assert_eq!(handed_over_convert_bytes_estimate(501_264, 1_002_528), 501_264 * 24 + 1_002_528 * (12 + 50));
        // An unindexed mesh, three vertices a triangle: the output is as large as the arrays.
        assert_eq!(handed_over_convert_bytes_estimate(3_000, 1_000), 2 * (3_000 * 24 + 1_000 * 12));
        let group = crate::export::blocks::GROUP_BYTES;
        assert_eq!(handed_over_convert_bytes_estimate(10_000_000, 3_000_000), 10_000_000 * 24 + 3_000_000 * 12 + group);
        assert_eq!(handed_over_convert_bytes_estimate(usize::MAX, usize::MAX), MAX_ESTIMATE_BYTES);
    }

    #[test]
    fn the_estimate_is_capped() {
        assert_eq!(convert_bytes_estimate("huge.glb", usize::MAX, false), MAX_ESTIMATE_BYTES);
        assert_eq!(import_bytes_estimate("huge.stl", 84 + 50 * 100_000_000), MAX_ESTIMATE_BYTES);
        assert_eq!(import_bytes_estimate("huge.glb", usize::MAX), MAX_ESTIMATE_BYTES);
    }
}
