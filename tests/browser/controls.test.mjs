// Camera controls, display options, screenshot, resizing, progress and cancel,
// through the real UI on the default backend (WebGPU where available).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { canvasPixels, fixture, launchBrowser, loadFiles, openViewer, startServer } from './harness.mjs';
import { decodePng } from './png.mjs';
import { heightFieldStl } from './models.mjs';

// Fraction of pixels whose colour differs by more than 30 (sum of channels).
function difference(a, b) {
  assert.equal(a.pixels.length, b.pixels.length, 'same size');
  let changed = 0;
  for (let i = 0; i < a.pixels.length; i += 4) {
    const d = Math.abs(a.pixels[i] - b.pixels[i]) + Math.abs(a.pixels[i + 1] - b.pixels[i + 1]) + Math.abs(a.pixels[i + 2] - b.pixels[i + 2]);
    if (d > 30) changed += 1;
  }
  return changed / (a.pixels.length / 4);
}

async function nextFrame(page, action) {
  const before = Number(await page.evaluate(() => document.body.dataset.frames || 0));
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.frames || 0) > n, before, { timeout: 30000 });
  await page.waitForTimeout(50);
  return canvasPixels(page);
}

describe('viewer controls', () => {
  let server;
  let browser;
  let page;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser('webgpu');
    ({ page } = await openViewer(browser, server.url, 'webgpu'));
    await loadFiles(page, fixture('half_donut_ascii.stl'));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('dragging orbits the model and Home restores the fitted view', async () => {
    const fitted = await canvasPixels(page);
    const box = await page.locator('#view').boundingBox();
    const orbited = await nextFrame(page, async () => {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 150, box.y + box.height / 2 + 40, { steps: 5 });
      await page.mouse.up();
    });
    assert.ok(difference(fitted, orbited) > 0.02, 'the view changed after a drag');
    const home = await nextFrame(page, () => page.click('#home'));
    assert.ok(difference(fitted, home) < 0.002, 'Home gives back the fitted view');
  });

  test('wheel zooms, keyboard orbits', async () => {
    const start = await canvasPixels(page);
    const box = await page.locator('#view').boundingBox();
    const zoomed = await nextFrame(page, async () => {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -400);
    });
    assert.ok(difference(start, zoomed) > 0.02, 'zoom changed the view');
    await page.focus('#stage');
    const turned = await nextFrame(page, () => page.keyboard.press('ArrowLeft'));
    assert.ok(difference(zoomed, turned) > 0.01, 'arrow key orbited');
    await nextFrame(page, () => page.keyboard.press('h'));
  });

  test('projection, shading, edges, grid and background change the picture', async () => {
    let previous = await canvasPixels(page);
    for (const [selector, action] of [
      ['#projection', () => page.selectOption('#projection', 'orthographic')],
      ['#shading', () => page.selectOption('#shading', 'flat')],
      ['#wireframe', () => page.check('#wireframe')],
      ['#grid', () => page.uncheck('#grid')],
      ['#background', () => page.fill('#background', '#ffffff')],
      ['#up', () => page.selectOption('#up', 'y')],
    ]) {
      const next = await nextFrame(page, action);
      assert.ok(difference(previous, next) > 0.0005, `${selector} changed the picture`);
      previous = next;
    }
    const corner = previous.pixels.slice(0, 3);
    assert.deepEqual([...corner], [255, 255, 255], 'background is the chosen colour');
  });

  test('PNG screenshot downloads the current view', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#screenshot')]);
    assert.match(download.suggestedFilename(), /^half_donut_ascii\.png$/);
    const chunks = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk);
    const image = decodePng(Buffer.concat(chunks));
    const size = await page.evaluate(() => {
      const c = document.querySelector('#view');
      const r = c.getBoundingClientRect();
      return [Math.round(r.width * devicePixelRatio), Math.round(r.height * devicePixelRatio)];
    });
    assert.deepEqual([image.width, image.height], size);
    let distinct = new Set();
    for (let i = 0; i < image.pixels.length; i += 4 * 97) distinct.add(image.pixels.slice(i, i + 3).join());
    assert.ok(distinct.size > 5, 'the PNG holds a rendered picture, not a blank canvas');
  });

  test('the canvas follows the window size and devicePixelRatio', async () => {
    // Both sizes are above the 700 px breakpoint where the info panel moves below the view.
    const context = await browser.newContext({ viewport: { width: 800, height: 560 }, deviceScaleFactor: 2 });
    const hiDpi = await context.newPage();
    await hiDpi.goto(server.url);
    await hiDpi.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60000 });
    await loadFiles(hiDpi, fixture('cube_binary.stl'));
    const shot = await canvasPixels(hiDpi);
    const box = await hiDpi.locator('#view').boundingBox();
    assert.equal(shot.width, Math.round(box.width * 2), 'screenshot at DPR 2');
    await hiDpi.setViewportSize({ width: 1100, height: 760 });
    await hiDpi.waitForFunction(() => Number(document.body.dataset.frames) > 0);
    await hiDpi.waitForTimeout(300);
    const bigger = await hiDpi.locator('#view').boundingBox();
    assert.ok(bigger.width > box.width, 'canvas grew with the window');
    const resized = await canvasPixels(hiDpi);
    // The model is still centred: the middle pixel is not background.
    const mid = ((resized.height >> 1) * resized.width + (resized.width >> 1)) * 4;
    const centre = [...resized.pixels.slice(mid, mid + 3)];
    assert.notDeepEqual(centre, [0x60, 0x6a, 0x78]);
    await context.close();
  });

  test('touch: one finger orbits, two fingers pinch-zoom', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 640 }, hasTouch: true, isMobile: false });
    const touch = await context.newPage();
    await touch.goto(server.url);
    await touch.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60000 });
    await loadFiles(touch, fixture('cube_binary.stl'));
    const cdp = await context.newCDPSession(touch);
    const box = await touch.locator('#view').boundingBox();
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    const gesture = async (frames) => {
      for (const [type, points] of frames) {
        await cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map(([x, y], id) => ({ x, y, id })) });
      }
    };
    const start = await canvasPixels(touch);
    const orbited = await nextFrame(touch, () =>
      gesture([
        ['touchStart', [[cx, cy]]],
        ['touchMove', [[cx + 60, cy]]],
        ['touchMove', [[cx + 120, cy + 10]]],
        ['touchEnd', []],
      ]),
    );
    assert.ok(difference(start, orbited) > 0.02, 'one-finger drag orbited');
    const pinched = await nextFrame(touch, () =>
      gesture([
        ['touchStart', [[cx - 20, cy], [cx + 20, cy]]],
        ['touchMove', [[cx - 80, cy], [cx + 80, cy]]],
        ['touchMove', [[cx - 140, cy], [cx + 140, cy]]],
        ['touchEnd', []],
      ]),
    );
    assert.ok(difference(orbited, pinched) > 0.02, 'pinch zoomed');
    await context.close();
  });

  test('dropping a file on the view loads it', async () => {
    const bytes = [...fs.readFileSync(fixture('cube_binary.stl'))];
    const before = Number(await page.evaluate(() => document.body.dataset.frames || 0));
    await page.evaluate((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], 'dropped_cube.stl', { type: 'model/stl' }));
      const stage = document.getElementById('stage');
      stage.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      stage.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, bytes);
    await page.waitForFunction(() => document.querySelector('#info-file').textContent === 'dropped_cube.stl', null, { timeout: 30000 });
    await page.waitForFunction((n) => Number(document.body.dataset.frames || 0) > n, before, { timeout: 30000 });
    assert.equal(await page.textContent('#info-triangles'), '12');
    // Back to the model the later tests expect.
    await loadFiles(page, fixture('half_donut_ascii.stl'));
  });

  test('a lost GPU device is recreated and the model drawn again', async () => {
    const recovery = await browser.newPage({ viewport: { width: 900, height: 640 } });
    await recovery.goto(`${server.url}/?test-hooks`);
    await recovery.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60000 });
    await loadFiles(recovery, fixture('cube_binary.stl'));
    const before = await canvasPixels(recovery);
    const framesBefore = Number(await recovery.evaluate(() => document.body.dataset.frames));
    await recovery.evaluate(() => window.__sendToEngine({ type: 'simulateDeviceLoss' }));
    await recovery.waitForFunction((n) => Number(document.body.dataset.frames) > n, framesBefore, { timeout: 30000 });
    // Another frame after the recovery one, to be sure the new device presents.
    const after = await nextFrame(recovery, () => recovery.click('#home'));
    assert.ok(difference(before, after) < 0.002, 'the same picture after recovery');
    assert.equal(await recovery.evaluate(() => document.body.dataset.state), 'loaded');
    await recovery.close();
  });

  test('progress shows bytes and percent, and Cancel keeps the previous model', async () => {
    const body = heightFieldStl(300);
    const origin = http.createServer(async (req, res) => {
      res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Length': body.length });
      // Trickle the body so the download is still running when the test looks.
      for (let at = 0; at < body.length && !res.destroyed; at += 64 * 1024) {
        res.write(body.subarray(at, at + 64 * 1024));
        await new Promise((r) => setTimeout(r, 100));
      }
      res.end();
    });
    await new Promise((r) => origin.listen(0, '127.0.0.1', r));
    try {
      await page.fill('#url-input', `http://127.0.0.1:${origin.address().port}/slow.stl`);
      await page.click('#url-form button');
      await page.waitForFunction(() => /\(\d+%\)/.test(document.querySelector('#progress-figures').textContent), null, { timeout: 30000 });
      assert.match(await page.textContent('#progress-figures'), /KB|MB/);
      await page.click('#cancel');
      await page.waitForFunction(() => document.body.dataset.state === 'loaded', null, { timeout: 60000 });
      assert.equal(await page.textContent('#info-file'), 'half_donut_ascii.stl');
      assert.equal(await page.isVisible('#progress'), false);
    } finally {
      origin.close();
      origin.closeAllConnections?.();
    }
  });
});
