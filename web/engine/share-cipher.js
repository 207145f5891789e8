// @ts-check
// The chunks of a share container sealed and opened with the browser's own
// AES-256-GCM (WebCrypto), which uses the CPU's AES instructions and is several
// times faster than AES compiled to wasm. The container is byte for byte the
// one the wasm makes (docs/share-format.md): the wasm derives the key, builds
// the header and checks the key; only the per-chunk AES-GCM runs here:
//
//   chunk i = AES-256-GCM(key, nonce = prefix(7) ‖ u32be(i) ‖ last(1), aad = header, plaintext)
//
// WebCrypto exists only in secure contexts (https, or http on localhost); the
// caller falls back to the wasm's own AES-GCM elsewhere.

const TAG_BYTES = 16;
// Chunks in flight at once: WebCrypto runs them off this thread, so a batch
// overlaps the work, and progress is reported per batch.
const BATCH_CHUNKS = 64;

export function webCryptoAvailable() {
  return Boolean(self.crypto?.subtle) && self.isSecureContext !== false;
}

/**
 * @param {Uint8Array} prefix
 * @param {number} index
 * @param {boolean} last
 */
function nonce(prefix, index, last) {
  const bytes = new Uint8Array(12);
  bytes.set(prefix, 0);
  new DataView(bytes.buffer).setUint32(7, index);
  bytes[11] = last ? 1 : 0;
  return bytes;
}

/**
 * @param {Uint8Array} rawKeyAndPrefix
 * @param {KeyUsage} usage
 */
async function importKey(rawKeyAndPrefix, usage) {
  const key = await crypto.subtle.importKey('raw', /** @type {Uint8Array<ArrayBuffer>} */ (rawKeyAndPrefix.subarray(0, 32)), 'AES-GCM', false, [usage]);
  return { key, prefix: rawKeyAndPrefix.subarray(32, 39) };
}

// Seals `chunks` (an iterable of { bytes, last }, as cut by the caller) and returns
// the sealed chunks as ArrayBuffers, in order. `onBatch(plaintextBytes)` after each batch;
// it may throw to cancel.
/**
 * @param {Uint8Array} rawKeyAndPrefix
 * @param {Uint8Array} header
 * @param {Iterable<{ bytes: Uint8Array, last: boolean }>} chunks
 * @param {(plaintextBytes: number) => Promise<void>} onBatch
 * @returns {Promise<ArrayBuffer[]>}
 */
export async function sealChunks(rawKeyAndPrefix, header, chunks, onBatch) {
  const { key, prefix } = await importKey(rawKeyAndPrefix, 'encrypt');
  /** @type {ArrayBuffer[]} */
  const sealed = [];
  /** @type {Promise<ArrayBuffer>[]} */
  let batch = [];
  let batchBytes = 0;
  let index = 0;
  const flush = async () => {
    sealed.push(...(await Promise.all(batch)));
    await onBatch(batchBytes);
    batch = [];
    batchBytes = 0;
  };
  for (const { bytes, last } of chunks) {
    const iv = nonce(prefix, index, last);
    batch.push(crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: /** @type {Uint8Array<ArrayBuffer>} */ (header), tagLength: 128 }, key, /** @type {Uint8Array<ArrayBuffer>} */ (bytes)));
    batchBytes += bytes.length;
    index += 1;
    if (batch.length === BATCH_CHUNKS) await flush();
  }
  if (batch.length) await flush();
  return sealed;
}

/** @param {number} chunk */
function damaged(chunk) {
  const error = new Error(
    `The shared file is damaged or incomplete: part ${chunk} of its data failed the integrity check.`,
  );
  error.name = 'Damaged';
  return error;
}

// Opens the body (everything after the header) and returns the plaintext.
// Fails like the wasm decryptor: a changed, swapped, reordered or missing chunk,
// or a body cut anywhere, makes a chunk fail its check (a cut at a chunk boundary
// leaves a last chunk without the last-chunk flag).
/**
 * @param {Uint8Array} rawKeyAndPrefix
 * @param {Uint8Array} header
 * @param {number} chunkSize
 * @param {Uint8Array} body
 * @param {(loaded: number, total: number) => Promise<void>} onProgress
 */
export async function openBody(rawKeyAndPrefix, header, chunkSize, body, onProgress) {
  const { key, prefix } = await importKey(rawKeyAndPrefix, 'decrypt');
  const segment = chunkSize + TAG_BYTES;
  // Every segment but the last is full; the last holds at least its tag.
  const count = Math.max(1, Math.ceil(body.length / segment));
  if (body.length - (count - 1) * segment < TAG_BYTES) {
    const error = new Error('The shared file is damaged or incomplete: it ends before its last part.');
    error.name = 'Damaged';
    throw error;
  }
  const plaintext = new Uint8Array(body.length - count * TAG_BYTES);
  for (let first = 0; first < count; first += BATCH_CHUNKS) {
    const batch = [];
    for (let i = first; i < Math.min(count, first + BATCH_CHUNKS); i += 1) {
      const iv = nonce(prefix, i, i === count - 1);
      const data = body.subarray(i * segment, Math.min(body.length, (i + 1) * segment));
      batch.push(
        crypto.subtle
          .decrypt({ name: 'AES-GCM', iv, additionalData: /** @type {Uint8Array<ArrayBuffer>} */ (header), tagLength: 128 }, key, /** @type {Uint8Array<ArrayBuffer>} */ (data))
          .then(
            (opened) => plaintext.set(new Uint8Array(opened), i * chunkSize),
            () => {
              throw damaged(i);
            },
          ),
      );
    }
    await Promise.all(batch);
    await onProgress(Math.min(body.length, (first + BATCH_CHUNKS) * segment), body.length);
  }
  return plaintext;
}
