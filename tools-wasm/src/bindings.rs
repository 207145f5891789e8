//! The tools build's bindings: share sealing and opening, QR codes,
//! conversion and inspection, each a few lines over plain Rust.

use glam::DVec3;
use studio_model::inspect::health::HealthKind;
use wasm_bindgen::prelude::*;

use share_container::{Decryptor, EncryptOptions, Encryptor, Envelope, Metadata, OsRandom, Secret, ShareError};

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

fn share_error(error: ShareError) -> JsValue {
    let kind = match &error {
        ShareError::InvalidLink => "InvalidLink",
        ShareError::PasswordRequired => "PasswordRequired",
        ShareError::WrongKeyOrPassword => "WrongKeyOrPassword",
        ShareError::Damaged { .. } | ShareError::Incomplete => "Damaged",
        ShareError::UnsupportedVersion { .. } => "UnsupportedVersion",
        ShareError::Malformed(_) => "Malformed",
        ShareError::EmptyPassword => "EmptyPassword",
        _ => "ShareError",
    };
    let js = js_sys::Error::new(&error.to_string());
    js.set_name(kind);
    js.into()
}

/// A password from the page: an empty field means "no password".
fn password(password: Option<String>) -> Option<String> {
    password.filter(|p| !p.is_empty())
}

/// Seals one share: a fresh random link secret, the header, then chunks.
#[wasm_bindgen]
pub struct ShareSealer {
    secret: Secret,
    encryptor: Option<Encryptor>,
}

#[wasm_bindgen]
impl ShareSealer {
    /// Generates the secret and derives the key (slow with a password: Argon2id).
    #[wasm_bindgen(constructor)]
    pub fn new(password_text: Option<String>) -> Result<ShareSealer, JsValue> {
        let secret = Secret::generate(&mut OsRandom).map_err(share_error)?;
        let password = password(password_text);
        let encryptor = Encryptor::new(&secret, password.as_deref(), &EncryptOptions::default(), &mut OsRandom)
            .map_err(share_error)?;
        Ok(ShareSealer { secret, encryptor: Some(encryptor) })
    }

    /// The link fragment (43 base64url characters, without `#`).
    pub fn fragment(&self) -> String {
        self.secret.to_fragment()
    }

    fn encryptor(&mut self) -> Result<&mut Encryptor, JsValue> {
        self.encryptor.as_mut().ok_or_else(|| js_sys::Error::new("This share is already sealed.").into())
    }

    /// The container header, sent first.
    pub fn header(&mut self) -> Result<Vec<u8>, JsValue> {
        Ok(self.encryptor()?.header().to_vec())
    }

    /// Plaintext bytes per chunk: every chunk but the last has exactly this many.
    #[wasm_bindgen(js_name = chunkSize)]
    pub fn chunk_size(&mut self) -> Result<u32, JsValue> {
        Ok(self.encryptor()?.chunk_size() as u32)
    }

    /// Container length for a plaintext of `plaintext_len` bytes.
    #[wasm_bindgen(js_name = encryptedLength)]
    pub fn encrypted_length(&mut self, plaintext_len: f64) -> Result<f64, JsValue> {
        Ok(self.encryptor()?.encrypted_len(plaintext_len as u64) as f64)
    }

    /// The AES-256 key (32 bytes) followed by the nonce prefix (7 bytes), for
    /// sealing the chunks with the browser's WebCrypto AES-GCM instead of
    /// [`ShareSealer::seal_chunk`]: same container, several times faster where
    /// the CPU has AES instructions. The key stays in this worker.
    #[wasm_bindgen(js_name = rawKey)]
    pub fn raw_key(&mut self) -> Result<Vec<u8>, JsValue> {
        let (key, prefix) = self.encryptor()?.raw_key();
        Ok(key.iter().chain(prefix).copied().collect())
    }

