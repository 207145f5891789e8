// The engine's home: a module Web Worker that owns the wasm viewer and the
// OffscreenCanvas. The page only forwards input and shows the small results
// posted back here, so parsing and drawing never block the page.
// Sharing code is loaded on first use (see shareModule): viewing never downloads it.
import { toolHandlers } from './worker-tools.js';

let shareModulePromise = null;
const shareModule = () => (shareModulePromise ??= import('./worker-share.js'));

let viewer = null;
// The model shown now, as files: what "Share" encrypts. { name, bytes, companions }.
let shownFiles = null;
// The shown model's { vertices, triangles } (a tools job makes its memory ready for them).
let shownCounts = null;
let loadingFiles = null;
// Sharing state: the abort controller of a share being created, and a downloaded
// share waiting for its password.
let shareAbort = null;
let waitingShare = null;
// Embed option: turn the model slowly (degrees per second; 0 = still).
let autoRotateDegPerSec = 0;
// Model points (x, y, z, …) where measurement labels hang; projected each frame.
let labelAnchors = new Float32Array(0);
let lastFrameAt = 0;

// Two builds of the engine: WebGPU-only (smaller) and one that can also fall
// back to WebGL2. Load the small one when a WebGPU adapter really exists.
async function loadEngine(forceWebgl2) {
  let variant = 'webgl';
  if (!forceWebgl2 && self.navigator.gpu) {
    try {
      if (await self.navigator.gpu.requestAdapter()) variant = 'webgpu';
    } catch {
      // No adapter: WebGL2 it is.
    }
  }
  const engine = await import(`./pkg/${variant}/viewer_wasm.js`);
  await engine.default();
  return engine;
}
let framePending = false;
let frames = 0;
// When the last model's bytes were in memory, until the first frame after its load
// has been timed (bytes → first frame, read by `cargo xtask bench`).
let firstFrameFrom = null;
// Where the first frame's time went (ms): the GPU upload, the draw calls, the wait for the GPU.
let firstFrameSteps = {};

function post(type, payload = {}) {
  self.postMessage({ type, ...payload });
}

async function drawFrame() {
  framePending = false;
  if (viewer.isLost()) {
    post('status', { message: 'The GPU device was lost; recovering…' });
    await viewer.recover();
  }
  const now = performance.now();
  if (autoRotateDegPerSec && shownFiles) {
    // orbit() takes pixels: a drag over the canvas height turns 180°.
    const seconds = Math.min(0.1, (now - lastFrameAt) / 1000);
    viewer.orbit((-autoRotateDegPerSec * seconds * self.canvasForScreenshot.height) / 180, 0);
  }
  lastFrameAt = now;
  viewer.render();
  const submittedAt = performance.now();
  frames += 1;
  post('frame', { frames });
  // Where measurement labels go on the canvas, for the page to place them.
  if (labelAnchors.length) post('labels', { positions: viewer.project(labelAnchors) });
  if (autoRotateDegPerSec && shownFiles) requestFrame();
  if (firstFrameFrom !== null) {
    const from = firstFrameFrom;
    firstFrameFrom = null;
    await gpuDone();
    const doneAt = performance.now();
    const steps = { ...firstFrameSteps, renderMs: submittedAt - now, gpuWaitMs: doneAt - submittedAt };
    post('timing', { firstFrameMs: doneAt - from, steps });
    // The picking hierarchy, now that the model is on screen (a first pick needs it).
    setTimeout(() => viewer.preparePicking(), 0);
  }
}

// Input coalesces into at most one frame per display refresh.
function requestFrame() {
  if (framePending || !viewer) return;
  framePending = true;
  if (self.requestAnimationFrame) self.requestAnimationFrame(drawFrame);
  else setTimeout(drawFrame, 16);
}

// Resolves once the GPU has finished the work submitted so far, so a frame is timed
// to its completion rather than to its submission. The contexts are the ones wgpu
// created on the canvas (getContext returns the existing one); WebGL's finish() is a
// synchronous round trip to the GPU process in Chromium.
async function gpuDone() {
  const canvas = self.canvasForScreenshot;
  if (viewer.backend() === 'WebGPU') {
    const device = canvas.getContext('webgpu')?.getConfiguration?.()?.device;
    if (device) await device.queue.onSubmittedWorkDone();
  } else {
    // finish() alone returned before SwiftShader had drawn (a 1M-triangle frame
    // "took" 1 ms): reading a pixel back cannot return before the frame is done.
    // The read binding is wgpu's, so it is put back afterwards.
    const gl = canvas.getContext('webgl2');
    if (gl) {
      const wgpuRead = gl.getParameter(gl.READ_FRAMEBUFFER_BINDING);
      gl.bindFramebuffer(gl.READ_FRAMEBUFFER, null);
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
      gl.bindFramebuffer(gl.READ_FRAMEBUFFER, wgpuRead);
    }
  }
}

