// @ts-check
// Converting and inspecting, for the engine worker: each job runs in its own
// worker (web/job/worker-job.js) with the tools wasm, so the viewer keeps
// drawing, progress is reported, and Cancel simply terminates the job's worker
// (its memory goes with it). The tools wasm is compiled once and handed to
// each job worker; one is started ahead when a dialog that needs it opens.
import { postToPage, sendToJob } from '../shared/protocol.js';

/** @typedef {import('../shared/messages.js').ModelCounts} ModelCounts */
/** @typedef {import('../shared/messages.js').JobKind} JobKind */
/** @typedef {import('../shared/messages.js').ConvertOptions} ConvertOptions */
/** @typedef {import('../shared/messages.js').HandedScene} HandedScene */
/** @typedef {import('../shared/messages.js').JobToEngine} JobToEngine */
/** @typedef {import('../shared/messages.js').Companion} Companion */
/** @typedef {{ options?: ConvertOptions, port: MessagePort }} JobRequest */

// A job worker with the tools wasm being instantiated, or null when the wasm
// cannot be fetched. `model` ({ vertices, triangles }, or null) is the open
// model, for which the worker makes its memory ready while it waits.
/** @type {Promise<WebAssembly.Module> | null} */
let toolsModule = null;
/** @param {ModelCounts | null} model */
async function startToolsWorker(model) {
  toolsModule ??= WebAssembly.compileStreaming(fetch(new URL('../pkg/tools/tools_wasm_bg.wasm', import.meta.url)));
  let module;
  try {
    module = await toolsModule;
  } catch {
    toolsModule = null;
    return null;
  }
  const worker = new Worker(new URL('../job/worker-job.js', import.meta.url), { type: 'module' });
  sendToJob(worker, { type: 'init', module, model });
  return worker;
}

// `shown()` is the model shown now ({ name, source, companions });
// `shownScene(convertTo, weld)` its parsed scene to hand over ({ description, buffers }), or null
// (with the normals only if the job reads them: the engine decides);
// `shownCounts()` its { vertices, triangles }, or null.
//
// Each job request from the page carries a MessagePort: the job worker reports
// its progress and result straight to the page on it (see web/page/jobs.js),
// so a conversion's Blobs never pass through this worker, which would keep them
// alive until it next collected its garbage. This worker hears only that the
// job finished (then ends its worker), and itself reports `${kind}Failed` when
// the job cannot start or its worker dies.
/**
 * @param {{
 *   shown: () => { name: string, source: Blob, companions: Companion[] } | null,
 *   shownScene: (convertTo: string | undefined, weld: boolean) => HandedScene | null,
 *   shownCounts: () => ModelCounts | null,
 * }} model
 */
export function toolHandlers({ shown, shownScene, shownCounts }) {
  /** @type {Promise<Worker | null> | null} a promise of a ready job worker */
  let spare = null;
  /** @type {Map<JobKind, { worker: Worker | null }>} */
  const running = new Map();

  /** @param {JobKind} kind @param {string} message */
  const failed = (kind, message) =>
    postToPage(self, kind === 'convert' ? { type: 'convertFailed', message } : { type: 'inspectFailed', message });

  /**
   * Runs one job of `kind`.
   * @param {JobKind} kind
   * @param {JobRequest} request
   */
  async function run(kind, request) {
    const files = shown();
    if (!files) throw new Error(`Open a model first, then ${kind} it.`);
    // Taken now, with the files: a model that finishes loading meanwhile must not mix in.
    const options = kind === 'convert' ? /** @type {ConvertOptions} */ (request.options) : null;
    const scene = shownScene(options?.format, options?.weld ?? false);
    running.get(kind)?.worker?.terminate();
    // Set at once, so that a Cancel while the tools are still loading is honoured.
    /** @type {{ worker: Worker | null }} */
    const job = { worker: null };
    running.set(kind, job);
    const finish = () => {
      job.worker?.terminate();
      if (running.get(kind) === job) running.delete(kind);
    };
    const starting = spare ?? startToolsWorker(null);
    spare = null;
    const worker = await starting;
    if (!worker) {
      finish();
      failed(kind, 'The tools could not be loaded; check the connection and try again.');
      return;
    }
    if (running.get(kind) !== job) {
      worker.terminate(); // cancelled meanwhile
      return;
    }
    job.worker = worker;
    worker.onmessage = (/** @type {MessageEvent<JobToEngine>} */ { data }) => {
      if (data.type === 'finished') finish();
      else throw new Error(`The engine received an unknown message from a job: ${JSON.stringify(/** @type {any} */ (data).type)}`);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      if (running.get(kind) !== job) return;
      finish();
      failed(kind, `The tools stopped: ${event.message || 'they ran out of memory or failed to load'}.`);
    };
    const { name, source, companions } = files;
    const transfer = /** @type {Transferable[]} */ ([...(scene?.buffers ?? []), request.port]);
    const input = { name, source, companions, scene, port: request.port };
    if (kind === 'convert') sendToJob(worker, { type: 'convert', options: /** @type {ConvertOptions} */ (request.options), ...input }, transfer);
    else sendToJob(worker, { type: 'inspect', ...input }, transfer);
  }

  /**
   * The page has stopped listening to the job; its worker and memory go.
   * @param {JobKind} kind
   */
  function cancel(kind) {
    running.get(kind)?.worker?.terminate();
    running.delete(kind);
  }

  return {
    // A dialog that converts opened: have a job worker ready with the tools loaded.
    prepareConvert() {
      spare ??= startToolsWorker(shownCounts());
    },
    // It closed: free the spare worker's memory.
    releaseConverter() {
      spare?.then((w) => w?.terminate());
      spare = null;
    },
    /** @param {{ options: ConvertOptions, port: MessagePort }} request */
    convert: ({ options, port }) => run('convert', { options, port }),
    cancelConvert: () => cancel('convert'),
    /** @param {{ port: MessagePort }} request */
    inspect: ({ port }) => run('inspect', { port }),
  };
}