    /// Seals a full chunk that is not the last.
    #[wasm_bindgen(js_name = sealChunk)]
    pub fn seal_chunk(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, JsValue> {
        let mut out = Vec::with_capacity(plaintext.len() + share_container::TAG_LEN);
        self.encryptor()?.seal_chunk(plaintext, &mut out).map_err(share_error)?;
        Ok(out)
    }

    /// Seals the last chunk; the sealer is spent afterwards.
    #[wasm_bindgen(js_name = sealLast)]
    pub fn seal_last(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, JsValue> {
        let encryptor = self.encryptor.take().ok_or_else(|| js_sys::Error::new("This share is already sealed."))?;
        let mut out = Vec::with_capacity(plaintext.len() + share_container::TAG_LEN);
        encryptor.seal_last(plaintext, &mut out).map_err(share_error)?;
        Ok(out)
    }
}

/// The envelope bytes before the files, from the metadata JSON the page builds
/// (`name`, `media_type`, `size`, `allow_download`, `view`, `companions`).
#[wasm_bindgen(js_name = envelopeHead)]
pub fn envelope_head(metadata_json: &str) -> Result<Vec<u8>, JsValue> {
    let metadata: Metadata = serde_json::from_str(metadata_json)
        .map_err(|e| js_sys::Error::new(&format!("Internal error: the share metadata is invalid: {e}")))?;
    metadata.encode_head().map_err(share_error)
}

/// Whether the container starting with `head` needs a password (the header alone decides).
#[wasm_bindgen(js_name = passwordRequired)]
pub fn password_required(head: &[u8]) -> Result<bool, JsValue> {
    Ok(share_container::ContainerHeader::parse(head).map_err(share_error)?.password_required())
}

/// Opens a downloaded container: checks the key, decrypts, decodes the envelope.
#[wasm_bindgen]
pub struct ShareOpener {
    decryptor: Option<Decryptor>,
    header_len: usize,
    plaintext: Vec<u8>,
}

#[wasm_bindgen]
impl ShareOpener {
    /// Reads the header at the start of `head` and checks the fragment (and password)
    /// against its key check: a wrong password fails here, before any decryption.
    #[wasm_bindgen(constructor)]
    pub fn new(head: &[u8], fragment: &str, password_text: Option<String>) -> Result<ShareOpener, JsValue> {
        let secret = Secret::from_fragment(fragment).map_err(share_error)?;
        let password = password(password_text);
        let header = share_container::ContainerHeader::parse(head).map_err(share_error)?;
        if header.password_required() && password.is_none() {
            return Err(share_error(ShareError::PasswordRequired));
        }
        let (decryptor, header_len) = Decryptor::new(head, &secret, password.as_deref()).map_err(share_error)?;
        Ok(ShareOpener { decryptor: Some(decryptor), header_len, plaintext: Vec::new() })
    }

    /// Where the encrypted body starts in the container.
    #[wasm_bindgen(js_name = headerLength)]
    pub fn header_length(&self) -> usize {
        self.header_len
    }

    /// The AES-256 key (32 bytes) followed by the nonce prefix (7 bytes), checked
    /// against the header, for opening the chunks with WebCrypto.
    #[wasm_bindgen(js_name = rawKey)]
    pub fn raw_key(&self) -> Result<Vec<u8>, JsValue> {
        let decryptor = self.decryptor.as_ref().ok_or_else(|| js_sys::Error::new("This share is already open."))?;
        Ok(decryptor.raw_key().iter().chain(&decryptor.header().nonce_prefix).copied().collect())
    }

    /// The header bytes: every chunk's associated data.
    #[wasm_bindgen(js_name = headerBytes)]
    pub fn header_bytes(&self) -> Vec<u8> {
        self.decryptor.as_ref().map(|d| d.header_bytes().to_vec()).unwrap_or_default()
    }

    /// Plaintext bytes per chunk.
    #[wasm_bindgen(js_name = chunkSize)]
    pub fn chunk_size(&self) -> u32 {
        self.decryptor.as_ref().map_or(0, |d| d.header().chunk_size)
    }

    /// Decrypts the next body bytes (any amount, in order).
    pub fn update(&mut self, body: &[u8]) -> Result<(), JsValue> {
        let decryptor = self.decryptor.as_mut().ok_or_else(|| js_sys::Error::new("This share is already open."))?;
        decryptor.update(body, &mut self.plaintext).map_err(share_error)
    }

    /// Checks the end of the stream and decodes the envelope.
    pub fn finish(&mut self) -> Result<OpenedShare, JsValue> {
        let decryptor = self.decryptor.take().ok_or_else(|| js_sys::Error::new("This share is already open."))?;
        decryptor.finish(&mut self.plaintext).map_err(share_error)?;
        let envelope = Envelope::decode(std::mem::take(&mut self.plaintext)).map_err(share_error)?;
        Ok(OpenedShare { envelope })
    }
}

/// Decodes the envelope of a plaintext decrypted outside the wasm (by WebCrypto).
#[wasm_bindgen(js_name = openEnvelope)]
pub fn open_envelope(plaintext: Vec<u8>) -> Result<OpenedShare, JsValue> {
    Ok(OpenedShare { envelope: Envelope::decode(plaintext).map_err(share_error)? })
}

/// A decrypted share: the metadata and the files, handed out one at a time.
#[wasm_bindgen]
pub struct OpenedShare {
    envelope: Envelope,
}

#[wasm_bindgen]
impl OpenedShare {
    /// The metadata as JSON (name, media type, sizes, download permission, view state).
    #[wasm_bindgen(js_name = metadataJson)]
    pub fn metadata_json(&self) -> String {
        serde_json::to_string(&self.envelope.metadata).unwrap_or_else(|_| "{}".to_owned())
    }

    /// The main file's bytes (moved out: a second call returns nothing).
    #[wasm_bindgen(js_name = takeFile)]
    pub fn take_file(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.envelope.file)
    }

    #[wasm_bindgen(js_name = companionCount)]
    pub fn companion_count(&self) -> usize {
        self.envelope.companions.len()
    }

    #[wasm_bindgen(js_name = companionName)]
    pub fn companion_name(&self, index: usize) -> String {
        self.envelope.metadata.companions.get(index).map(|c| c.name.clone()).unwrap_or_default()
    }

    /// A companion file's bytes (moved out).
    #[wasm_bindgen(js_name = takeCompanion)]
    pub fn take_companion(&mut self, index: usize) -> Vec<u8> {
        self.envelope.companions.get_mut(index).map(std::mem::take).unwrap_or_default()
    }
}

/// An SVG document of the QR code for `text`.
#[wasm_bindgen(js_name = qrSvg)]
pub fn qr_svg(text: &str) -> Result<String, JsValue> {
    crate::qr::svg(text).map_err(|message| js_sys::Error::new(&message).into())
}

/// How many bytes from the start of a container always hold its whole header.
#[wasm_bindgen(js_name = maxHeaderLength)]
pub fn max_header_length() -> usize {
    share_container::MAX_HEADER_LEN
}

/// Calls the page's progress callback with `start + fraction × span`; a failing
/// callback must not fail the work it reports on.
fn report_progress(on_progress: &js_sys::Function, start: f32, span: f32, fraction: f32) {
    let _ = on_progress.call1(&JsValue::NULL, &JsValue::from_f64(f64::from(start + fraction * span)));
}

/// Imports a file and frees its bytes, reporting the parse as the part of the
/// progress bar from 0 to `span`.
fn import_reporting(
    name: &str,
    bytes: Vec<u8>,
    companions: &studio_model::import::Companions,
    on_progress: &js_sys::Function,
    span: f32,
) -> Result<studio_model::model::Scene, JsValue> {
    let mut reading = |fraction: f32| report_progress(on_progress, 0.0, span, fraction);
    studio_model::import::import_with_progress(
        name,
        &bytes,
        companions,
        &mut studio_model::import::Progress::new(&mut reading),
    )
    .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))
}

