// @ts-check
/// <reference lib="webworker" />
// The engine's home: a module Web Worker that owns the wasm viewer and the
// OffscreenCanvas. The page only forwards input and shows the small results
// posted back here, so parsing and drawing never block the page.
// Sharing code is loaded on first use (see shareModule): viewing never downloads it.
import { postToPage, unknownMessage } from '../shared/protocol.js';
import { atMostEvery, progressToPage } from '../shared/progress.js';
import { growingSpace, readStream } from '../shared/read-stream.js';
import { readPose, writePose } from './camera-pose.js';
import { decodeImages } from './decode-images.js';
import { gpuDone } from './gpu-done.js';
import { engineTarget, pickModel, readFile, readIntoEngine, readReporting } from './read-model.js';
import { toolHandlers } from './worker-tools.js';

/** @typedef {import('../shared/protocol.js').PageToEngine} PageToEngine */
/** @typedef {import('../shared/protocol.js').EngineToPage} EngineToPage */
/** @typedef {import('../shared/protocol.js').FileEntry} FileEntry */
/** @typedef {import('../shared/protocol.js').Companion} Companion */
/** @typedef {import('../shared/protocol.js').SharedView} SharedView */
/**
 * @template {PageToEngine['type']} T
 * @typedef {import('../shared/protocol.js').MessageOf<PageToEngine, T>} Request
 */
/** @typedef {{ [T in PageToEngine['type']]: (message: Request<T>) => unknown }} Handlers */
/** @typedef {import('./viewer-types.js').Viewer} Viewer */
/** @typedef {import('./viewer-types.js').ViewerPackage} ViewerPackage */
/** @typedef {{ name: string, source: Blob, companions: Companion[] }} ShownFiles */

/** @type {Promise<typeof import('./worker-share.js')> | null} */
let shareModulePromise = null;
const shareModule = () => (shareModulePromise ??= import('./worker-share.js'));

/** @param {EngineToPage} message @param {Transferable[]} [transfer] */
const post = (message, transfer) => postToPage(self, message, transfer);

/** @type {Viewer} set by 'init'; no other message is handled before */
let viewer = /** @type {any} */ (null);
/** @type {OffscreenCanvas} the canvas the viewer draws on, set by 'init' */
let canvas = /** @type {any} */ (null);
/** @type {ShownFiles | null} The model shown now, as files: what "Share" encrypts. */
let shownFiles = null;
/** @type {import('../shared/protocol.js').ModelCounts | null} The shown model's counts (a tools job makes its memory ready for them). */
let shownCounts = null;
/** @type {ShownFiles | null} */
let loadingFiles = null;
// Sharing state: the abort controller of a share being created, and a downloaded
// share waiting for its password.
/** @type {AbortController | null} */
let shareAbort = null;
/** @type {{ container: Uint8Array, fragment: string, cipher: string } | null} */
let waitingShare = null;
// Embed option: turn the model slowly (degrees per second; 0 = still).
let autoRotateDegPerSec = 0;
// Model points (x, y, z, …) where measurement labels hang; projected each frame.
/** @type {Float32Array} */
let labelAnchors = new Float32Array(0);
let lastFrameAt = 0;

// Two builds of the engine: WebGPU-only (smaller) and one that can also fall
// back to WebGL2. Load the small one when a WebGPU adapter really exists.
/** @param {boolean} forceWebgl2 */
async function loadEngine(forceWebgl2) {
  let variant = 'webgl';
  // WebGPU's types are not in TypeScript's library: only what is used here.
  const gpu = /** @type {any} */ (self.navigator).gpu;
  if (!forceWebgl2 && gpu) {
    try {
      if (await gpu.requestAdapter()) variant = 'webgpu';
    } catch {
      // No adapter: WebGL2 it is.
    }
  }
  const engine = /** @type {ViewerPackage} */ (await import(`../pkg/${variant}/viewer_wasm.js`));
  await engine.default();
  return engine;
}
let framePending = false;
let frames = 0;
// When the last model's bytes were in memory, until the first frame after its load
// has been timed (bytes → first frame, read by `cargo xtask bench`).
/** @type {number | null} */
let firstFrameFrom = null;
// Where the first frame's time went (ms): the GPU upload, the draw calls, the wait for the GPU.
/** @type {Record<string, number>} */
let firstFrameSteps = {};