// Reads a stream with progress reports into `target`: a Uint8Array of the expected
// size, or a function giving a fresh view of it (the engine's input buffer, whose
// view goes stale if the engine's memory grows while the file arrives). Returns the
// number of bytes read; throws if more arrive than expected. `onChunk(loaded)`, if
// given, runs after each chunk is stored.
async function readStream(stream, target, report, onChunk = null) {
  const fresh = typeof target === 'function' ? target : () => target;
  let view = fresh();
  const reader = stream.getReader();
  let loaded = 0;
  let lastReport = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (view.byteLength === 0 && value.length > 0) view = fresh();
    if (loaded + value.length > view.length) {
      reader.cancel();
      throw new RangeError('more data than expected');
    }
    view.set(value, loaded);
    loaded += value.length;
    onChunk?.(loaded);
    if (performance.now() - lastReport > 50) {
      lastReport = performance.now();
      report(loaded);
    }
  }
  report(loaded);
  return loaded;
}

// Reads a File with progress reports, into one buffer sized by the real file.
async function readWithProgress(file, index, count) {
  const bytes = new Uint8Array(file.size);
  const report = (loaded) => post('progress', { phase: 'reading', name: file.name, loaded, total: file.size, index, count });
  try {
    await readStream(file.stream(), bytes, report);
  } catch {
    throw new Error(`${file.name} changed while it was being read.`);
  }
  return bytes;
}

// The engine's input buffer for `size` bytes of the model `name`, and the memory
// its import will need, made ready a step per chunk while the file arrives
// (the engine's page faults then overlap the read instead of following it).
function engineTarget(name, size) {
  viewer.inputBuffer(size);
  viewer.prepareImportMemory(name, size);
  return { view: () => viewer.inputView(), onChunk: (loaded) => viewer.touchImportMemory(loaded / size) };
}

// Reads the model file straight into the engine's memory: one copy, not two.
async function readIntoEngine(file, index, count) {
  const target = engineTarget(file.name, file.size);
  const report = (loaded) => post('progress', { phase: 'reading', name: file.name, loaded, total: file.size, index, count });
  try {
    await readStream(file.stream(), target.view, report, target.onChunk);
  } catch {
    throw new Error(`${file.name} changed while it was being read.`);
  }
}

const MODEL_EXTENSIONS = ['.glb', '.gltf', '.stl', '.obj', '.ply', '.off', '.3mf'];

// Picks the model among files selected together; the rest are its companions.
function pickModel(files) {
  const byExt = (f) => MODEL_EXTENSIONS.findIndex((e) => f.name.toLowerCase().endsWith(e));
  const ranked = [...files].sort((a, b) => {
    const ra = byExt(a) < 0 ? 99 : byExt(a);
    const rb = byExt(b) < 0 ? 99 : byExt(b);
    return ra - rb;
  });
  return ranked[0];
}

async function loadFiles(entries) {
  // entries: [{ file: File, path: string }]
  const model = pickModel(entries.map((e) => e.file));
  const started = performance.now();
  const companions = [];
  for (let i = 0; i < entries.length; i += 1) {
    const { file, path } = entries[i];
    if (file === model) continue;
    const bytes = await readWithProgress(file, i, entries.length);
    companions.push({ name: path || file.name, bytes });
  }
  if (readByTools(model.name)) {
    const bytes = await readWithProgress(model, entries.length - 1, entries.length);
    await loadModel(model.name, bytes, model, companions, started);
    return;
  }
  await readIntoEngine(model, entries.length - 1, entries.length);
  // The File itself is what "Share" encrypts later: no copy is kept here.
  await loadModel(model.name, null, model, companions, started);
}

// 3MF is read by the tools build (web/pkg/tools/, loaded on first use): its zip
// and XML readers would make every page load ~90 KB heavier for one format.
const readByTools = (name) => name.toLowerCase().endsWith('.3mf');

// Reads a 3MF with the tools build and loads what it hands on (a GLB in the
// model's own units) into the viewer as the 3MF it is.
async function loadThroughTools(name, bytes, onProgress) {
  const { toolsEngine } = await shareModule();
  const pkg = await toolsEngine();
  const transfer = pkg.sceneTransfer(name, bytes, (fraction) => onProgress(fraction * 0.8));
  return viewer.loadTransferred(name, transfer, '3mf', (fraction) => onProgress(0.8 + fraction * 0.2));
}