/// Reads a model that only this build can import (3MF) and hands it on as a GLB
/// in the model's own units and axes, for the viewer's `loadTransferred`.
#[wasm_bindgen(js_name = sceneTransfer)]
pub fn scene_transfer(name: &str, bytes: Vec<u8>, on_progress: &js_sys::Function) -> Result<Vec<u8>, JsValue> {
    let scene = import_reporting(name, bytes, &studio_model::import::Companions::new(), on_progress, 1.0)?;
    Ok(studio_model::export::transfer_glb(scene))
}

/// Makes ready, while a tools job worker waits for its job, the memory that
/// converting the open model (`vertices`, `triangles`) will need: reserved,
/// touched and freed back to the allocator, which hands it to the arrays that
/// arrive and the output. Each job worker starts with fresh memory, and fresh
/// wasm memory costs a page fault per 4 KiB on first write: for a 1M-triangle
/// GLB → STL that was ~20 of the ~120 ms the conversion took.
#[wasm_bindgen(js_name = prepareMemoryForModel)]
pub fn prepare_memory_for_model(vertices: usize, triangles: usize) {
    let bytes = studio_model::import::memory_estimate::handed_over_convert_bytes_estimate(vertices, triangles);
    studio_model::prepared_memory::PreparedMemory::reserve(bytes).touch_up_to(1.0);
}

