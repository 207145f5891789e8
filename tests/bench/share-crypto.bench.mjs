// `cargo xtask bench`: how fast the browser seals and opens a share, three ways
// on the same bytes in the same page of the real server, best of several runs:
// what the viewer does (key, header and key check in the wasm, chunks by WebCrypto:
// web/engine/share-cipher.js), the wasm's own AES-GCM (the fallback without WebCrypto),
// and bare WebCrypto AES-256-GCM on the same chunks (the floor).
import { launchBrowser, startServer } from '../browser/harness.mjs';
import { machine, writeSection } from './report.mjs';

const MIB = 1024 * 1024;
const SIZE_MIB = Number(process.env.BENCH_SHARE_MIB) || 64;
const RUNS = 3;

// Runs in the page: returns milliseconds for each of the four operations.
async function measure({ sizeMib, runs }) {
  const pkg = await import('/pkg/tools/tools_wasm.js');
  await pkg.default();
  const data = new Uint8Array(sizeMib * 1024 * 1024);
  for (let at = 0; at < data.length; at += 65536) crypto.getRandomValues(data.subarray(at, at + 65536));
  const { openBody, sealChunks } = await import('/engine/share-cipher.js');
  const best = {
    hybridSealMs: Infinity,
    hybridOpenMs: Infinity,
    sealMs: Infinity,
    openMs: Infinity,
    webCryptoEncryptMs: Infinity,
    webCryptoDecryptMs: Infinity,
  };
  for (let run = 0; run < runs; run += 1) {
    {
      // What the viewer does: the same calls as web/engine/worker-share.js.
      let started = performance.now();
      const sealer = new pkg.ShareSealer(undefined);
      const chunk = sealer.chunkSize();
      const header = sealer.header();
      const full = Math.floor((data.length - 1) / chunk);
      const chunks = [];
      for (let i = 0; i < full; i += 1) chunks.push({ bytes: data.subarray(i * chunk, (i + 1) * chunk), last: false });
      chunks.push({ bytes: data.subarray(full * chunk), last: true });
      const sealed = await sealChunks(sealer.rawKey(), header, chunks, () => {});
      best.hybridSealMs = Math.min(best.hybridSealMs, performance.now() - started);
      const container = new Uint8Array(await new Blob([header, ...sealed]).arrayBuffer());
      started = performance.now();
      const opener = new pkg.ShareOpener(container.subarray(0, pkg.maxHeaderLength()), sealer.fragment(), undefined);
      const body = container.subarray(opener.headerLength());
      await openBody(opener.rawKey(), opener.headerBytes(), opener.chunkSize(), body, () => {});
      best.hybridOpenMs = Math.min(best.hybridOpenMs, performance.now() - started);
      sealer.free();
      opener.free();
    }
    // Ours: the same calls the worker makes (web/engine/worker-share.js), on one piece of plaintext.
    let started = performance.now();
    const sealer = new pkg.ShareSealer(undefined);
    const chunk = sealer.chunkSize();
    const parts = [sealer.header()];
    const full = Math.floor((data.length - 1) / chunk);
    for (let i = 0; i < full; i += 1) parts.push(sealer.sealChunk(data.subarray(i * chunk, (i + 1) * chunk)));
    parts.push(sealer.sealLast(data.subarray(full * chunk)));
    best.sealMs = Math.min(best.sealMs, performance.now() - started);
    const container = new Uint8Array(await new Blob(parts).arrayBuffer());
    started = performance.now();
    const opener = new pkg.ShareOpener(container.subarray(0, pkg.maxHeaderLength()), sealer.fragment(), undefined);
    const body = container.subarray(opener.headerLength());
    for (let at = 0; at < body.length; at += 4 * 1024 * 1024) opener.update(body.subarray(at, at + 4 * 1024 * 1024));
    // finish() also decodes the envelope, which this raw data is not: time the check of the last chunk only.
    try {
      opener.finish();
    } catch {
      // Expected: the plaintext is random bytes, not an envelope.
    }
    best.openMs = Math.min(best.openMs, performance.now() - started);
    sealer.free();
    opener.free();

    // WebCrypto: AES-256-GCM with a 12-byte nonce per chunk, same chunk size.
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const iv = (i) => {
      const nonce = new Uint8Array(12);
      new DataView(nonce.buffer).setUint32(7, i);
      return nonce;
    };
    started = performance.now();
    const sealed = [];
    for (let i = 0, at = 0; at < data.length; i += 1, at += chunk) {
      sealed.push(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv(i) }, key, data.subarray(at, at + chunk)));
    }
    best.webCryptoEncryptMs = Math.min(best.webCryptoEncryptMs, performance.now() - started);
    started = performance.now();
    for (let i = 0; i < sealed.length; i += 1) await crypto.subtle.decrypt({ name: 'AES-GCM', iv: iv(i) }, key, sealed[i]);
    best.webCryptoDecryptMs = Math.min(best.webCryptoDecryptMs, performance.now() - started);
  }
  return best;
}

async function main() {
  const server = await startServer();
  const browser = await launchBrowser('webgl2');
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    console.log(`Sealing and opening ${SIZE_MIB} MiB in the browser, best of ${RUNS}…`);
    const best = await page.evaluate(measure, { sizeMib: SIZE_MIB, runs: RUNS });
    const mbps = (ms) => ((SIZE_MIB * MIB) / 1e6 / (ms / 1000)).toFixed(0);
    const env = machine(browser.version(), '');
    const body = [
      `Run ${env.date} on ${env.cpus}, ${env.memory}, Chromium ${env.chromium}, commit ${env.commit}.`,
      `${SIZE_MIB} MiB of random bytes in 64 KiB chunks, best of ${RUNS}, in a page of the real server.`,
      '',
      '| operation | ours (wasm key + WebCrypto chunks) | ours, wasm `aes-gcm` only (fallback) | bare WebCrypto AES-256-GCM (floor) | ours ÷ floor |',
      '| --- | ---: | ---: | ---: | ---: |',
      `| encrypt | ${mbps(best.hybridSealMs)} MB/s | ${mbps(best.sealMs)} MB/s | ${mbps(best.webCryptoEncryptMs)} MB/s | ${(best.webCryptoEncryptMs / best.hybridSealMs).toFixed(2)}× |`,
      `| decrypt | ${mbps(best.hybridOpenMs)} MB/s | ${mbps(best.openMs)} MB/s | ${mbps(best.webCryptoDecryptMs)} MB/s | ${(best.webCryptoDecryptMs / best.hybridOpenMs).toFixed(2)}× |`,
    ].join('\n');
    writeSection('share-crypto', 'Share encryption in the browser', body);
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
