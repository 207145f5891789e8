// Converting and inspecting, for the engine worker: each job runs in its own
// worker (web/worker-job.js) with the tools wasm, so the viewer keeps
// drawing, progress is reported, and Cancel simply terminates the job's worker
// (its memory goes with it). The tools wasm is compiled once and handed to
// each job worker; one is started ahead when a dialog that needs it opens.

// A job worker with the tools wasm being instantiated, or null when the wasm
// cannot be fetched.
let toolsModule = null;
async function startToolsWorker() {
  toolsModule ??= WebAssembly.compileStreaming(fetch(new URL('./pkg/share/viewer_wasm_bg.wasm', import.meta.url)));
  let module;
  try {
    module = await toolsModule;
  } catch {
    toolsModule = null;
    return null;
  }
  const worker = new Worker(new URL('./worker-job.js', import.meta.url), { type: 'module' });
  worker.postMessage({ type: 'init', module });
  return worker;
}

// `post` sends to the page; `shown()` is the model shown now ({ name, source, companions });
// `shownScene()` its parsed scene to hand over ({ description, buffers }), or null.
export function toolHandlers(post, shown, shownScene) {
  let spare = null; // a promise of a ready job worker
  const running = new Map(); // job kind → { worker }

  // Runs one job of `kind` ('convert' or 'inspect'); the page hears
  // `${kind}Progress`, then `${doneType}` or `${kind}Failed` (or `${kind}Cancelled`).
  async function run(kind, doneType, request) {
    const files = shown();
    if (!files) throw new Error(`Open a model first, then ${kind} it.`);
    // Taken now, with the files: a model that finishes loading meanwhile must not mix in.
    const scene = shownScene();
    running.get(kind)?.worker?.terminate();
    // Set at once, so that a Cancel while the tools are still loading is honoured.
    const job = { worker: null };
    running.set(kind, job);
    const finish = () => {
      job.worker?.terminate();
      if (running.get(kind) === job) running.delete(kind);
    };
    const starting = spare ?? startToolsWorker();
    spare = null;
    const worker = await starting;
    if (!worker) {
      finish();
      post(`${kind}Failed`, { message: 'The tools could not be loaded; check the connection and try again.' });
      return;
    }
    if (running.get(kind) !== job) {
      worker.terminate(); // cancelled meanwhile
      return;
    }
    job.worker = worker;
    worker.onmessage = ({ data }) => {
      if (running.get(kind) !== job) return;
      if (data.type === 'progress') {
        post(`${kind}Progress`, { fraction: data.fraction });
        return;
      }
      finish();
      if (data.type === 'done') post(doneType, data.result);
      else post(`${kind}Failed`, { message: data.message });
    };
    worker.onerror = (event) => {
      event.preventDefault();
      if (running.get(kind) !== job) return;
      finish();
      post(`${kind}Failed`, { message: `The tools stopped: ${event.message || 'they ran out of memory or failed to load'}.` });
    };
    const { name, source, companions } = files;
    worker.postMessage({ type: kind, name, source, companions, scene, ...request }, scene?.buffers ?? []);
  }

  function cancel(kind) {
    const job = running.get(kind);
    if (!job) return;
    job.worker?.terminate();
    running.delete(kind);
    post(`${kind}Cancelled`);
  }

  return {
    // A dialog that converts opened: have a job worker ready with the tools loaded.
    prepareConvert() {
      spare ??= startToolsWorker();
    },
    // It closed: free the spare worker's memory.
    releaseConverter() {
      spare?.then((w) => w?.terminate());
      spare = null;
    },
    convert: ({ options }) => run('convert', 'converted', { options }),
    cancelConvert: () => cancel('convert'),
    inspect: () => run('inspect', 'inspected', {}),
    cancelInspect: () => cancel('inspect'),
  };
}
