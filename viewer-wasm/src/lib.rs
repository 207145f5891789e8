//! 3D Model Studio's engine, one crate built natively and for wasm32.
//!
//! Data flow of a local view:
//!
//! ```text
//! file bytes ──import::import──▶ model::Scene (validated by import::sanity_check)
//!            ──render::GpuScene::upload──▶ GPU buffers ──render::Renderer──▶ frames
//! ```
//!
//! Importers, the model and the renderer are plain Rust that builds and tests
//! natively (the renderer draws into any texture, so golden-image tests run on
//! lavapipe). `web` is the only module that knows about the browser: it wraps
//! the engine in one `#[wasm_bindgen]` handle that a Web Worker drives.

/// Orbit camera: view and projection matrices from user input.
pub mod camera;
/// Long loops cut into calls of a bounded length, so that browsers run them optimised.
pub mod chunked;
/// [`model::Scene`] → STL, OBJ, PLY, OFF or GLB bytes, with a conversion report.
pub mod export;
/// A quick hasher for the vertex-welding maps.
pub mod fast_hash;
/// The calls the `cargo fuzz` targets (`fuzz/`) and their stable replay test share.
#[cfg(not(target_arch = "wasm32"))]
pub mod fuzzing;
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
/// QR codes of share links, as SVG.
pub mod qr;
/// wgpu renderer: draws a scene into any texture view.
pub mod render;
/// Cross-sections by a plane: area, perimeter and outline.
pub mod section;
/// The encrypted share container: AES-256-GCM STREAM chunks keyed by the link secret (and password).
pub mod share;
/// The `#[wasm_bindgen]` surface: a thin handle over the engine for the worker.
#[cfg(all(target_arch = "wasm32", not(feature = "share-web")))]
pub mod web;
/// Large byte arrays in and out of the wasm memory without extra copies.
#[cfg(target_arch = "wasm32")]
pub mod web_memory;
/// Conversion output written straight into Blobs (the tools build).
#[cfg(all(target_arch = "wasm32", feature = "share-web"))]
pub mod web_output;
/// The `#[wasm_bindgen]` surface of the share build: encrypt, decrypt, QR codes.
#[cfg(all(target_arch = "wasm32", feature = "share-web"))]
pub mod web_share;