async function drawFrame() {
  framePending = false;
  if (viewer.isLost()) {
    post({ type: 'status', message: 'The GPU device was lost; recovering…' });
    await viewer.recover();
  }
  const now = performance.now();
  if (autoRotateDegPerSec && shownFiles) {
    // orbit() takes pixels: a drag over the canvas height turns 180°.
    const seconds = Math.min(0.1, (now - lastFrameAt) / 1000);
    viewer.orbit((-autoRotateDegPerSec * seconds * canvas.height) / 180, 0);
  }
  lastFrameAt = now;
  viewer.render();
  const submittedAt = performance.now();
  frames += 1;
  post({ type: 'frame', frames });
  // Where measurement labels go on the canvas, for the page to place them.
  if (labelAnchors.length) post({ type: 'labels', positions: viewer.project(labelAnchors) });
  if (autoRotateDegPerSec && shownFiles) requestFrame();
  if (firstFrameFrom !== null) {
    const from = firstFrameFrom;
    firstFrameFrom = null;
    await gpuDone(viewer, canvas);
    const doneAt = performance.now();
    const steps = { ...firstFrameSteps, renderMs: submittedAt - now, gpuWaitMs: doneAt - submittedAt };
    post({ type: 'timing', firstFrameMs: doneAt - from, steps });
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

/** @param {FileEntry[]} entries */
async function loadFiles(entries) {
  const model = pickModel(entries.map((e) => e.file));
  const started = performance.now();
  /** @type {Companion[]} */
  const companions = [];
  for (let i = 0; i < entries.length; i += 1) {
    const { file, path } = entries[i];
    if (file === model) continue;
    const bytes = await readFile(file, i, entries.length);
    companions.push({ name: path || file.name, bytes });
  }
  if (readByTools(model.name)) {
    const bytes = await readFile(model, entries.length - 1, entries.length);
    await loadModel(model.name, bytes, model, companions, started);
    return;
  }
  await readIntoEngine(viewer, model, entries.length - 1, entries.length);
  // The File itself is what "Share" encrypts later: no copy is kept here.
  await loadModel(model.name, null, model, companions, started);
}

// 3MF is read by the tools build (web/pkg/tools/, loaded on first use): its zip
// and XML readers would make every page load ~90 KB heavier for one format.
/** @param {string} name */
const readByTools = (name) => name.toLowerCase().endsWith('.3mf');

// Reads a 3MF with the tools build and loads what it hands on (a GLB in the
// model's own units) into the viewer as the 3MF it is.
/**
 * @param {string} name
 * @param {Uint8Array} bytes
 * @param {(fraction: number) => void} onProgress
 */
async function loadThroughTools(name, bytes, onProgress) {
  const { toolsEngine } = await shareModule();
  const pkg = await toolsEngine();
  const transfer = pkg.sceneTransfer(name, bytes, (/** @type {number} */ fraction) => onProgress(fraction * 0.8));
  return viewer.loadTransferred(name, transfer, '3mf', (/** @type {number} */ fraction) => onProgress(0.8 + fraction * 0.2));
}

// Loads a model from bytes in memory; `beforeFirstFrame` may adjust the view
// (a share's saved camera) before anything is drawn.
/**
 * @param {string} name
 * @param {Uint8Array} bytes
 * @param {Companion[]} [companions]
 * @param {number} [started]
 * @param {(() => void) | null} [beforeFirstFrame]
 */
async function loadBytes(name, bytes, companions = [], started = performance.now(), beforeFirstFrame = null) {
  await loadModel(name, bytes, new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (bytes)]), companions, started, beforeFirstFrame);
}

// `bytes` null: the model is already in the engine's input buffer. `source` is a
// Blob of the original file, kept for "Share".
/**
 * @param {string} name
 * @param {Uint8Array | null} bytes
 * @param {Blob} source
 * @param {Companion[]} [companions]
 * @param {number} [started]
 * @param {(() => void) | null} [beforeFirstFrame]
 */
