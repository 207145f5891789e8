// Converting in the browser through the real UI: a textured GLB (metres, Y up)
// to binary STL in millimetres, Z up. The report says the texture was dropped and
// the units and axis applied; the downloaded file is checked byte by byte here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fixture, launchBrowser, loadFiles, openViewer, startServer } from './harness.mjs';

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
});