/// Converts a model for download, with the same import and export code as the
/// command-line tool. Works from the original file's bytes, so the viewer's
/// own build does not carry the exporters.
#[wasm_bindgen]
pub struct Converter {
    companions: studio_model::import::Companions,
    /// The model file, written by the worker through [`Converter::input_view`].
    input: wasm_bytes::InputBuffer,
    /// Or the viewer's open model, handed over instead (see `model_transfer`).
    received: Option<studio_model::model_transfer::Receiving>,
    /// Memory the conversion will need, made ready while the file arrives.
    prepared: studio_model::prepared_memory::PreparedMemory,
}

#[derive(serde::Deserialize)]
struct ConvertOptions {
    format: studio_model::export::TargetFormat,
    #[serde(default = "default_unit")]
    units: studio_model::export::LengthUnit,
    /// "y", "z", or absent to keep the model's.
    #[serde(default)]
    up: Option<String>,
    #[serde(default)]
    merge: bool,
    #[serde(default)]
    weld: bool,
    /// Part numbers (from 0) to write; absent: all.
    #[serde(default)]
    parts: Option<Vec<usize>>,
    /// glTF targets: keep the node hierarchy instead of baking it.
    #[serde(default)]
    keep_hierarchy: bool,
}

fn default_unit() -> studio_model::export::LengthUnit {
    studio_model::export::LengthUnit::Mm
}

#[wasm_bindgen]
impl Converter {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Converter {
        Converter {
            companions: studio_model::import::Companions::new(),
            input: wasm_bytes::InputBuffer::default(),
            received: None,
            prepared: studio_model::prepared_memory::PreparedMemory::default(),
        }
    }

    /// A file selected together with the model (`.bin`, textures, `.mtl`).
    #[wasm_bindgen(js_name = addCompanion)]
    pub fn add_companion(&mut self, name: &str, bytes: Vec<u8>) {
        self.companions.insert(name, bytes);
    }

    /// Room for the model file (`len` bytes) in the wasm memory, to be filled
    /// through [`Converter::input_view`]: the file is copied once, not twice.
    #[wasm_bindgen(js_name = inputBuffer)]
    pub fn input_buffer(&mut self, len: usize) -> Result<(), JsValue> {
        self.input.reserve(len).map_err(|e| JsValue::from(js_sys::Error::new(&e)))
    }

    /// Reserves the memory converting `name` (`len` bytes) to `format` (as in
    /// the options, e.g. `"glb"`) will need, to be touched by
    /// [`Converter::touch_memory`] while the file arrives (fresh wasm memory
    /// costs a page fault per 4 KiB on first write; see the `wasm-bytes` crate). An
    /// inspection passes an empty format: its welding and checks need about as
    /// much again as the model, like an output built in memory.
    #[wasm_bindgen(js_name = prepareMemory)]
    pub fn prepare_memory(&mut self, name: &str, len: usize, format: &str) {
        let format = studio_model::export::TargetFormat::from_id(format);
        let in_blocks = format.is_some_and(|f| f.writes_in_blocks());
        self.prepared.prepare(studio_model::import::memory_estimate::convert_bytes_estimate(name, len, in_blocks));
    }

