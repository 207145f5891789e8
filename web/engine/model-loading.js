// @ts-check
// Loading a model into the viewer: from files (the model and its companions),
// from a URL, or from bytes in memory (a decrypted share), then showing it and
// telling the page what it is.
import { postToPage } from '../shared/protocol.js';
import { progressToPage } from '../shared/progress.js';
import { growingSpace, readStream } from '../shared/read-stream.js';
import { decodeImages } from './decode-images.js';
import { drawFrame, setLabelAnchors, timeFirstFrame } from './frames.js';
import { engineTarget, pickModel, readFile, readIntoEngine, readReporting } from './read-model.js';
import { shareModule, state } from './state.js';

/** @typedef {import('../shared/messages.js').FileEntry} FileEntry */
/** @typedef {import('../shared/messages.js').Companion} Companion */
/** @typedef {import('./state.js').ShownFiles} ShownFiles */

/** @type {ShownFiles | null} the files of the model being loaded */
let loadingFiles = null;

// 3MF is read by the tools build (web/pkg/tools/, loaded on first use): its zip
// and XML readers would make every page load ~90 KB heavier for one format.
// Which build reads a file is told by its content, as the importers tell formats
// (a 3MF without its extension still opens): the engine decides from its first bytes.
/** @param {Blob} file */
async function readByTools(file) {
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  return state.viewer.readByToolsBuild(head);
}

/** @param {FileEntry[]} entries files selected or dropped together */
export async function loadFiles(entries) {
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
  const byTools = await readByTools(model);
  if (byTools) {
    const bytes = await readFile(model, entries.length - 1, entries.length);
    await loadModel(model.name, bytes, model, companions, started, null, byTools);
    return;
  }
  await readIntoEngine(state.viewer, model, entries.length - 1, entries.length);
  // The File itself is what "Share" encrypts later: no copy is kept here.
  await loadModel(model.name, null, model, companions, started, null, byTools);
}

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
  return state.viewer.loadTransferred(name, transfer, '3mf', (/** @type {number} */ fraction) => onProgress(0.8 + fraction * 0.2));
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
export async function loadBytes(name, bytes, companions = [], started = performance.now(), beforeFirstFrame = null) {
  const blob = new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (bytes)]);
  await loadModel(name, bytes, blob, companions, started, beforeFirstFrame);
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
 * @param {boolean | null} [byTools] whether the tools build reads it, if the caller has asked already
 */
async function loadModel(name, bytes, source, companions = [], started = performance.now(), beforeFirstFrame = null, byTools = null) {
  const { viewer } = state;
  for (const companion of companions) viewer.addCompanion(companion.name, companion.bytes);
  loadingFiles = { name, source, companions };
  const inMemory = performance.now();
  const size = source.size;
  const parsing = progressToPage(self, 'parsing', name, size);
  parsing(0);
  // Let the progress message go out before the synchronous parse.
  await new Promise((r) => setTimeout(r, 0));
  const parseStart = performance.now();
  /** @param {number} fraction */
  const onProgress = (fraction) => parsing(Math.round(fraction * size));
  byTools ??= await readByTools(source);
  if (!bytes && byTools) {
    // Downloaded into the engine's buffer, but the tools build reads it: take the Blob's copy.
    viewer.inputBuffer(0);
    bytes = new Uint8Array(await source.arrayBuffer());
  }
  let infoJson;
  if (bytes && byTools) infoJson = await loadThroughTools(name, bytes, onProgress);
  else infoJson = bytes ? viewer.load(name, bytes, onProgress) : viewer.loadInput(name, onProgress);
  const info = JSON.parse(infoJson);
  const parsedAt = performance.now();
  const parsedMs = parsedAt - parseStart;
  await decodeImages(viewer);
  const uploadStart = performance.now();
  viewer.show();
  const steps = { uploadMs: performance.now() - uploadStart };
  setLabelAnchors(new Float32Array(0));
  state.shownFiles = loadingFiles;
  state.shownCounts = { vertices: info.vertices, triangles: info.triangles };
  beforeFirstFrame?.();
  postToPage(self, {
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
  timeFirstFrame(inMemory, steps);
  await drawFrame();
}

/** @param {string} url */
export async function loadUrl(url) {
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
    const target = engineTarget(state.viewer, name, total);
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