// Loads a model from bytes in memory; `beforeFirstFrame` may adjust the view
// (a share's saved camera) before anything is drawn.
async function loadBytes(name, bytes, companions = [], started = performance.now(), beforeFirstFrame = null) {
  await loadModel(name, bytes, new Blob([bytes]), companions, started, beforeFirstFrame);
}

// `bytes` null: the model is already in the engine's input buffer. `source` is a
// Blob of the original file, kept for "Share".
async function loadModel(name, bytes, source, companions = [], started = performance.now(), beforeFirstFrame = null) {
  for (const companion of companions) viewer.addCompanion(companion.name, companion.bytes);
  loadingFiles = { name, source, companions };
  const inMemory = performance.now();
  const size = source.size;
  post('progress', { phase: 'parsing', name, loaded: 0, total: size });
  // Let the progress message go out before the synchronous parse.
  await new Promise((r) => setTimeout(r, 0));
  const parseStart = performance.now();
  const onProgress = (fraction) =>
    post('progress', { phase: 'parsing', name, loaded: Math.round(fraction * size), total: size });
  if (!bytes && readByTools(name)) {
    // Downloaded into the engine's buffer, but the tools build reads it: take the Blob's copy.
    viewer.inputBuffer(0);
    bytes = new Uint8Array(await source.arrayBuffer());
  }
  let infoJson;
  if (bytes && readByTools(name)) infoJson = await loadThroughTools(name, bytes, onProgress);
  else infoJson = bytes ? viewer.load(name, bytes, onProgress) : viewer.loadInput(name, onProgress);
  const info = JSON.parse(infoJson);
  const parsedAt = performance.now();
  const parsedMs = parsedAt - parseStart;
  await decodeImages();
  const uploadStart = performance.now();
  viewer.show();
  firstFrameSteps = { uploadMs: performance.now() - uploadStart };
  labelAnchors = new Float32Array(0);
  shownFiles = loadingFiles;
  shownCounts = { vertices: info.vertices, triangles: info.triangles };
  beforeFirstFrame?.();
  post('loaded', {
    info,
    upAxis: viewer.upAxis(),
    gridSpacing: viewer.gridSpacing(),
    // sinceBytesMs: bytes in memory → parsed (including the yield above; before any
    // texture decoding and the GPU upload, which the first-frame time includes).
    timings: { parseMs: parsedMs, totalMs: performance.now() - started, sinceBytesMs: parsedAt - inMemory },
  });
  // The new model is drawn at once rather than at the next animation frame (the
  // worker commits the canvas when this task ends); 'loaded' goes first because
  // the page resets its timing display on it.
  firstFrameFrom = inMemory;
  await drawFrame();
}

// Textures are decoded by the browser (its native decoders are faster than
// decoders compiled into the wasm, and leaving them out halves the download).
async function decodeImages() {
  for (const index of viewer.pendingImages()) {
    const bytes = viewer.pendingImage(index);
    let width = 0;
    let height = 0;
    let pixels = new Uint8Array(0);
    try {
      const bitmap = await createImageBitmap(new Blob([bytes]), {
        premultiplyAlpha: 'none',
        colorSpaceConversion: 'none',
      });
      ({ width, height } = bitmap);
      const canvas = new OffscreenCanvas(width, height);
      const context = canvas.getContext('2d', { willReadFrequently: true });
      context.drawImage(bitmap, 0, 0);
      bitmap.close();
      pixels = new Uint8Array(context.getImageData(0, 0, width, height).data.buffer);
    } catch {
      // An undecodable image leaves its material untextured, with a warning.
    }
    viewer.setImagePixels(index, width, height, pixels);
  }
}

async function loadUrl(url) {
  let response;
  try {
    response = await fetch(url, { mode: 'cors', credentials: 'omit', referrerPolicy: 'no-referrer' });
  } catch (e) {
    throw new Error(
      `Could not download ${url}. The server may not allow other sites to read it (CORS), ` +
        'or it is unreachable. Download the file and open it from your disk instead.',
    );
  }
  if (!response.ok) throw new Error(`Downloading ${url} failed: HTTP ${response.status} ${response.statusText}.`);
  const total = Number(response.headers.get('content-length')) || 0;
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || 'model');
  const report = (loaded) => post('progress', { phase: 'downloading', name: url, loaded, total });
  // A Content-Length says the size (unless the body is compressed, which the
  // browser undoes): download straight into the engine's memory, and tee a copy
  // into a Blob for "Share".
  if (total > 0 && !response.headers.get('content-encoding')) {
    const target = engineTarget(name, total);
    const [forEngine, forBlob] = response.body.tee();
    const blob = new Response(forBlob).blob();
    const loaded = await readStream(forEngine, target.view, report, target.onChunk);
    if (loaded === total) {
      await loadModel(name, null, await blob, []);
      return;
    }
    throw new Error(`Downloading ${url} stopped early: ${loaded} of ${total} bytes arrived.`);
  }
  const chunks = [];
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    report(loaded);
  }
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  await loadBytes(name, bytes);
}

