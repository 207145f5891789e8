// @ts-check
// Sharing, inside the engine worker, so that encrypting and decrypting never
// block the page. Creating a share seals the model here and uploads only
// ciphertext; opening one downloads ciphertext and decrypts it here. The key
// is the link's fragment, which this code never sends anywhere.
//
// The share bindings are a separate wasm build (web/pkg/tools/), loaded on
// first use, so that viewing alone never downloads the cryptography.

import { postToPage } from '../shared/protocol.js';
import { atMostEvery, progressToPage } from '../shared/progress.js';
import { growingSpace, readStream } from '../shared/read-stream.js';
import { errorFromResponse, serverMessage } from '../shared/share-messages.js';
import { openBody, sealChunks, webCryptoAvailable } from './share-cipher.js';

/** @typedef {import('./viewer-types.js').ToolsPackage} ToolsPackage */
/** @typedef {import('../shared/messages.js').ShareOptions} ShareOptions */
/** @typedef {import('../shared/messages.js').CreatedShare} CreatedShare */
/** @typedef {import('../shared/messages.js').Companion} Companion */

/** @param {'encrypting' | 'uploading'} phase @param {number} loaded @param {number} total */
const shareProgress = (phase, loaded, total) => postToPage(self, { type: 'shareProgress', phase, loaded, total });

/** @type {ToolsPackage | null} */
let sharePackage = null;
// The tools build: also what reads 3MF files for the viewer (web/engine/worker.js).
export const toolsEngine = () => shareEngine();
async function shareEngine() {
  if (!sharePackage) {
    const pkg = await import('../pkg/tools/tools_wasm.js');
    await pkg.default();
    sharePackage = pkg;
  }
  return sharePackage;
}

const MEDIA_TYPES = { stl: 'model/stl', glb: 'model/gltf-binary', gltf: 'model/gltf+json' };
// How often (in plaintext bytes) encryption and decryption report progress and let
// other messages (camera input, cancel) through.
const PROGRESS_STEP_BYTES = 4 * 1024 * 1024;