async function loadModel(name, bytes, source, companions = [], started = performance.now(), beforeFirstFrame = null) {
  for (const companion of companions) viewer.addCompanion(companion.name, companion.bytes);
  loadingFiles = { name, source, companions };
  const inMemory = performance.now();
  const size = source.size;
  post({ type: 'progress', phase: 'parsing', name, loaded: 0, total: size });
  // Let the progress message go out before the synchronous parse.
  await new Promise((r) => setTimeout(r, 0));
  const parseStart = performance.now();
  const parsing = progressToPage(self, 'parsing', name, size);
  /** @param {number} fraction */
  const onProgress = (fraction) => parsing(Math.round(fraction * size));
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
  await decodeImages(viewer);
  const uploadStart = performance.now();
  viewer.show();
  firstFrameSteps = { uploadMs: performance.now() - uploadStart };
  labelAnchors = new Float32Array(0);
  shownFiles = loadingFiles;
  shownCounts = { vertices: info.vertices, triangles: info.triangles };
  beforeFirstFrame?.();
  post({
    type: 'loaded',
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

/** @param {string} url */
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
  const body = /** @type {ReadableStream<Uint8Array>} */ (response.body);
  const total = Number(response.headers.get('content-length')) || 0;
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || 'model');
  const report = progressToPage(self, 'downloading', url, total);
  // A Content-Length says the size (unless the body is compressed, which the
  // browser undoes): download straight into the engine's memory, and tee a copy
  // into a Blob for "Share".
  if (total > 0 && !response.headers.get('content-encoding')) {
    const target = engineTarget(viewer, name, total);
    const [forEngine, forBlob] = body.tee();
    const blob = new Response(forBlob).blob();
    const loaded = await readReporting(forEngine, target.view, report, target.onChunk);
    if (loaded === total) {
      await loadModel(name, null, await blob, []);
      return;
    }
    throw new Error(`Downloading ${url} stopped early: ${loaded} of ${total} bytes arrived.`);
  }
  // No size given: a buffer that grows, and a report per chunk.
  const buffer = growingSpace(0);
  const loaded = await readStream(body, buffer.space, report);
  await loadBytes(name, buffer.bytes(loaded));
}

// Display options and camera of a share, applied in the worker so that the
// camera is set after the up axis (which refits the view).
/** @param {SharedView | undefined} view */
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
    writePose(viewer, {
      target: camera.target.map(Number),
      distance: Number(camera.distance),
      yaw: Number(camera.yaw_radians),
      pitch: Number(camera.pitch_radians),
    });
  }
}

// Decrypts the downloaded share with the password (if any) and shows it, or asks
// the page for a (better) password.
/** @param {string | undefined} password */
async function tryOpenShare(password) {
  const { container, fragment, cipher } = /** @type {NonNullable<typeof waitingShare>} */ (waitingShare);
  let opened;
  try {
    const { openContainer } = await shareModule();
    opened = await openContainer(container, fragment, password, cipher);
  } catch (error) {
    if (error.name === 'PasswordRequired' || error.name === 'WrongKeyOrPassword') {
      // A wrong key without a password means the fragment itself is wrong.
      if (error.name === 'WrongKeyOrPassword' && !password) throw error;
      post({ type: 'sharePassword', wrong: error.name === 'WrongKeyOrPassword' });
      return;
    }
    throw error;
  }
  waitingShare = null;
  const { metadata, file, companions } = opened;
  const original = metadata.allow_download ? new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (file)], { type: metadata.media_type }) : null;
  await loadBytes(metadata.name, file, companions, performance.now(), () => applyView(metadata.view));
  post({
    type: 'shareOpened',
    name: metadata.name,
    size: metadata.size,
    display: metadata.view?.display || {},
    view: metadata.view ?? null,
    original,
    decryptMs: opened.decryptMs,
  });
}

// Converting and inspecting: jobs in their own workers (web/engine/worker-tools.js).
// The shown model for a tools job, so that converting or inspecting it does not
// read and parse its file again: the scene's description and its arrays copied
// out of the wasm memory (transferred to the job, not copied again), or null
// when the job must read the file (see Viewer.sceneForTools); the normals only
// `withNormals`.
/** @param {boolean} withNormals */
function shownScene(withNormals) {
  const handed = viewer?.sceneForTools(withNormals);
  if (!handed) return null;
  const [description, views] = handed;
  // The views are copied at once, before the wasm memory can grow.
  /** @type {(ArrayBuffer | null)[]} */
  const buffers = Array.from(/** @type {Uint8Array[]} */ (views), (view) => view.slice().buffer);
  return { description, buffers };
}