// Display options and camera of a share, applied in the worker so that the
// camera is set after the up axis (which refits the view).
function applyView(view) {
  const display = (view && typeof view.display === 'object' && view.display) || {};
  for (const name of ['up', 'projection', 'shading', 'wireframe', 'grid', 'background']) {
    if (typeof display[name] !== 'string') continue;
    try {
      viewer.setOption(name, display[name]);
    } catch {
      // An invalid option in a share is ignored, not fatal.
    }
  }
  const camera = view?.camera;
  if (camera && Array.isArray(camera.target)) {
    const pose = [...camera.target, camera.distance, camera.yaw_radians, camera.pitch_radians].map(Number);
    viewer.setCameraPose(new Float32Array(pose));
  }
}

// Decrypts the downloaded share with the password (if any) and shows it, or asks
// the page for a (better) password.
async function tryOpenShare(password) {
  const { container, fragment } = waitingShare;
  let opened;
  try {
    const { openContainer } = await shareModule();
    opened = await openContainer(container, fragment, password, post, waitingShare.cipher);
  } catch (error) {
    if (error.name === 'PasswordRequired' || error.name === 'WrongKeyOrPassword') {
      // A wrong key without a password means the fragment itself is wrong.
      if (error.name === 'WrongKeyOrPassword' && !password) throw error;
      post('sharePassword', { wrong: error.name === 'WrongKeyOrPassword' });
      return;
    }
    throw error;
  }
  waitingShare = null;
  const { metadata, file, companions } = opened;
  const original = metadata.allow_download ? new Blob([file], { type: metadata.media_type }) : null;
  await loadBytes(metadata.name, file, companions, performance.now(), () => applyView(metadata.view));
  post('shareOpened', {
    name: metadata.name,
    size: metadata.size,
    display: metadata.view?.display || {},
    view: metadata.view ?? null,
    original,
    decryptMs: opened.decryptMs,
  });
}

