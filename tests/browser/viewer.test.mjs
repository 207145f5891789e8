// The viewer foundation, through the real UI in headless Chromium against the
// real server binary, once on WebGPU and once on WebGL2.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { canvasPixels, coverage, fixture, launchBrowser, loadFiles, openViewer, pixelAt, repoRoot, startServer } from './harness.mjs';
import { heightFieldStl, lyingStl } from './models.mjs';

// The toolbar's default background, #606a78; the renderer round-trips it through linear space.
const BACKGROUND = [0x60, 0x6a, 0x78];

function assertBackgroundCorner(image) {
  const corner = pixelAt(image, 4, 4);
  for (let k = 0; k < 3; k += 1) {
    // ±3: 8-bit sRGB → linear float → 8-bit sRGB rounding on both backends.
    assert.ok(Math.abs(corner[k] - BACKGROUND[k]) <= 3, `corner pixel ${corner} should be the background ${BACKGROUND}`);
  }
}

for (const backend of ['webgpu', 'webgl2']) {
  describe(`viewer on ${backend}`, () => {
    let server;
    let browser;
    let page;
    let errors;
    let requests;

    before(async () => {
      server = await startServer();
      browser = await launchBrowser(backend);
      ({ page, errors, requests } = await openViewer(browser, server.url, backend));
    });

    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    test('starts on the requested backend', async () => {
      const name = await page.evaluate(() => document.body.dataset.backend);
      assert.equal(name, backend === 'webgpu' ? 'WebGPU' : 'WebGL2');
    });

    test('loads the engine build for its backend, from our own origin only', () => {
      const engine = requests.filter((u) => u.includes('/pkg/'));
      const expected = backend === 'webgpu' ? '/pkg/webgpu/' : '/pkg/webgl/';
      assert.ok(engine.length >= 2 && engine.every((u) => u.includes(expected)), `engine requests: ${engine}`);
      const foreign = requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('data:') && !u.startsWith('blob:'));
      assert.deepEqual(foreign, [], 'nothing is requested from another origin');
    });

    test('binary STL: drawn, greyish, 12 triangles', async () => {
      await loadFiles(page, fixture('cube_binary.stl'));
      assert.equal(await page.textContent('#info-triangles'), '12');
      assert.equal(await page.textContent('#info-format'), 'STL (binary)');
      const image = await canvasPixels(page);
      assertBackgroundCorner(image);
      const { fraction, mean } = coverage(image, BACKGROUND);
      // A fitted cube covers roughly a fifth of a 900×600 view; 5–60% leaves room for
      // both projections and DPR, but fails when nothing (or only a speck) is drawn.
      assert.ok(fraction > 0.05 && fraction < 0.6, `cube coverage ${fraction}`);
      const spread = Math.max(...mean) - Math.min(...mean);
      assert.ok(spread < 40, `an untextured STL is shaded grey, mean ${mean}`);
      const centre = pixelAt(image, image.width / 2, image.height / 2);
      assert.ok(Math.abs(centre[0] - BACKGROUND[0]) + Math.abs(centre[2] - BACKGROUND[2]) > 24, `centre ${centre} shows the model`);
    });

    test('ASCII STL: drawn, 288 triangles', async () => {
      await loadFiles(page, fixture('half_donut_ascii.stl'));
      assert.equal(await page.textContent('#info-triangles'), '288');
      assert.equal(await page.textContent('#info-format'), 'STL (ASCII)');
      const { fraction } = coverage(await canvasPixels(page), BACKGROUND);
      assert.ok(fraction > 0.03, `half donut coverage ${fraction}`);
    });

    test('textured GLB: orange texture is drawn', async () => {
      await loadFiles(page, fixture('textured_cube.glb'));
      assert.equal(await page.textContent('#info-triangles'), '12');
      const image = await canvasPixels(page);
      const { fraction, mean } = coverage(image, BACKGROUND);
      assert.ok(fraction > 0.05, `textured cube coverage ${fraction}`);
      // The texture is (255, 128, 0); lighting scales it, so check the hue, not the value.
      assert.ok(mean[0] > 120 && mean[0] > mean[1] * 1.4 && mean[1] > mean[2] + 20, `mean colour ${mean} is orange`);
    });

    test('a .gltf selected together with its .bin loads; without it the message says what is missing', async () => {
      const box = (f) => `${repoRoot}/studio-model/tests/fixtures/gltf/khronos/Box/glTF/${f}`;
      await loadFiles(page, [box('Box.gltf'), box('Box0.bin')]);
      assert.equal(await page.textContent('#info-triangles'), '12');
      assert.equal(await page.textContent('#info-format'), 'glTF (JSON)');
      await loadFiles(page, box('Box.gltf'), { expect: 'error' });
      assert.match(await page.textContent('#error'), /Box0\.bin.*not provided/);
    });

    test('a broken file shows an error and the next good file loads', async () => {
      await loadFiles(page, { name: 'broken.glb', mimeType: 'model/gltf-binary', buffer: Buffer.from('glTF\x02\x00\x00\x00garbage') }, { expect: 'error' });
      const message = await page.textContent('#error');
      assert.match(message, /glb|glTF|truncated|malformed/i);
      assert.equal(await page.isVisible('#error'), true);
      await loadFiles(page, fixture('cube_binary.stl'));
      assert.equal(await page.isVisible('#error'), false);
      assert.equal(await page.textContent('#info-triangles'), '12');
    });

    test('an STL header claiming a billion triangles is refused without reserving memory', async () => {
      await loadFiles(page, { name: 'liar.stl', mimeType: 'model/stl', buffer: lyingStl() }, { expect: 'error' });
      assert.match(await page.textContent('#error'), /truncated.*1000000000 triangles/i);
      await loadFiles(page, fixture('half_donut_ascii.stl'));
      assert.equal(await page.textContent('#info-triangles'), '288');
    });

    test('the page stays responsive while a large model loads from a URL', async () => {
      const cells = 400; // 320,000 triangles, 16 MB
      const body = heightFieldStl(cells);
      const origin = http.createServer((req, res) => {
        res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'model/stl', 'Content-Length': body.length });
        res.end(body);
      });
      await new Promise((r) => origin.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${origin.address().port}/field.stl`;
        await page.evaluate(() => {
          window.__gaps = [];
          let last = performance.now();
          window.__ticker = setInterval(() => {
            const now = performance.now();
            window.__gaps.push(now - last);
            last = now;
          }, 10);
        });
        const before = Number(await page.evaluate(() => document.body.dataset.frames || 0));
        await page.fill('#url-input', url);
        await page.click('#url-form button');
        await page.waitForFunction(() => ['loaded', 'error'].includes(document.body.dataset.state) && document.querySelector('#info-file').textContent === 'field.stl' || document.body.dataset.state === 'error', null, { timeout: 120000 });
        await page.waitForFunction((n) => Number(document.body.dataset.frames || 0) > n, before, { timeout: 120000 });
        const gaps = await page.evaluate(() => {
          clearInterval(window.__ticker);
          return window.__gaps;
        });
        assert.equal(await page.evaluate(() => document.body.dataset.state), 'loaded', await page.textContent('#error'));
        assert.equal(await page.textContent('#info-triangles'), (cells * cells * 2).toLocaleString('en-US'));
        const worst = Math.max(...gaps);
        assert.ok(gaps.length > 5, 'the timer kept firing');
        // The parse and upload take seconds in software rendering; the main thread must not stall with them.
        assert.ok(worst < 500, `longest gap between 10 ms timer ticks was ${worst.toFixed(0)} ms`);
      } finally {
        origin.close();
      }
    });

    test('a URL the other site does not share (no CORS) is explained', async () => {
      const origin = http.createServer((req, res) => {
        res.writeHead(200, { 'Content-Type': 'model/stl' });
        res.end(Buffer.alloc(10));
      });
      await new Promise((r) => origin.listen(0, '127.0.0.1', r));
      try {
        await page.fill('#url-input', `http://127.0.0.1:${origin.address().port}/private.stl`);
        await page.click('#url-form button');
        await page.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: 30000 });
        assert.match(await page.textContent('#error'), /CORS/);
      } finally {
        origin.close();
      }
    });

    test('no uncaught errors in the page', () => {
      const unexpected = errors.filter((e) => !/CORS|Failed to fetch|ERR_FAILED|Access-Control/i.test(e));
      assert.deepEqual(unexpected, []);
    });
  });
}
