// @ts-check
// Reading a stream (a File's, a download's, a Blob's) chunk by chunk into one
// buffer: written once here for the engine worker and the job worker, which
// read models into the wasm memory or into a buffer that grows as they arrive.

/**
 * Where the bytes go: given how many bytes must fit, a view with room for them
 * from its start; throws (a RangeError) when they cannot fit.
 * @typedef {(needed: number) => Uint8Array} Space
 */

/**
 * Reads `stream` into `space`. `onChunk(loaded)` runs after each chunk is
 * stored. Returns the number of bytes read; a failing `space` cancels the read.
 * @param {ReadableStream<Uint8Array>} stream
 * @param {Space} space
 * @param {(loaded: number) => void} [onChunk]
 * @returns {Promise<number>}
 */
export async function readStream(stream, space, onChunk) {
  const reader = stream.getReader();
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return loaded;
    let view;
    try {
      view = space(loaded + value.length);
    } catch (error) {
      reader.cancel();
      throw error;
    }
    view.set(value, loaded);
    loaded += value.length;
    onChunk?.(loaded);
  }
}

/**
 * A buffer of a known size. `fresh()` gives a view of it, asked again whenever
 * the last one has gone stale (a view of the wasm memory is detached when that
 * memory grows while the bytes arrive).
 * @param {() => Uint8Array} fresh
 * @returns {Space}
 */
export function fixedSpace(fresh) {
  let view = fresh();
  return (needed) => {
    if (view.byteLength === 0) view = fresh();
    if (needed > view.length) throw new RangeError('more data than expected');
    return view;
  };
}

/**
 * A buffer that starts at `initial` bytes and doubles when it must; `bytes(loaded)`
 * is what was read into it.
 * @param {number} initial
 * @returns {{ space: Space, bytes: (loaded: number) => Uint8Array }}
 */
export function growingSpace(initial) {
  let buffer = new Uint8Array(initial);
  return {
    space(needed) {
      if (needed > buffer.length) {
        const grown = new Uint8Array(Math.max(buffer.length * 2, needed));
        grown.set(buffer);
        buffer = grown;
      }
      return buffer;
    },
    bytes: (loaded) => buffer.subarray(0, loaded),
  };
}
