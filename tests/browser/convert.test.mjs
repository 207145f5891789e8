// Converting in the browser through the real UI: a textured GLB (metres, Y up)
// to binary STL in millimetres, Z up. The report says the texture was dropped and
// the units and axis applied; the downloaded file is checked byte by byte here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canvasPixels, coverage, fixture, launchBrowser, loadFiles, openViewer, repoRoot, startServer } from './harness.mjs';
import { heightFieldStl } from './models.mjs';

const BACKGROUND = [0x60, 0x6a, 0x78];
const PYRAMIDS_3MF = path.join(repoRoot, 'studio-model/tests/fixtures/3mf/trimesh/pyramids.3mf');

// Triangle count and bounding box of a binary STL.
function readBinaryStl(bytes) {
  const count = bytes.readUInt32LE(80);
  assert.equal(bytes.length, 84 + count * 50, 'length matches the triangle count');
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let t = 0; t < count; t += 1) {
    for (let v = 0; v < 3; v += 1) {
      for (let k = 0; k < 3; k += 1) {
        const c = bytes.readFloatLE(84 + t * 50 + 12 + v * 12 + k * 4);
        min[k] = Math.min(min[k], c);
        max[k] = Math.max(max[k], c);
      }
    }
  }
  return { count, min, max };
}