    /// Makes `fraction` (0 to 1) of the prepared memory ready.
    #[wasm_bindgen(js_name = touchMemory)]
    pub fn touch_memory(&mut self, fraction: f64) {
        self.prepared.touch_up_to(fraction);
    }

    /// A fresh view of the buffer made by [`Converter::input_buffer`].
    #[wasm_bindgen(js_name = inputView)]
    pub fn input_view(&self) -> js_sys::Uint8Array {
        self.input.view()
    }

    /// Makes room for the viewer's open model, described by `description`
    /// (`Viewer.sceneForTools`), whose arrays arrived with `byte_lengths`;
    /// fill each through [`Converter::scene_array_view`]. The next conversion or
    /// inspection then works from it instead of a file.
    #[wasm_bindgen(js_name = receiveScene)]
    pub fn receive_scene(&mut self, description: &str, byte_lengths: Vec<u32>) -> Result<(), JsValue> {
        let lengths: Vec<usize> = byte_lengths.into_iter().map(|l| l as usize).collect();
        let receiving = studio_model::model_transfer::Receiving::new(description, &lengths)
            .map_err(|e| JsValue::from(js_sys::Error::new(&e)))?;
        self.received = Some(receiving);
        Ok(())
    }

    /// A view of received array `index`, to copy its bytes into at once.
    #[wasm_bindgen(js_name = sceneArrayView)]
    pub fn scene_array_view(&mut self, index: usize) -> Option<js_sys::Uint8Array> {
        let bytes = self.received.as_mut()?.array_bytes_mut(index)?;
        Some(wasm_bytes::view_of(bytes))
    }

    /// The model to work on: the one handed over, or the file imported
    /// (reporting its reading as the progress bar from 0 to `span`).
    fn take_scene(
        &mut self,
        name: &str,
        on_progress: &js_sys::Function,
        span: f32,
    ) -> Result<studio_model::model::Scene, JsValue> {
        let bytes = self.input.take();
        // Back to the allocator, for the scene and the output.
        self.prepared = studio_model::prepared_memory::PreparedMemory::default();
        match self.received.take() {
            Some(received) => received.into_scene().map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string()))),
            None => import_reporting(name, bytes, &self.companions, on_progress, span),
        }
    }

    /// Converts the model handed over, or else the file written into
    /// [`Converter::input_buffer`] (named `name`), with the options
    /// (`{"format": "stl-binary", "units": "mm", "up": "z", "merge": false, "weld": false, "parts": [0, 2]}`),
    /// calling `on_progress(fraction)` now and then. The file's bytes are freed
    /// once read, so the conversion holds the scene and the output's current
    /// block, not a third copy.
    #[wasm_bindgen(js_name = convertInput)]
    pub fn convert_input(
        &mut self,
        name: &str,
        options_json: &str,
        on_progress: &js_sys::Function,
    ) -> Result<Converted, JsValue> {
        let error = |message: String| -> JsValue { js_sys::Error::new(&message).into() };
        let options: ConvertOptions =
            serde_json::from_str(options_json).map_err(|e| error(format!("Internal error: bad options: {e}")))?;
        let up = match options.up.as_deref() {
            Some("y") => Some(studio_model::model::UpAxis::Y),
            Some("z") => Some(studio_model::model::UpAxis::Z),
            _ => None,
        };
        let export_options = studio_model::export::ExportOptions {
            format: options.format,
            unitless_unit: options.units,
            up,
            merge: options.merge,
            weld: options.weld,
            parts: options.parts,
            keep_hierarchy: options.keep_hierarchy,
        };
        if self.received.as_ref().is_some_and(|r| !r.normals_handed_over()) && export_options.reads_vertex_normals() {
            // The engine worker decides what to hand over (web/engine/worker-tools.js); a test
            // keeps its list in step with the writers, so this is a bug, not bad input.
            return Err(error(
                "Internal error: the model was handed over without the normals this conversion writes.".into(),
            ));
        }
        // Reading is about as much work as converting and writing.
        let scene = self.take_scene(name, on_progress, 0.5)?;
        let mut writing = |fraction: f32| report_progress(on_progress, 0.5, 0.5, fraction);
        let mut sink = crate::blob_sink::BlobSink::default();
        let report = studio_model::export::export_to(scene, name, &export_options, &mut sink, &mut writing)
            .map_err(|e| error(e.to_string()))?;
        let files = sink.into_files().map_err(error)?;
        let report = serde_json::to_string(&report).unwrap_or_else(|_| "{}".to_owned());
        Ok(Converted { report, files })
    }

    /// Statistics and mesh health of the model handed over or the file written
    /// into [`Converter::input_buffer`], per part and in total, with the "show
    /// me" lines of each problem kind (see `inspect::show`).
    #[wasm_bindgen(js_name = inspectInput)]
    pub fn inspect_input(&mut self, name: &str, on_progress: &js_sys::Function) -> Result<Inspected, JsValue> {
        // Reading is about half the work, welding and checking the other half.
        let scene = self.take_scene(name, on_progress, 0.5)?;
        let (inspection, whole) = studio_model::inspect::inspect_keeping_whole(&scene);
        let size = DVec3::from(inspection.total.stats.bounds_max) - DVec3::from(inspection.total.stats.bounds_min);
        let marker = (size.length() * 0.01).max(f64::MIN_POSITIVE);
        let show = studio_model::inspect::show::show_lines(&whole, &inspection.total.health.highlights, marker);
        report_progress(on_progress, 0.0, 1.0, 1.0);
        let report = serde_json::to_string(&inspection).unwrap_or_else(|_| "{}".to_owned());
        Ok(Inspected { report, show })
    }
}

