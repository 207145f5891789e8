// One tools job — a conversion or an inspection — in its own module worker
// started by the engine worker (web/worker-tools.js): the tools wasm
// (web/pkg/tools/, the same import, export and inspection code as the
// command-line tool) works from the model the viewer has already parsed, handed
// over, or (a 3MF, which the viewer shows from a copy) reads the original file.
// Running apart keeps the viewer
// drawing meanwhile, and Cancel is immediate: the engine worker terminates this
// one, and its memory goes with it.
//
// In:  { type: 'init', module: WebAssembly.Module, model } (compiled once by
//        the engine worker; sent ahead, so the tools are ready, and with the open
//        model's { vertices, triangles } when a dialog that converts it opened,
//        so that the memory is ready too), then one of
//      { type: 'convert', name, source: Blob, companions: [{ name, bytes }], scene, options, port }
//      { type: 'inspect', name, source, companions, scene, port }
//      where scene, when not null, is the viewer's parsed model
//      ({ description, buffers: [ArrayBuffer] }, see model_transfer.rs), used
//      instead of reading and parsing the file again, and port is the page's
//      channel for this job (see worker-tools.js).
// Out, on port: { type: 'progress', fraction } …, then { type: 'done', result } or { type: 'failed', message };
//      result: { report, files: [{ name, blob }], timings } for a conversion,
//              { report, lines: { kind: Float32Array } } for an inspection.
//      To the engine worker, once the result is sent: { type: 'finished' }.
//
// Copies: the handed-over arrays are copied once into the wasm memory, or else
// the file is streamed straight into it, read into the scene and freed; the
// scene's arrays become the output's, stored in Blobs (outside the wasm memory)
// a large group of blocks at a time (see web_output.rs). At most about two
// copies of the model at a time.

// Progress goes to the page at most once a frame, and in steps of at least 1%:
// each message is work for the page's thread that the result then waits behind.
const PROGRESS_STEP = 0.01;
const PROGRESS_MS = 16;
// The "show me" line sets of an inspection (Health's field names).
const SHOW_KINDS = [
  'boundary_edges',
  'non_manifold_edges',
  'inconsistent_edges',
  'non_manifold_vertices',
  'degenerate_triangles',
  'duplicate_triangles',
  'inverted_shells',
];

// Streams `blob` into the wasm memory. Reading it in 8 MiB slices with
// arrayBuffer() instead was slower here (24 MB: ~60 ms streamed, ~70 sliced):
// either way the bytes come from the browser's blob store a pipe-full at a time.
// `onChunk(fraction)` runs after each chunk is stored.
async function readInto(blob, view, onChunk) {
  const reader = blob.stream().getReader();
  let at = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > blob.size) throw new Error('The file changed while it was being read.');
    view().set(value, at);
    at += value.length;
    onChunk(at / blob.size);
  }
  if (at !== blob.size) throw new Error('The file changed while it was being read.');
}

// Copies the viewer's arrays into the converter, each dropped once copied.
// Returns how many bytes they held.
function receiveScene(converter, scene) {
  const { buffers } = scene;
  const lengths = Uint32Array.from(buffers, (b) => b.byteLength);
  converter.receiveScene(scene.description, lengths);
  for (let i = 0; i < buffers.length; i += 1) {
    // A fresh view each time: the previous copy may have grown the memory.
    converter.sceneArrayView(i).set(new Uint8Array(buffers[i]));
    buffers[i] = null;
  }
  return lengths.reduce((sum, length) => sum + length, 0);
}

let tools = null;

async function instantiate(module, model) {
  const pkg = await import('./pkg/tools/tools_wasm.js');
  await pkg.default({ module_or_path: module });
  // While the user chooses the options: a job that arrives meanwhile waits for it.
  if (model) pkg.prepareMemoryForModel(model.vertices, model.triangles);
  return pkg;
}

self.onmessage = async ({ data }) => {
  if (data.type === 'init') {
    tools = instantiate(data.module, data.model);
    tools.catch(() => {}); // reported when a conversion needs it
    return;
  }
  const { name, source, companions, port } = data;
  const reply = (message, transfer = []) => port.postMessage(message, transfer);
  try {
    const started = performance.now();
    const pkg = await tools;
    const toolsReady = performance.now();
    const converter = new pkg.Converter();
    let handedOverBytes = 0;
    if (data.scene) {
      handedOverBytes = receiveScene(converter, data.scene);
    } else {
      for (const companion of companions) converter.addCompanion(companion.name, companion.bytes);
      converter.inputBuffer(source.size);
      // The memory the conversion will need is made ready a step per chunk of the read.
      converter.prepareMemory(name, source.size, data.options?.format ?? '');
      await readInto(source, () => converter.inputView(), (fraction) => converter.touchMemory(fraction));
    }
    const read = performance.now();
    let reported = 0;
    let reportedAt = -Infinity;
    const progress = (fraction) => {
      const now = performance.now();
      if ((fraction - reported >= PROGRESS_STEP && now - reportedAt >= PROGRESS_MS) || fraction === 1) {
        reported = fraction;
        reportedAt = now;
        reply({ type: 'progress', fraction });
      }
    };
    if (data.type === 'inspect') {
      const inspected = converter.inspectInput(name, progress);
      converter.free();
      const lines = Object.fromEntries(SHOW_KINDS.map((kind) => [kind, inspected.lines(kind)]));
      const report = JSON.parse(inspected.reportJson());
      inspected.free();
      reply({ type: 'done', result: { report, lines } }, Object.values(lines).map((l) => l.buffer));
      return;
    }
    const converted = converter.convertInput(name, JSON.stringify(data.options), progress);
    converter.free();
    const convertedAt = performance.now();
    const report = JSON.parse(converted.reportJson());
    const files = [];
    for (let i = 0; i < converted.fileCount(); i += 1) {
      files.push({ name: converted.fileName(i), blob: converted.fileBlob(i) });
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
    reply({ type: 'done', result: { report, files, timings } });
  } catch (error) {
    reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  } finally {
    self.postMessage({ type: 'finished' });
  }
};
