// @ts-check
/// <reference lib="webworker" />
// The engine's home: a module Web Worker that owns the wasm viewer and the
// OffscreenCanvas. The page only forwards input and shows the small results
// posted back here, so parsing and drawing never block the page. This module
// starts the viewer and routes each message from the page to its handler;
// loading (model-loading.js), drawing (frames.js), sharing (share-requests.js)
// and tools jobs (worker-tools.js) each have their own.
import { postToPage, unknownMessage } from '../shared/protocol.js';
import { readPose, writePose } from './camera-pose.js';
import { requestFrame, setAutoRotate, setLabelAnchors } from './frames.js';
import { loadFiles, loadUrl } from './model-loading.js';
import { state } from './state.js';

/** @typedef {import('../shared/messages.js').PageToEngine} PageToEngine */
/** @typedef {import('../shared/messages.js').EngineToPage} EngineToPage */
/**
 * @template {PageToEngine['type']} T
 * @typedef {import('../shared/messages.js').MessageOf<PageToEngine, T>} Request
 */
/** @typedef {{ [T in PageToEngine['type']]: (message: Request<T>) => unknown }} Handlers */
/** @typedef {import('./viewer-types.js').ViewerPackage} ViewerPackage */

/** @param {EngineToPage} message @param {Transferable[]} [transfer] */
const post = (message, transfer) => postToPage(self, message, transfer);

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

// The shown model for a tools job, so that converting or inspecting it does not
// read and parse its file again: the scene's description and its arrays copied
// out of the wasm memory (transferred to the job, not copied again), or null
// when the job must read the file (see Viewer.sceneForTools, which also decides
// whether the job reads the normals: a conversion to `convertTo`, an
// inspection when it is undefined).
/** @param {string | undefined} convertTo @param {boolean} weld */
function shownScene(convertTo, weld) {
  const handed = state.viewer?.sceneForTools(convertTo, weld);
  if (!handed) return null;
  const [description, views] = handed;
  // The views are copied at once, before the wasm memory can grow.
  /** @type {(ArrayBuffer | null)[]} */
  const buffers = Array.from(/** @type {Uint8Array[]} */ (views), (view) => view.slice().buffer);
  return { description, buffers };
}

