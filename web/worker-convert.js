// One conversion, in its own module worker started by the engine worker: the
// tools wasm (web/pkg/share/, the same import and export code as the command-line
// tool) reads the original file and writes the chosen format. Running apart
// keeps the viewer drawing meanwhile, and Cancel is immediate: the engine
// worker terminates this one, and the memory goes with it.
//
// In:  { name, source: Blob, companions: [{ name, bytes }], options }
// Out: { type: 'progress', fraction } …, then
//      { type: 'done', report, files: [{ name, bytes: ArrayBuffer }] } or { type: 'failed', message }.

const PROGRESS_STEP = 0.01;

self.onmessage = async ({ data: { name, source, companions, options } }) => {
  try {
    const pkg = await import('./pkg/share/viewer_wasm.js');
    await pkg.default();
    const converter = new pkg.Converter();
    for (const companion of companions) converter.addCompanion(companion.name, companion.bytes);
    let reported = 0;
    const progress = (fraction) => {
      if (fraction - reported >= PROGRESS_STEP || fraction === 1) {
        reported = fraction;
        self.postMessage({ type: 'progress', fraction });
      }
    };
    // The bytes are copied into the wasm once; this ArrayBuffer is then dropped,
    // so the conversion holds the scene and the output, not the file as well.
    let bytes = new Uint8Array(await source.arrayBuffer());
    const taken = bytes;
    bytes = null;
    const converted = converter.convert(name, taken, JSON.stringify(options), progress);
    converter.free();
    const report = JSON.parse(converted.reportJson());
    const files = [];
    for (let i = 0; i < converted.fileCount(); i += 1) {
      files.push({ name: converted.fileName(i), bytes: converted.takeFile(i).buffer });
    }
    converted.free();
    self.postMessage({ type: 'done', report, files }, files.map((f) => f.bytes));
  } catch (error) {
    self.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
};