/** @type {Handlers} */
const handlers = {
  async init({ canvas: offscreen, forceWebgl2, width, height }) {
    canvas = offscreen;
    const { Viewer } = await loadEngine(forceWebgl2);
    viewer = await Viewer.create(offscreen, forceWebgl2);
    viewer.resize(width, height);
    post({ type: 'ready', backend: viewer.backend() });
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
    post({ type: 'picked', picked: JSON.parse(viewer.pickAt(x, y, snap)), tool });
  },
  // What a click at this pixel would pick (the page's hover marker).
  hover({ x, y, snap }) {
    post({ type: 'hovered', picked: JSON.parse(viewer.pickAt(x, y, snap)) });
  },
  // Wall thickness at a picked point, against its (outward) normal.
  thickness({ point, normal }) {
    const result = viewer.thicknessAt(point[0], point[1], point[2], normal[0], normal[1], normal[2]);
    post({ type: 'thickness', thickness: result.length ? { value: result[0], far: [...result.subarray(1)] } : null });
  },
  // The section plane (model units and axes); the page gets the readout and outline.
  section({ normal, fraction }) {
    const readout = JSON.parse(viewer.setSection(normal[0], normal[1], normal[2], fraction));
    post({ type: 'section', readout, lines: viewer.sectionLines() });
    requestFrame();
  },
  sectionThrough({ normal, point }) {
    const readout = JSON.parse(viewer.setSectionThrough(normal[0], normal[1], normal[2], point[0], point[1], point[2]));
    post({ type: 'section', readout, lines: viewer.sectionLines() });
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
    if (name === 'up') post({ type: 'grid', gridSpacing: viewer.gridSpacing() });
  },
  async createShare({ options, display, extras }) {
    if (!shownFiles) throw new Error('Open a model first, then share it.');
    shareAbort = new AbortController();
    const { target, distance, yaw, pitch } = readPose(viewer);
    const camera = { target, distance, yaw_radians: yaw, pitch_radians: pitch };
    // Units, measurements and notes ride along (docs/share-format.md).
    const view = { camera, display, ...(extras ?? {}) };
    const { Cancelled, createShare } = await shareModule();
    try {
      const share = await createShare(shownFiles, options, view, shareAbort.signal);
      post({ type: 'shareCreated', ...share });
    } catch (error) {
      if (error instanceof Cancelled) post({ type: 'shareCancelled' });
      else post({ type: 'shareFailed', message: error.message });
    } finally {
      shareAbort = null;
    }
  },
  cancelShare() {
    shareAbort?.abort();
  },
  async openShare({ id, fragment, password, cipher }) {
    const { downloadShare } = await shareModule();
    const container = await downloadShare(id, undefined);
    waitingShare = { container, fragment, cipher };
    await tryOpenShare(password);
  },
  async sharePassword({ password }) {
    if (waitingShare) await tryOpenShare(password);
  },
  // The embed page's view angle (degrees) and zoom factor, from its URL.
  initialCamera({ yawDeg, pitchDeg, zoom }) {
    const pose = readPose(viewer);
    if (Number.isFinite(yawDeg)) pose.yaw = (/** @type {number} */ (yawDeg) * Math.PI) / 180;
    if (Number.isFinite(pitchDeg)) pose.pitch = (/** @type {number} */ (pitchDeg) * Math.PI) / 180;
    if (Number.isFinite(zoom) && /** @type {number} */ (zoom) > 0) pose.distance /= /** @type {number} */ (zoom);
    writePose(viewer, pose);
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
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    post({ type: 'screenshot', blob });
  },
  // For the inspection report: the view as JPEG (PDF embeds JPEG as it is).
  async snapshot() {
    viewer.render();
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    post({ type: 'snapshot', blob });
  },
  // For the inspection report: the original file's size and SHA-256 (hex).
  async sourceDigest() {
    if (!shownFiles) throw new Error('Open a model first.');
    const bytes = await shownFiles.source.arrayBuffer();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    post({ type: 'sourceDigest', size: bytes.byteLength, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') });
  },
  ...toolHandlers({ shown: () => shownFiles, shownScene, shownCounts: () => shownCounts }),
};

self.onmessage = async (/** @type {MessageEvent<PageToEngine>} */ event) => {
  const message = event.data;
  /** @type {((message: PageToEngine) => unknown) | undefined} */
  const handler = Object.hasOwn(handlers, message.type) ? /** @type {any} */ (handlers)[message.type] : undefined;
  try {
    if (!handler) unknownMessage(/** @type {never} */ (message), 'The engine');
    if (!viewer && message.type !== 'init') return;
    await handler(message);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    post({ type: 'error', request: message.type, message: text });
  }
};