/** @type {Handlers} */
const handlers = {
  async init({ canvas, forceWebgl2, width, height }) {
    state.canvas = canvas;
    const { Viewer } = await loadEngine(forceWebgl2);
    const viewer = await Viewer.create(canvas, forceWebgl2);
    state.viewer = viewer;
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
    state.viewer.resize(width, height);
    requestFrame();
  },
  orbit({ dx, dy }) {
    state.viewer.orbit(dx, dy);
    requestFrame();
  },
  pan({ dx, dy }) {
    state.viewer.pan(dx, dy);
    requestFrame();
  },
  zoom({ factor }) {
    state.viewer.zoom(factor);
    requestFrame();
  },
  // Measuring: the surface point under a canvas pixel (device pixels).
  pick({ x, y, snap, tool }) {
    post({ type: 'picked', picked: JSON.parse(state.viewer.pickAt(x, y, snap)), tool });
  },
  // What a click at this pixel would pick (the page's hover marker).
  hover({ x, y, snap }) {
    post({ type: 'hovered', picked: JSON.parse(state.viewer.pickAt(x, y, snap)) });
  },
  // Wall thickness at a picked point, against its (outward) normal.
  thickness({ point, normal }) {
    const result = state.viewer.thicknessAt(point[0], point[1], point[2], normal[0], normal[1], normal[2]);
    post({ type: 'thickness', thickness: result.length ? { value: result[0], far: [...result.subarray(1)] } : null });
  },
  // The section plane (model units and axes); the page gets the readout and outline.
  section({ normal, fraction }) {
    const { viewer } = state;
    const readout = JSON.parse(viewer.setSection(normal[0], normal[1], normal[2], fraction));
    post({ type: 'section', readout, lines: viewer.sectionLines() });
    requestFrame();
  },
  sectionThrough({ normal, point }) {
    const { viewer } = state;
    const readout = JSON.parse(viewer.setSectionThrough(normal[0], normal[1], normal[2], point[0], point[1], point[2]));
    post({ type: 'section', readout, lines: viewer.sectionLines() });
    requestFrame();
  },
  clearSection() {
    state.viewer.clearSection();
    requestFrame();
  },
  overlay({ layers, anchors }) {
    const positions = new Float32Array(layers.reduce((n, l) => n + l.positions.length, 0));
    let at = 0;
    for (const layer of layers) {
      positions.set(layer.positions, at);
      at += layer.positions.length;
    }
    const vertexCounts = new Uint32Array(layers.map((l) => l.positions.length / 3));
    state.viewer.setOverlay(positions, vertexCounts, new Float32Array(layers.flatMap((l) => l.rgba)));
    setLabelAnchors(anchors);
    requestFrame();
  },
  home() {
    state.viewer.home();
    requestFrame();
  },
  options({ options }) {
    state.viewer.setOptions(JSON.stringify(options));
    requestFrame();
    if (options.up !== undefined) post({ type: 'grid', gridSpacing: state.viewer.gridSpacing() });
  },
  // The embed page's view angle (degrees) and zoom factor, from its URL.
  initialCamera({ yawDeg, pitchDeg, zoom }) {
    const pose = readPose(state.viewer);
    if (yawDeg !== null && Number.isFinite(yawDeg)) pose.yaw = (yawDeg * Math.PI) / 180;
    if (pitchDeg !== null && Number.isFinite(pitchDeg)) pose.pitch = (pitchDeg * Math.PI) / 180;
    if (zoom !== null && Number.isFinite(zoom) && zoom > 0) pose.distance /= zoom;
    writePose(state.viewer, pose);
    requestFrame();
  },
  autoRotate({ degPerSec }) {
    setAutoRotate(Number(degPerSec) || 0);
    requestFrame();
  },
  simulateDeviceLoss() {
    state.viewer.simulateDeviceLoss();
    // The loss is reported asynchronously; draw again once it has been.
    setTimeout(requestFrame, 100);
  },
  async screenshot() {
    // Render and read back in the same task: the canvas keeps its pixels only until the frame is presented.
    state.viewer.render();
    const blob = await state.canvas.convertToBlob({ type: 'image/png' });
    post({ type: 'screenshot', blob });
  },
  // For the inspection report: the view as JPEG (PDF embeds JPEG as it is).
  async snapshot() {
    state.viewer.render();
    const blob = await state.canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    post({ type: 'snapshot', blob });
  },
  // For the inspection report: the original file's size and SHA-256 (hex).
  async sourceDigest() {
    if (!state.shownFiles) throw new Error('Open a model first.');
    const bytes = await state.shownFiles.source.arrayBuffer();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    post({ type: 'sourceDigest', size: bytes.byteLength, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') });
  },
  createShare: fromShareRequests('createShare'),
  cancelShare: fromShareRequests('cancelShare'),
  openShare: fromShareRequests('openShare'),
  sharePassword: fromShareRequests('sharePassword'),
  // Converting and inspecting: jobs in their own workers (web/engine/worker-tools.js).
  prepareConvert: fromTools('prepareConvert'),
  releaseConverter: fromTools('releaseConverter', { unlessLoaded: true }),
  convert: fromTools('convert'),
  cancelConvert: fromTools('cancelConvert', { unlessLoaded: true }),
  inspect: fromTools('inspect'),
};

// Sharing (share-requests.js) and tools jobs (worker-tools.js) are loaded on
// their first message: viewing alone never downloads them.

/** @type {Promise<typeof import('./share-requests.js')> | null} */
let shareRequests = null;
/**
 * @param {keyof typeof import('./share-requests.js').shareHandlers} name
 * @returns {(message: any) => Promise<unknown>}
 */
function fromShareRequests(name) {
  return async (message) => {
    shareRequests ??= import('./share-requests.js');
    return /** @type {any} */ ((await shareRequests).shareHandlers)[name](message);
  };
}

/** @type {Promise<ReturnType<typeof import('./worker-tools.js').toolHandlers>> | null} */
let tools = null;
/**
 * @param {keyof ReturnType<typeof import('./worker-tools.js').toolHandlers>} name
 * @param {{ unlessLoaded?: boolean }} [when] `unlessLoaded`: nothing to do before the tools are loaded
 * @returns {(message: any) => Promise<unknown> | undefined}
 */
function fromTools(name, { unlessLoaded = false } = {}) {
  return (message) => {
    if (unlessLoaded && !tools) return undefined;
    tools ??= import('./worker-tools.js').then((module) =>
      module.toolHandlers({ shown: () => state.shownFiles, shownScene, shownCounts: () => state.shownCounts }),
    );
    return tools.then((handlers) => /** @type {any} */ (handlers)[name](message));
  };
}

self.onmessage = async (/** @type {MessageEvent<PageToEngine>} */ event) => {
  const message = event.data;
  /** @type {((message: PageToEngine) => unknown) | undefined} */
  const handler = Object.hasOwn(handlers, message.type) ? /** @type {any} */ (handlers)[message.type] : undefined;
  try {
    if (!handler) unknownMessage(/** @type {never} */ (message), 'The engine');
    if (!state.viewer && message.type !== 'init') return;
    await handler(message);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    post({ type: 'error', request: message.type, message: text });
  }
};
