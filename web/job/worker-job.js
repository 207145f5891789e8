// @ts-check
/// <reference lib="webworker" />
// One tools job — a conversion or an inspection — in its own module worker
// started by the engine worker (web/engine/worker-tools.js): the tools wasm
// (web/pkg/tools/, the same import, export and inspection code as the
// command-line tool) works from the model the viewer has already parsed, handed
// over, or (a 3MF, which the viewer shows from a copy) reads the original file.
// Running apart keeps the viewer
// drawing meanwhile, and Cancel is immediate: the engine worker terminates this
// one, and its memory goes with it.
//
// The messages are EngineToJob, JobToPage and JobToEngine in
// web/shared/protocol.js: first 'init', with the tools wasm compiled once by the
// engine worker (sent ahead, so the tools are ready, and with the open model's
// counts when a dialog that converts it opened, so that the memory is ready
// too), then one 'convert' or 'inspect'. Its scene, when not null, is the
// viewer's parsed model (see model_transfer.rs), used instead of reading and
// parsing the file again; its port is the page's channel for this job, which
// hears progress, then the result or the failure. The engine worker hears
// 'finished' once the result is sent.
//
// Copies: the handed-over arrays are copied once into the wasm memory, or else
// the file is streamed straight into it, read into the scene and freed; the
// scene's arrays become the output's, stored in Blobs (outside the wasm memory)
// a large group of blocks at a time (see web_output.rs). At most about two
// copies of the model at a time.

import { postToEngine, replyToPage, unknownMessage } from '../shared/protocol.js';
import { bySteps } from '../shared/progress.js';
import { fixedSpace, readStream } from '../shared/read-stream.js';

/** @typedef {import('../shared/messages.js').EngineToJob} EngineToJob */
/** @typedef {import('../shared/messages.js').HandedScene} HandedScene */
/** @typedef {import('../shared/messages.js').ModelCounts} ModelCounts */
/** @typedef {typeof import('../pkg/tools/tools_wasm.js')} ToolsPackage */
/** @typedef {import('../pkg/tools/tools_wasm.js').Converter} Converter */

// Progress goes to the page at most once a frame, and in steps of at least 1%:
// each message is work for the page's thread that the result then waits behind.
const PROGRESS_STEP = 0.01;
const PROGRESS_MS = 16;

// Streams `blob` into the wasm memory. Reading it in 8 MiB slices with
// arrayBuffer() instead was slower here (24 MB: ~60 ms streamed, ~70 sliced):
// either way the bytes come from the browser's blob store a pipe-full at a time.
// `view()` is the wasm memory's buffer for it, `onChunk(fraction)` runs after each chunk is stored.
/**
 * @param {Blob} blob
 * @param {() => Uint8Array} view
 * @param {(fraction: number) => void} onChunk
 */
async function readInto(blob, view, onChunk) {
  let read;
  try {
    read = await readStream(blob.stream(), fixedSpace(view), (loaded) => onChunk(loaded / blob.size));
  } catch (error) {
    if (error instanceof RangeError) throw new Error('The file changed while it was being read.');
    throw error;
  }
  if (read !== blob.size) throw new Error('The file changed while it was being read.');
}

// Copies the viewer's arrays into the converter, each dropped once copied.
// Returns how many bytes they held.
/**
 * @param {Converter} converter
 * @param {HandedScene} scene
 */
function receiveScene(converter, scene) {
  const { buffers } = scene;
  const lengths = Uint32Array.from(buffers, (b) => /** @type {ArrayBuffer} */ (b).byteLength);
  converter.receiveScene(scene.description, lengths);
  for (let i = 0; i < buffers.length; i += 1) {
    // A fresh view each time: the previous copy may have grown the memory.
    /** @type {Uint8Array} */ (converter.sceneArrayView(i)).set(new Uint8Array(/** @type {ArrayBuffer} */ (buffers[i])));
    buffers[i] = null;
  }
  return lengths.reduce((sum, length) => sum + length, 0);
}

/** @type {Promise<ToolsPackage> | null} */
let tools = null;

/**
 * @param {WebAssembly.Module} module
 * @param {ModelCounts | null} model
 * @returns {Promise<ToolsPackage>}
 */
async function instantiate(module, model) {
  const pkg = await import('../pkg/tools/tools_wasm.js');
  await pkg.default({ module_or_path: module });
  // While the user chooses the options: a job that arrives meanwhile waits for it.
  if (model) pkg.prepareMemoryForModel(model.vertices, model.triangles);
  return pkg;
}

self.onmessage = async (/** @type {MessageEvent<EngineToJob>} */ { data }) => {
  if (data.type === 'init') {
    tools = instantiate(data.module, data.model);
    tools.catch(() => {}); // reported when a conversion needs it
    return;
  }
  if (data.type !== 'convert' && data.type !== 'inspect') unknownMessage(data, 'A job worker');
  const { name, source, companions, port } = data;
  try {
    const started = performance.now();
    const pkg = /** @type {ToolsPackage} */ (await tools);
    const toolsReady = performance.now();
    const converter = new pkg.Converter();
    let handedOverBytes = 0;
    if (data.scene) {
      handedOverBytes = receiveScene(converter, data.scene);
    } else {
      for (const companion of companions) converter.addCompanion(companion.name, companion.bytes);
      converter.inputBuffer(source.size);
      // The memory the conversion will need is made ready a step per chunk of the read.
      converter.prepareMemory(name, source.size, data.type === 'convert' ? data.options.format : '');
      await readInto(source, () => converter.inputView(), (fraction) => converter.touchMemory(fraction));
    }
    const read = performance.now();
    const progress = bySteps((fraction) => replyToPage(port, { type: 'progress', fraction }), PROGRESS_STEP, PROGRESS_MS);
    if (data.type === 'inspect') {
      const inspected = converter.inspectInput(name, progress);
      converter.free();
      // The problem kinds, their order and wording are the engine's (HealthKind).
      /** @type {import('../shared/messages.js').ProblemKind[]} */
      const problems = JSON.parse(inspected.problemKindsJson());
      const lines = Object.fromEntries(problems.map(({ kind }) => [kind, inspected.lines(kind)]));
      const report = JSON.parse(inspected.reportJson());
      inspected.free();
      replyToPage(port, { type: 'done', result: { report, lines, problems } }, Object.values(lines).map((l) => l.buffer));
      return;
    }
    const converted = converter.convertInput(name, JSON.stringify(data.options), progress);
    converter.free();
    const convertedAt = performance.now();
    const report = JSON.parse(converted.reportJson());
    const files = [];
    for (let i = 0; i < converted.fileCount(); i += 1) {
      files.push({ name: converted.fileName(i), blob: /** @type {Blob} */ (converted.fileBlob(i)) });
    }
    converted.free();
    const timings = {
      // The open model handed over by the viewer ('viewer'), or its file read again ('file').
      source: data.scene ? 'viewer' : 'file',
      handedOverBytes,
      // Waiting for the tools wasm (instantiated, and its memory made ready, when the dialog
      // opened), then reading the model in.
      toolsMs: toolsReady - started,
      readMs: read - toolsReady,
      startMs: read - started,
      convertMs: convertedAt - read,
      outputMs: performance.now() - convertedAt,
    };
    replyToPage(port, { type: 'done', result: { report, files, timings } });
  } catch (error) {
    replyToPage(port, { type: 'failed', message: error instanceof Error ? error.message : String(error) });
  } finally {
    postToEngine(self, { type: 'finished' });
  }
};