export class Cancelled extends Error {
  constructor() {
    super('Cancelled.');
    this.name = 'Cancelled';
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

// ---- creating a share -------------------------------------------------------

// The plaintext is the envelope head followed by the files; it is sealed chunk by
// chunk straight from those pieces, without first joining them into one buffer.
/**
 * @param {Uint8Array[]} pieces
 * @param {number} chunkSize
 * @returns {Generator<{ bytes: Uint8Array, last: boolean }>}
 */
function* chunksOf(pieces, chunkSize) {
  const total = pieces.reduce((sum, p) => sum + p.length, 0);
  // Every chunk but the last is full; the last holds 1..=chunkSize bytes (0 if empty).
  const fullChunks = total === 0 ? 0 : Math.floor((total - 1) / chunkSize);
  let piece = 0;
  let offset = 0;
  /** @param {number} length */
  const take = (length) => {
    if (offset + length <= pieces[piece]?.length) {
      const view = pieces[piece].subarray(offset, offset + length);
      offset += length;
      if (offset === pieces[piece].length) [piece, offset] = [piece + 1, 0];
      return view;
    }
    const joined = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const n = Math.min(length - filled, pieces[piece].length - offset);
      joined.set(pieces[piece].subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (offset === pieces[piece].length) [piece, offset] = [piece + 1, 0];
    }
    return joined;
  };
  for (let i = 0; i < fullChunks; i += 1) yield { bytes: take(chunkSize), last: false };
  yield { bytes: take(total - fullChunks * chunkSize), last: true };
}

/**
 * @param {Blob} blob
 * @param {URLSearchParams} query
 * @param {(loaded: number, total: number) => void} onProgress
 * @param {AbortSignal} signal
 * @returns {Promise<{ id: string, owner_token: string, expires_at: number, size: number }>}
 */
function upload(blob, query, onProgress, signal) {
  return new Promise((resolve, reject) => {
    // XMLHttpRequest rather than fetch: it reports upload progress and streams a Blob body.
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/shares?${query}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.total);
    xhr.onload = () => {
      if (xhr.status === 201) {
        resolve(JSON.parse(xhr.responseText));
        return;
      }
      let code = '';
      try {
        code = JSON.parse(xhr.responseText).error || '';
      } catch {
        // The status says enough.
      }
      reject(new Error(serverMessage(xhr.status, code, xhr.getResponseHeader('retry-after'))));
    };
    xhr.onerror = () => reject(new Error('The upload failed: the share server could not be reached.'));
    xhr.onabort = () => reject(new Cancelled());
    signal.onabort = () => xhr.abort();
    xhr.send(blob);
  });
}

// shown: the model shown now (its name, a Blob of the original file, its companions).
// options: the share dialog's choices. view: display state, camera, units, measurements, notes.
/**
 * @param {{ name: string, source: Blob, companions: Companion[] }} shown
 * @param {ShareOptions} options
 * @param {object} view
 * @param {AbortSignal} signal
 * @returns {Promise<CreatedShare>}
 */
export async function createShare(shown, options, view, signal) {
  const pkg = await shareEngine();
  const source = { ...shown, bytes: new Uint8Array(await shown.source.arrayBuffer()) };
  const extension = /** @type {string} */ (source.name.split('.').pop()).toLowerCase();
  const metadata = {
    name: source.name,
    media_type: /** @type {Record<string, string>} */ (MEDIA_TYPES)[extension] || 'application/octet-stream',
    size: source.bytes.length,
    allow_download: Boolean(options.allowDownload),
    view,
    companions: source.companions.map((c) => ({ name: c.name, size: c.bytes.length })),
  };
  shareProgress('encrypting', 0, 0);
  await tick();
  // With a password this derives the key with Argon2id, on purpose slow (a second or so).
  const sealer = new pkg.ShareSealer(options.password || undefined);
  const pieces = [pkg.envelopeHead(JSON.stringify(metadata)), source.bytes, ...source.companions.map((c) => c.bytes)];
  const total = pieces.reduce((sum, p) => sum + p.length, 0);
  const header = sealer.header();
  const chunks = chunksOf(pieces, sealer.chunkSize());
  const started = performance.now();
  let parts;
  if (webCryptoAvailable() && options.cipher !== 'wasm') {
    let sealed = 0;
    /** @param {number} bytes */
    const onBatch = async (bytes) => {
      sealed += bytes;
      shareProgress('encrypting', sealed, total);
      if (signal.aborted) throw new Cancelled();
    };
    parts = [header, ...(await sealChunks(sealer.rawKey(), header, chunks, onBatch))];
  } else {
    parts = [header];
    let sealed = 0;
    let reported = 0;
    for (const { bytes, last } of chunks) {
      parts.push(last ? sealer.sealLast(bytes) : sealer.sealChunk(bytes));
      sealed += bytes.length;
      if (sealed - reported >= PROGRESS_STEP_BYTES) {
        reported = sealed;
        shareProgress('encrypting', sealed, total);
        await tick();
        if (signal.aborted) throw new Cancelled();
      }
    }
  }
  const encryptMs = performance.now() - started;
  const blob = new Blob(/** @type {BlobPart[]} */ (parts), { type: 'application/octet-stream' });
  const query = new URLSearchParams({ expires_in: String(options.expiresInSecs) });
  if (options.maxViews) query.set('max_views', String(options.maxViews));
  const created = await upload(
    blob,
    query,
    (loaded) => shareProgress('uploading', loaded, blob.size),
    signal,
  );
  const fragment = sealer.fragment();
  sealer.free();
  const origin = self.location.origin;
  const link = `${origin}/s/${created.id}#${fragment}`;
  return {
    id: created.id,
    ownerToken: created.owner_token,
    expiresAt: created.expires_at,
    size: created.size,
    name: source.name,
    link,
    embedLink: `${origin}/e/${created.id}#${fragment}`,
    // The owner token rides in the fragment too: it reaches the server only in the
    // Authorization header of a delete.
    manageLink: `${link}&owner=${created.owner_token}`,
    qrSvg: pkg.qrSvg(link),
    timings: { encryptMs, plaintextBytes: total },
  };
}

// ---- opening a share --------------------------------------------------------

/**
 * @param {string} id
 * @param {AbortSignal | undefined} signal
 */
export async function downloadShare(id, signal) {
  const response = await fetch(`/api/shares/${encodeURIComponent(id)}`, {
    cache: 'no-store',
    credentials: 'omit',
    signal,
  });
  if (!response.ok) throw await errorFromResponse(response);
  const total = Number(response.headers.get('content-length')) || 0;
  // Sized from Content-Length only as a start: the buffer grows with the bytes that arrive.
  const buffer = growingSpace(Math.min(total, 1024 * 1024 * 1024));
  const report = atMostEvery(progressToPage(self, 'downloading', 'the shared model', total));
  const body = /** @type {ReadableStream<Uint8Array>} */ (response.body);
  return buffer.bytes(await readStream(body, buffer.space, report));
}

// Decrypts a downloaded container. Throws an Error named PasswordRequired or
// WrongKeyOrPassword (from the wasm) when the password is missing or wrong.
/**
 * @param {Uint8Array} container
 * @param {string} fragment
 * @param {string | undefined} password
 * @param {string} [cipher]
 */
export async function openContainer(container, fragment, password, cipher = 'auto') {
  const pkg = await shareEngine();
  const started = performance.now();
  // Checks the key (and password) against the header before any decryption.
  const opener = new pkg.ShareOpener(
    container.subarray(0, Math.min(container.length, pkg.maxHeaderLength())),
    fragment,
    password || undefined,
  );
  const body = container.subarray(opener.headerLength());
  /** @param {number} loaded @param {number} total */
  const progress = async (loaded, total) => {
    progressToPage(self, 'decrypting', 'the shared model', total)(loaded);
    await tick();
  };
  let opened;
  if (webCryptoAvailable() && cipher !== 'wasm') {
    const plaintext = await openBody(opener.rawKey(), opener.headerBytes(), opener.chunkSize(), body, progress);
    opener.free();
    opened = pkg.openEnvelope(plaintext);
  } else {
    for (let at = 0; at < body.length; at += PROGRESS_STEP_BYTES) {
      opener.update(body.subarray(at, Math.min(body.length, at + PROGRESS_STEP_BYTES)));
      await progress(at, body.length);
    }
    opened = opener.finish();
    opener.free();
  }
  const metadata = JSON.parse(opened.metadataJson());
  const companions = [];
  for (let i = 0; i < opened.companionCount(); i += 1) {
    companions.push({ name: opened.companionName(i), bytes: opened.takeCompanion(i) });
  }
  const file = opened.takeFile();
  opened.free();
  return { metadata, file, companions, decryptMs: performance.now() - started };
}
