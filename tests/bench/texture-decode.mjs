// Texture decoding: the browser's decoders (createImageBitmap → 2D canvas →
// getImageData, what web/engine/worker.js does) on a 2048² PNG and JPEG made in the
// same browser. Writes the files and the timings to the folder given as the
// first argument, where the Rust side of the comparison
// (studio-model/tests/texture_decode_timing.rs) decodes the same bytes.
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser, startServer } from '../browser/harness.mjs';

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: node bench/texture-decode.mjs OUT_DIR');
fs.mkdirSync(outDir, { recursive: true });

const server = await startServer();
const browser = await launchBrowser('webgl2');
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  const results = await page.evaluate(async () => {
    const side = 2048;
    // A smooth pattern with fine noise: compresses like a photo-ish texture, not like flat colour.
    const canvas = new OffscreenCanvas(side, side);
    const context = canvas.getContext('2d');
    const image = context.createImageData(side, side);
    let seed = 1;
    for (let i = 0; i < side * side; i += 1) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const x = i % side;
      const y = Math.floor(i / side);
      const noise = (seed >> 16) & 15;
      image.data[i * 4] = (128 + 100 * Math.sin(x / 97) + noise) & 255;
      image.data[i * 4 + 1] = (128 + 100 * Math.cos(y / 61) + noise) & 255;
      image.data[i * 4 + 2] = ((x ^ y) & 255) >> 1;
      image.data[i * 4 + 3] = 255;
    }
    context.putImageData(image, 0, 0);
    const out = {};
    for (const [name, type] of [['png', 'image/png'], ['jpeg', 'image/jpeg']]) {
      const blob = await canvas.convertToBlob({ type, quality: 0.9 });
      const times = [];
      for (let run = 0; run < 5; run += 1) {
        const start = performance.now();
        const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
        const target = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d', { willReadFrequently: true });
        target.drawImage(bitmap, 0, 0);
        const pixels = target.getImageData(0, 0, bitmap.width, bitmap.height).data;
        times.push(performance.now() - start);
        if (pixels.length !== side * side * 4) throw new Error('wrong decoded size');
      }
      times.sort((a, b) => a - b);
      const bytes = new Uint8Array(await blob.arrayBuffer());
      out[name] = { medianMs: times[2], bytes: Array.from(bytes) };
    }
    return out;
  });
  const summary = {};
  for (const [name, { medianMs, bytes }] of Object.entries(results)) {
    fs.writeFileSync(path.join(outDir, `texture.${name === 'png' ? 'png' : 'jpg'}`), Buffer.from(bytes));
    summary[name] = { browserMedianMs: medianMs, fileBytes: bytes.length };
    console.log(`browser decode ${name.padEnd(4)} 2048²: ${medianMs.toFixed(1)} ms (file ${(bytes.length / 1e6).toFixed(2)} MB)`);
  }
  fs.writeFileSync(path.join(outDir, 'browser.json'), JSON.stringify(summary, null, 2));
} finally {
  await browser.close();
  await server.stop();
}
