//! 3D Model Studio's core: everything about a model that needs no GPU and no
//! browser, built natively (the CLI, tests, fuzzing) and for wasm32 (the
//! browser builds wrap it in `viewer-wasm` and `tools-wasm`).
//!
//! Data flow:
//!
//! ```text
//! file bytes ──import::import──▶ model::Scene (validated by import::sanity_check)
//!   Scene ──export::export──▶ STL, OBJ, PLY, OFF, GLB or 3MF bytes + a conversion report
//!   Scene ──inspect::inspect──▶ statistics and mesh health in world space
//!   Scene ──pick::picker::Picker──▶ surface points under a ray; section::cut ──▶ outlines
//!   Scene ──model_transfer::pack──▶ a description + arrays handed to a tools job
//! ```
//!
//! Drawing a scene is `studio-render`'s job; nothing here knows about wgpu,
//! wasm-bindgen or web-sys. Heavy formats are features: `threemf` (zip and XML)
//! and `rust-image-decode` (PNG/JPEG textures decoded in Rust rather than by
//! the browser).

#![warn(missing_docs)]

/// Long loops cut into calls of a bounded length, so that browsers run them optimised.
pub mod chunked;
/// [`model::Scene`] → STL, OBJ, PLY, OFF, GLB or 3MF bytes, with a conversion report.
pub mod export;
/// A quick hasher for the vertex-welding maps.
pub mod fast_hash;
/// Bytes → [`model::Scene`], one file per format, never touching the GPU or the web.
pub mod import;
/// The summary shown in the info panel.
pub mod info;
/// Statistics and mesh health of a scene, in world space.
pub mod inspect;
/// The CPU scene model shared by every importer and consumer.
pub mod model;
/// The open model handed from the viewer to a tools job without rereading its file.
pub mod model_transfer;
/// Picking surface points: rays against a bounding volume hierarchy.
pub mod pick;
/// Memory made ready for an import while its file is read.
pub mod prepared_memory;
/// Cross-sections by a plane: area, perimeter and outline.
pub mod section;