describe('convert in the browser', () => {
  let server;
  let browser;
  let page;
  let requests;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser('webgpu');
    ({ page, requests } = await openViewer(browser, server.url, 'webgpu'));
    await loadFiles(page, fixture('textured_cube.glb'));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const openDialog = async () => {
    if (await page.evaluate(() => document.getElementById('convert-dialog').open)) await page.keyboard.press('Escape');
    await page.click('#convert');
    await page.waitForSelector('#convert-form:not([hidden])');
  };
  const run = async () => {
    await page.click('#convert-run');
    await page.waitForSelector('#convert-result:not([hidden])', { timeout: 120000 });
  };

  // The bytes of the open model's arrays handed over by the viewer to the STL conversion.
  let handedOverToStl = 0;

  test('textured GLB → binary STL in millimetres, Z up, with a report', async () => {
    const before = requests.length;
    await page.click('#convert');
    await page.selectOption('#convert-format', 'stl-binary');
    await page.selectOption('#convert-units', 'mm');
    await page.selectOption('#convert-up', 'z');
    await page.click('#convert-run');
    await page.waitForSelector('#convert-result:not([hidden])', { timeout: 60000 });
    assert.match(await page.textContent('#convert-counts'), /^12 triangles in, 12 out\./);
    assert.match(await page.textContent('#convert-dropped'), /textures/i);
    const applied = await page.textContent('#convert-applied');
    assert.match(applied, /from m to mm/);
    assert.match(applied, /Y-up to Z-up/);
    handedOverToStl = JSON.parse(await page.getAttribute('#convert-result', 'data-timings')).handedOverBytes;

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.convert-download')]);
    assert.equal(download.suggestedFilename(), 'textured_cube.stl');
    const stl = readBinaryStl(fs.readFileSync(await download.path()));
    assert.equal(stl.count, 12);
    // The 2 m cube centred on the origin is a 2000 mm one.
    for (let k = 0; k < 3; k += 1) {
      assert.ok(Math.abs(stl.min[k] + 1000) < 1e-3 && Math.abs(stl.max[k] - 1000) < 1e-3, `axis ${k}: ${stl.min[k]}..${stl.max[k]}`);
    }
    // Only the tools build was fetched: converting uploads nothing.
    const fetched = requests.slice(before).map((url) => new URL(url).pathname);
    assert.ok(fetched.every((p) => !p.startsWith('/api/')), `no API call: ${fetched}`);
  });

  test('the open model is handed over, not read again, and keeps its texture: textured GLB → GLB', async () => {
    await openDialog();
    await page.selectOption('#convert-format', 'glb');
    await run();
    const timings = JSON.parse(await page.getAttribute('#convert-result', 'data-timings'));
    assert.equal(timings.source, 'viewer');
    assert.match(await page.textContent('#convert-counts'), /^12 triangles in, 12 out\./);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.convert-download')]);
    const glb = fs.readFileSync(await download.path());
    assert.equal(glb.toString('latin1', 0, 4), 'glTF');
    const jsonLength = glb.readUInt32LE(12);
    const gltf = JSON.parse(glb.toString('utf8', 20, 20 + jsonLength));
    // The texture's original PNG travels with the model the viewer handed over.
    assert.equal(gltf.images?.length, 1, JSON.stringify(gltf.images));
    const view = gltf.bufferViews[gltf.images[0].bufferView];
    const bin = 20 + jsonLength + 8;
    const png = glb.subarray(bin + (view.byteOffset ?? 0), bin + (view.byteOffset ?? 0) + view.byteLength);
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.equal(gltf.materials[0].pbrMetallicRoughness.baseColorTexture.index, 0);
    // STL never reads vertex normals, so the viewer left them behind for it: 12 bytes a vertex.
    const normals = gltf.accessors[gltf.meshes[0].primitives[0].attributes.NORMAL];
    assert.ok(handedOverToStl > 0);
    assert.equal(timings.handedOverBytes - handedOverToStl, normals.count * 12);
    await page.click('#convert-done');
  });

  test('a conversion shows its progress and can be cancelled; the next one completes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convert-cancel-'));
    const big = path.join(dir, 'field.stl');
    fs.writeFileSync(big, heightFieldStl(600)); // 720,000 triangles, 36 MB
    try {
      await loadFiles(page, big, { timeout: 120000 });
      await openDialog();
      // ASCII PLY with welding: seconds of work in the wasm, time enough to cancel.
      await page.selectOption('#convert-format', 'ply-ascii');
      await page.check('#convert-weld');
      await page.click('#convert-run');
      await page.waitForSelector('#convert-running:not([hidden])');
      await page.waitForFunction(() => document.getElementById('convert-progress').value > 0, null, { timeout: 60000 });
      await page.click('#convert-cancel');
      await page.waitForSelector('#convert-error:not([hidden])');
      assert.equal(await page.textContent('#convert-error'), 'Conversion cancelled.');
      assert.ok(await page.isHidden('#convert-running'));
      assert.ok(await page.isHidden('#convert-result'), 'no result from the cancelled conversion');

      await page.selectOption('#convert-format', 'stl-binary');
      await page.uncheck('#convert-weld');
      await run();
      assert.match(await page.textContent('#convert-counts'), /^720,000 triangles in, 720,000 out\./);
      assert.ok(await page.isHidden('#convert-error'));
      await page.click('#convert-done');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a 3MF opens (read by the tools build) and one of its parts converts to .gltf + .bin', async () => {
    await loadFiles(page, PYRAMIDS_3MF);
    assert.equal(await page.textContent('#info-format'), '3MF');
    assert.equal(await page.textContent('#info-triangles'), '3,276');
    // Shown as the Z-up, millimetre model it is.
    assert.equal(await page.inputValue('#up'), 'z');
    const drawn = coverage(await canvasPixels(page), BACKGROUND);
    assert.ok(drawn.fraction > 0.05, `model drawn: ${drawn.fraction}`);
    await openDialog();
    const parts = await page.$$eval('#convert-parts input', (boxes) => boxes.map((b) => b.checked));
    assert.ok(parts.length > 1 && parts.every(Boolean), `all ${parts.length} parts ticked`);
    // Nothing chosen is refused with a message; then only the first part.
    await page.click('#convert-parts-none');
    await page.click('#convert-run');
    assert.equal(await page.textContent('#convert-error'), 'Choose at least one part to write.');
    await page.check('#convert-parts li:first-child input');
    await page.selectOption('#convert-format', 'gltf-separate');
    await page.check('#convert-keep-hierarchy');
    await run();
    // The viewer shows a 3MF from a copy the tools made: the job reads the file itself.
    assert.equal(JSON.parse(await page.getAttribute('#convert-result', 'data-timings')).source, 'file');
    assert.match(await page.textContent('#convert-applied'), /Node hierarchy and transforms kept/);
    assert.match(await page.textContent('#convert-counts'), /^3,276 triangles in, 20 out\./);
    assert.match(await page.textContent('#convert-applied'), new RegExp(`1 of ${parts.length} parts written`));
    // 3MF millimetres → glTF metres.
    assert.match(await page.textContent('#convert-applied'), /from mm to m/);
    const names = await page.$$eval('.convert-download', (buttons) => buttons.map((b) => b.dataset.fileName));
    assert.deepEqual(names, ['pyramids.gltf', 'pyramids.bin']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.convert-download >> nth=0')]);
    const gltf = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    assert.equal(gltf.buffers[0].uri, 'pyramids.bin');
    const triangles = gltf.meshes.flatMap((m) => m.primitives).reduce((n, p) => n + gltf.accessors[p.indices].count / 3, 0);
    assert.equal(triangles, 20);
    await page.click('#convert-done');
  });
});