const handlers = {
  async init({ canvas, forceWebgl2, width, height }) {
    const { Viewer } = await loadEngine(forceWebgl2);
    viewer = await Viewer.create(canvas, forceWebgl2);
    viewer.resize(width, height);
    post('ready', { backend: viewer.backend() });
    requestFrame();
    // After the empty first frame: the pipelines most models need, compiled
    // while the user picks a file instead of in the first model's first frame.
    setTimeout(() => viewer.warmUp(), 0);
  },
  async load({ entries }) {
    await loadFiles(entries);
  },
  async loadUrl({ url }) {
    await loadUrl(url);
  },
  resize({ width, height }) {
    viewer.resize(width, height);
    requestFrame();
  },
  orbit({ dx, dy }) {
    viewer.orbit(dx, dy);
    requestFrame();
  },
  pan({ dx, dy }) {
    viewer.pan(dx, dy);
    requestFrame();
  },
  zoom({ factor }) {
    viewer.zoom(factor);
    requestFrame();
  },
  // Measuring: the surface point under a canvas pixel (device pixels).
  pick({ x, y, snap, tool }) {
    post('picked', { picked: JSON.parse(viewer.pickAt(x, y, snap)), tool });
  },
  // What a click at this pixel would pick (the page's hover marker).
  hover({ x, y, snap }) {
    post('hovered', { picked: JSON.parse(viewer.pickAt(x, y, snap)) });
  },
  // Wall thickness at a picked point, against its (outward) normal.
  thickness({ point, normal }) {
    const result = viewer.thicknessAt(point[0], point[1], point[2], normal[0], normal[1], normal[2]);
    post('thickness', { thickness: result.length ? { value: result[0], far: [...result.subarray(1)] } : null });
  },
  // The section plane (model units and axes); the page gets the readout and outline.
  section({ normal, fraction }) {
    const readout = JSON.parse(viewer.setSection(normal[0], normal[1], normal[2], fraction));
    post('section', { readout, lines: viewer.sectionLines() });
    requestFrame();
  },
  sectionThrough({ normal, point }) {
    const readout = JSON.parse(viewer.setSectionThrough(normal[0], normal[1], normal[2], point[0], point[1], point[2]));
    post('section', { readout, lines: viewer.sectionLines() });
    requestFrame();
  },
  clearSection() {
    viewer.clearSection();
    requestFrame();
  },
  overlay({ lines, anchors }) {
    viewer.setOverlay(lines);
    labelAnchors = anchors;
    requestFrame();
  },
  home() {
    viewer.home();
    requestFrame();
  },
  option({ name, value }) {
    viewer.setOption(name, String(value));
    requestFrame();
    if (name === 'up') post('grid', { gridSpacing: viewer.gridSpacing() });
  },
  async createShare({ options, display, extras }) {
    if (!shownFiles) throw new Error('Open a model first, then share it.');
    shareAbort = new AbortController();
    const [x, y, z, distance, yaw, pitch] = viewer.cameraPose();
    const camera = { target: [x, y, z], distance, yaw_radians: yaw, pitch_radians: pitch };
    // Units, measurements and notes ride along (docs/share-format.md).
    const view = { camera, display, ...(extras ?? {}) };
    const { Cancelled, createShare } = await shareModule();
    try {
      const share = await createShare(shownFiles, options, view, post, shareAbort.signal);
      post('shareCreated', share);
    } catch (error) {
      if (error instanceof Cancelled) post('shareCancelled');
      else post('shareFailed', { message: error.message });
    } finally {
      shareAbort = null;
    }
  },
  cancelShare() {
    shareAbort?.abort();
  },
  async openShare({ id, fragment, password, cipher }) {
    const { downloadShare } = await shareModule();
    const container = await downloadShare(id, post, undefined);
    waitingShare = { container, fragment, cipher };
    await tryOpenShare(password);
  },
  async sharePassword({ password }) {
    if (waitingShare) await tryOpenShare(password);
  },
  // The embed page's view angle (degrees) and zoom factor, from its URL.
  initialCamera({ yawDeg, pitchDeg, zoom }) {
    // [target x, y, z, distance, yaw, pitch]
    const pose = viewer.cameraPose();
    if (Number.isFinite(yawDeg)) pose[4] = (yawDeg * Math.PI) / 180;
    if (Number.isFinite(pitchDeg)) pose[5] = (pitchDeg * Math.PI) / 180;
    if (Number.isFinite(zoom) && zoom > 0) pose[3] /= zoom;
    viewer.setCameraPose(pose);
    requestFrame();
  },
  autoRotate({ degPerSec }) {
    autoRotateDegPerSec = Number(degPerSec) || 0;
    requestFrame();
  },
  simulateDeviceLoss() {
    viewer.simulateDeviceLoss();
    // The loss is reported asynchronously; draw again once it has been.
    setTimeout(requestFrame, 100);
  },
  async screenshot() {
    // Render and read back in the same task: the canvas keeps its pixels only until the frame is presented.
    viewer.render();
    const blob = await self.canvasForScreenshot.convertToBlob({ type: 'image/png' });
    post('screenshot', { blob });
  },
  // For the inspection report: the view as JPEG (PDF embeds JPEG as it is).
  async snapshot() {
    viewer.render();
    const blob = await self.canvasForScreenshot.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    post('snapshot', { blob });
  },
  // For the inspection report: the original file's size and SHA-256 (hex).
  async sourceDigest() {
    if (!shownFiles) throw new Error('Open a model first.');
    const bytes = await shownFiles.source.arrayBuffer();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    post('sourceDigest', { size: bytes.byteLength, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') });
  },
};

// Converting and inspecting: jobs in their own workers (web/worker-tools.js).
// The shown model for a tools job, so that converting or inspecting it does not
// read and parse its file again: the scene's description and its arrays copied
// out of the wasm memory (transferred to the job, not copied again), or null
// when the job must read the file (see Viewer.sceneForTools); the normals only
// `withNormals`.
function shownScene(withNormals) {
  const handed = viewer?.sceneForTools(withNormals);
  if (!handed) return null;
  const [description, views] = handed;
  // The views are copied at once, before the wasm memory can grow.
  const buffers = Array.from(views, (view) => view.slice().buffer);
  return { description, buffers };
}

Object.assign(handlers, toolHandlers({ post, shown: () => shownFiles, shownScene, shownCounts: () => shownCounts }));

self.onmessage = async (event) => {
  const message = event.data;
  if (message.type === 'init') self.canvasForScreenshot = message.canvas;
  const handler = handlers[message.type];
  if (!handler) return;
  if (!viewer && message.type !== 'init') return;
  try {
    await handler(message);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    post('error', { request: message.type, message: text });
  }
};