impl Default for Converter {
    fn default() -> Self {
        Self::new()
    }
}

/// An inspection: the report as JSON and the "show me" lines.
#[wasm_bindgen]
pub struct Inspected {
    report: String,
    show: studio_model::inspect::show::ShowLines,
}

#[wasm_bindgen]
impl Inspected {
    #[wasm_bindgen(js_name = reportJson)]
    pub fn report_json(&self) -> String {
        self.report.clone()
    }

    /// Line-list positions for one problem kind (a `Health` field name;
    /// empty for any other name).
    pub fn lines(&self, kind: &str) -> Vec<f32> {
        HealthKind::from_name(kind).map_or_else(Vec::new, |kind| self.show.of(kind).to_vec())
    }

    /// The problem kinds in the order to list them, with their wording, as JSON
    /// (`[{"kind": "boundary_edges", "label": "Boundary edges (holes)"}, …]`).
    #[wasm_bindgen(js_name = problemKindsJson)]
    pub fn problem_kinds_json(&self) -> String {
        let kinds: Vec<serde_json::Value> = HealthKind::ALL
            .into_iter()
            .map(|kind| serde_json::json!({ "kind": kind.name(), "label": kind.label() }))
            .collect();
        serde_json::Value::Array(kinds).to_string()
    }
}

/// The converted files (Blobs, outside the wasm memory) and the report of
/// what was applied and dropped.
#[wasm_bindgen]
pub struct Converted {
    report: String,
    files: Vec<(String, web_sys::Blob)>,
}

#[wasm_bindgen]
impl Converted {
    #[wasm_bindgen(js_name = reportJson)]
    pub fn report_json(&self) -> String {
        self.report.clone()
    }

    #[wasm_bindgen(js_name = fileCount)]
    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    #[wasm_bindgen(js_name = fileName)]
    pub fn file_name(&self, index: usize) -> String {
        self.files.get(index).map(|(name, _)| name.clone()).unwrap_or_default()
    }

    /// A file's contents, ready to download.
    #[wasm_bindgen(js_name = fileBlob)]
    pub fn file_blob(&self, index: usize) -> Option<web_sys::Blob> {
        self.files.get(index).map(|(_, blob)| blob.clone())
    }
}
