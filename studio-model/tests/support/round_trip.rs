//! What the export → import round-trip tests share: the formats written, reading
//! an export back, and the tolerance of the comparisons.

use studio_model::export::{OutputFile, TargetFormat};
use studio_model::import::{Companions, import};
use studio_model::model::Scene;

/// Every format the exporters write.
pub const TARGETS: [TargetFormat; 10] = [
    TargetFormat::StlBinary,
    TargetFormat::StlAscii,
    TargetFormat::Obj,
    TargetFormat::PlyBinary,
    TargetFormat::PlyAscii,
    TargetFormat::Off,
    TargetFormat::Glb,
    TargetFormat::GltfSeparate,
    TargetFormat::GltfEmbedded,
    TargetFormat::ThreeMf,
];

/// Imports an export: the first file, with the others (a `.bin`, an `.mtl`) as companions.
pub fn reimport(files: &[OutputFile]) -> Scene {
    let mut companions = Companions::new();
    for file in &files[1..] {
        companions.insert(&file.name, file.bytes.clone());
    }
    import(&files[0].name, &files[0].bytes, &companions).unwrap_or_else(|e| panic!("re-import {}: {e}", files[0].name))
}

/// Equal within 1e-5 relative to the larger of the two, or of `scale` (for values near zero).
pub fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-5 * a.abs().max(b.abs()).max(scale)
}
