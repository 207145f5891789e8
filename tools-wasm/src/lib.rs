//! The tools build for the browser (`web/pkg/tools/`): the `#[wasm_bindgen]`
//! surface the viewer's worker loads on demand to seal a share chunk by chunk
//! while it uploads, open a downloaded one, draw QR codes, convert models for
//! download and inspect them. Each binding forwards to plain Rust in
//! `share-container` and `studio-model` (with 3MF); the viewer's own bindings
//! are in `viewer-wasm`, so that viewing alone never downloads the
//! cryptography or the converters.
//!
//! Errors are JavaScript `Error`s whose `name` is the kind of failure (for
//! example `WrongKeyOrPassword`), so the page can react to a wrong password
//! without parsing messages, and whose `message` is meant for the user.

/// The `#[wasm_bindgen]` functions and classes; each forwards to plain Rust.
#[cfg(target_arch = "wasm32")]
mod bindings;
/// Conversion output written straight into Blobs.
#[cfg(target_arch = "wasm32")]
mod blob_sink;
/// QR codes of share links, as SVG (plain Rust, tested natively).
pub mod qr;
