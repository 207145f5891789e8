// @ts-check
// Reading a model's files in the engine worker, with progress for the page:
// companions into buffers of their own, the model itself straight into the
// engine's input buffer (one copy, not two).
import { atMostEvery, progressToPage } from '../shared/progress.js';
import { fixedSpace, readStream } from '../shared/read-stream.js';

/** @typedef {import('./viewer-types.js').Viewer} Viewer */

const MODEL_EXTENSIONS = ['.glb', '.gltf', '.stl', '.obj', '.ply', '.off', '.3mf'];

/**
 * Picks the model among files selected together; the rest are its companions.
 * @param {File[]} files
 */
export function pickModel(files) {
  /** @param {File} f */
  const byExt = (f) => MODEL_EXTENSIONS.findIndex((e) => f.name.toLowerCase().endsWith(e));
  const ranked = [...files].sort((a, b) => {
    const ra = byExt(a) < 0 ? 99 : byExt(a);
    const rb = byExt(b) < 0 ? 99 : byExt(b);
    return ra - rb;
  });
  return ranked[0];
}

/**
 * Reads `stream` into `fresh()` (see fixedSpace), reporting progress at most every
 * 50 ms and once at the end. Returns the number of bytes read; throws if more
 * arrive than fit.
 * @param {ReadableStream<Uint8Array>} stream
 * @param {() => Uint8Array} fresh
 * @param {(loaded: number) => void} report
 * @param {(loaded: number) => void} [onChunk] runs after each chunk is stored
 */
export async function readReporting(stream, fresh, report, onChunk) {
  const often = atMostEvery(report);
  const loaded = await readStream(stream, fixedSpace(fresh), (n) => {
    onChunk?.(n);
    often(n);
  });
  report(loaded);
  return loaded;
}

/**
 * Reads a File with progress reports, into one buffer sized by the real file.
 * @param {File} file
 * @param {number} index
 * @param {number} count
 */
export async function readFile(file, index, count) {
  const bytes = new Uint8Array(file.size);
  try {
    await readReporting(file.stream(), () => bytes, progressToPage(self, 'reading', file.name, file.size, { index, count }));
  } catch {
    throw new Error(`${file.name} changed while it was being read.`);
  }
  return bytes;
}

/**
 * The engine's input buffer for `size` bytes of the model `name`, and the memory
 * its import will need, made ready a step per chunk while the file arrives
 * (the engine's page faults then overlap the read instead of following it).
 * @param {Viewer} viewer
 * @param {string} name
 * @param {number} size
 */
export function engineTarget(viewer, name, size) {
  viewer.inputBuffer(size);
  viewer.prepareImportMemory(name, size);
  return {
    view: () => viewer.inputView(),
    /** @param {number} loaded */
    onChunk: (loaded) => viewer.touchImportMemory(loaded / size),
  };
}

/**
 * Reads the model file straight into the engine's memory: one copy, not two.
 * @param {Viewer} viewer
 * @param {File} file
 * @param {number} index
 * @param {number} count
 */
export async function readIntoEngine(viewer, file, index, count) {
  const target = engineTarget(viewer, file.name, file.size);
  const report = progressToPage(self, 'reading', file.name, file.size, { index, count });
  try {
    await readReporting(file.stream(), target.view, report, target.onChunk);
  } catch {
    throw new Error(`${file.name} changed while it was being read.`);
  }
}
