// Share links end to end, through the real UI against the real server binary:
// the sender shares a model through the dialog; recipients open the link (or
// the embed page inside an iframe on another origin) in fresh browser contexts
// with no shared state, and the model renders there. Also: passwords, view
// limits, deletion through the manage link, and what the network carries.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { canvasPixels, coverage, fixture, launchBrowser, loadFiles, openViewer, startServer } from './harness.mjs';

const MODEL = fixture('half_donut_ascii.stl');
const BACKGROUND = [0x60, 0x6a, 0x78];

// Opens the dialog, fills it in and waits for the link. Returns the dialog's fields.
async function share(page, { password = '', maxViews = '', allowDownload = false } = {}) {
  await page.click('#share');
  await page.fill('#share-password', password);
  await page.fill('#share-max-views', maxViews);
  if (allowDownload) await page.check('#share-allow-download');
  else await page.uncheck('#share-allow-download');
  await page.click('#share-create');
  await page.waitForSelector('#share-result:not([hidden])', { timeout: 60000 });
  const fields = {
    link: await page.inputValue('#share-link'),
    embed: await page.inputValue('#share-embed'),
    manage: await page.inputValue('#share-manage'),
    qr: await page.getAttribute('#share-qr', 'src'),
  };
  await page.click('#share-done');
  return fields;
}

// A fresh context: no cookies, storage or cache shared with the sender.
async function recipient(browser) {
  const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

async function waitForStatus(page) {
  await page.waitForFunction(() => document.body.dataset.shareStatus, null, { timeout: 30000 });
  return page.textContent('#share-status');
}

async function waitLoaded(page) {
  await page.waitForFunction(
    () => document.body.dataset.state === 'loaded' && Number(document.body.dataset.frames || 0) > 0,
    null,
    { timeout: 60000 },
  );
  await page.waitForTimeout(150);
}

describe('share links', () => {
  let server;
  let browser;
  let sender;
  let requests;
  let triangles;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser('webgpu');
    ({ page: sender } = await openViewer(browser, server.url, 'webgpu'));
    requests = [];
    // Worker requests (the upload, the downloads) are reported on the context.
    sender.context().on('request', (r) => requests.push(r));
    await loadFiles(sender, MODEL);
    triangles = await sender.getAttribute('#info-triangles', 'data-count');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a shared model opens in a fresh browser with the same triangles, and the original downloads', async () => {
    const { link, qr } = await share(sender, { allowDownload: true });
    assert.match(link, new RegExp(`^${server.url}/s/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}$`));
    assert.match(qr, /^blob:/, 'a QR code image is shown');
    const listed = await sender.textContent('#my-shares');
    assert.ok(listed.includes('half_donut_ascii.stl'), 'the share is listed under My shares');

    const { context, page, errors } = await recipient(browser);
    await page.goto(link);
    assert.match(await waitForStatus(page), /Shared model · .* encrypted · expires in (23 h|1 day)/);
    await page.click('#share-view');
    await waitLoaded(page);
    assert.equal(await page.getAttribute('#info-triangles', 'data-count'), triangles);
    const drawn = coverage(await canvasPixels(page), BACKGROUND);
    assert.ok(drawn.fraction > 0.05, `the model is drawn (${drawn.fraction})`);

    await page.waitForSelector('#share-download:not([hidden])');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#share-download')]);
    assert.equal(download.suggestedFilename(), 'half_donut_ascii.stl');
    const downloaded = fs.readFileSync(await download.path());
    assert.ok(downloaded.equals(fs.readFileSync(MODEL)), 'the original file comes back byte for byte');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('no request carries the link secret, and the upload is ciphertext', async () => {
    const { link } = await share(sender);
    const secret = link.split('#')[1];
    const plaintext = fs.readFileSync(MODEL);
    const uploads = requests.filter((r) => r.method() === 'POST' && r.url().includes('/api/shares'));
    assert.ok(uploads.length >= 1, 'the upload was seen');
    for (const request of requests) {
      assert.ok(!request.url().includes(secret), `URL without the secret: ${request.url()}`);
      const headers = await request.allHeaders();
      for (const [name, value] of Object.entries(headers)) assert.ok(!value.includes(secret), `header ${name}`);
      const body = request.postDataBuffer();
      if (body) assert.ok(!body.includes(secret), 'body without the secret');
    }
    // What the server stored: never a 64-byte window of the model.
    const blobs = fs.readdirSync(path.join(server.dataDir, 'blobs'));
    assert.ok(blobs.length >= 1);
    for (const name of blobs) {
      const stored = fs.readFileSync(path.join(server.dataDir, 'blobs', name));
      for (let at = 0; at + 64 <= plaintext.length; at += 61) {
        assert.equal(stored.indexOf(plaintext.subarray(at, at + 64)), -1, `plaintext window at ${at} in ${name}`);
      }
    }
  });

  test('a password is asked for, a wrong one is said plainly, the right one opens', async () => {
    const { link } = await share(sender, { password: 'correct horse battery staple' });
    const { context, page } = await recipient(browser);
    await page.goto(link);
    await waitForStatus(page);
    await page.click('#share-view');
    await page.waitForFunction(() => document.body.dataset.passwordPrompt === 'asked', null, { timeout: 60000 });
    await page.fill('#share-password', 'wrong horse');
    await page.click('#password-form button[type=submit]');
    await page.waitForFunction(() => document.body.dataset.passwordPrompt === 'wrong', null, { timeout: 60000 });
    assert.equal(await page.isVisible('#password-wrong'), true);
    assert.match(await page.textContent('#password-wrong'), /Wrong password/);
    await page.fill('#share-password', 'correct horse battery staple');
    await page.click('#password-form button[type=submit]');
    await waitLoaded(page);
    assert.equal(await page.getAttribute('#info-triangles', 'data-count'), triangles);
    await context.close();
  });

  test('the embed page renders inside an iframe on another origin', async () => {
    const { embed } = await share(sender);
    const src = embed.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&');
    // Another origin: a different port on another host name.
    const host = http.createServer((_, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<!doctype html><title>Someone's blog</title><h1>My part</h1>${embed}`);
    });
    await new Promise((resolve) => host.listen(0, '127.0.0.1', resolve));
    const origin = `http://localhost:${host.address().port}`;
    try {
      const { context, page } = await recipient(browser);
      await page.goto(origin);
      const frame = await (await page.waitForSelector('iframe')).contentFrame();
      assert.equal(new URL(frame.url()).pathname.startsWith('/e/'), true, src);
      await frame.waitForFunction(() => document.body.dataset.state === 'loaded', null, { timeout: 60000 });
      await page.waitForTimeout(200);
      const png = await page.locator('iframe').screenshot();
      const { decodePng } = await import('./png.mjs');
      const drawn = coverage(decodePng(png), BACKGROUND);
      assert.ok(drawn.fraction > 0.05, `the model is drawn in the iframe (${drawn.fraction})`);
      await context.close();
    } finally {
      host.close();
    }
  });

  test('after a delete through the manage link, the recipient sees "deleted"', async () => {
    const { link, manage } = await share(sender);
    const owner = await recipient(browser);
    await owner.page.goto(manage);
    await waitForStatus(owner.page);
    await owner.page.click('#share-delete');
    await owner.page.waitForFunction(() => document.body.dataset.shareStatus === 'gone');
    assert.match(await owner.page.textContent('#share-status'), /deleted/);
    await owner.context.close();

    const { context, page } = await recipient(browser);
    await page.goto(link);
    assert.match(await waitForStatus(page), /deleted by its owner/);
    assert.equal(await page.isVisible('#share-view'), false, 'nothing to view');
    await context.close();
  });

  test('a view limit of one lets one recipient in and tells the next why not', async () => {
    const { link } = await share(sender, { maxViews: '1' });
    const first = await recipient(browser);
    await first.page.goto(link);
    assert.match(await waitForStatus(first.page), /1 view left/);
    await first.page.click('#share-view');
    await waitLoaded(first.page);
    await first.context.close();

    const { context, page } = await recipient(browser);
    await page.goto(link);
    assert.match(await waitForStatus(page), /viewed as many times as its owner allowed/);
    await context.close();
  });

  test('a share changed on the server is refused as damaged, not shown', async () => {
    const { link } = await share(sender);
    const id = new URL(link).pathname.split('/')[2];
    const blob = path.join(server.dataDir, 'blobs', id);
    const stored = fs.readFileSync(blob);
    stored[stored.length - 40] ^= 0x01;
    fs.writeFileSync(blob, stored);
    const { context, page } = await recipient(browser);
    await page.goto(link);
    await waitForStatus(page);
    await page.click('#share-view');
    await page.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: 60000 });
    assert.match(await page.textContent('#error'), /damaged or incomplete/);
    assert.equal(await page.getAttribute('#info-triangles', 'data-count'), null, 'nothing was shown');
    await context.close();
  });

  test('a link without its key, and an unknown share, are explained', async () => {
    const { link } = await share(sender);
    const { context, page } = await recipient(browser);
    await page.goto(link.split('#')[0]);
    assert.match(await waitForStatus(page), /key after “#” is missing/);
    await page.goto(`${server.url}/s/AAAAAAAAAAAAAAAAAAAAAA#${'B'.repeat(43)}`);
    await page.reload();
    assert.match(await waitForStatus(page), /no share at this link/);
    await context.close();
  });

  test('WebCrypto and wasm AES-GCM make and open the same containers, and both catch tampering', async () => {
    const outcome = await sender.evaluate(async () => {
      const pkg = await import('/pkg/tools/tools_wasm.js');
      await pkg.default();
      const { openBody, sealChunks } = await import('/engine/share-cipher.js');
      const envelope = pkg.envelopeHead(JSON.stringify({ name: 'x.stl', media_type: 'model/stl', size: 200000 }));
      const file = new Uint8Array(200000).map((_, i) => (i * 7919) % 251);
      const plaintext = new Uint8Array([...envelope, ...file]);
      const cut = (chunkSize) => {
        const full = Math.floor((plaintext.length - 1) / chunkSize);
        const chunks = [];
        for (let i = 0; i < full; i += 1) chunks.push({ bytes: plaintext.subarray(i * chunkSize, (i + 1) * chunkSize), last: false });
        chunks.push({ bytes: plaintext.subarray(full * chunkSize), last: true });
        return chunks;
      };
      const join = async (parts) => new Uint8Array(await new Blob(parts).arrayBuffer());
      // Sealed by the wasm, opened by WebCrypto.
      const wasmSealer = new pkg.ShareSealer(undefined);
      const chunkSize = wasmSealer.chunkSize();
      const wasmParts = [wasmSealer.header()];
      for (const { bytes, last } of cut(chunkSize)) wasmParts.push(last ? wasmSealer.sealLast(bytes) : wasmSealer.sealChunk(bytes));
      const wasmContainer = await join(wasmParts);
      const open = async (container, fragment, how) => {
        const opener = new pkg.ShareOpener(container.subarray(0, pkg.maxHeaderLength()), fragment, undefined);
        const body = container.subarray(opener.headerLength());
        if (how === 'webcrypto') {
          const bytes = await openBody(opener.rawKey(), opener.headerBytes(), opener.chunkSize(), body, () => {});
          return pkg.openEnvelope(bytes).takeFile();
        }
        opener.update(body);
        return opener.finish().takeFile();
      };
      const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
      const results = {};
      results.wasmToWebCrypto = same(await open(wasmContainer, wasmSealer.fragment(), 'webcrypto'), file);
      // Sealed by WebCrypto, opened by the wasm.
      const sealer = new pkg.ShareSealer(undefined);
      const header = sealer.header();
      const webParts = await sealChunks(sealer.rawKey(), header, cut(chunkSize), () => {});
      const webContainer = await join([header, ...webParts]);
      results.sameLength = webContainer.length === wasmContainer.length;
      results.webCryptoToWasm = same(await open(webContainer, sealer.fragment(), 'wasm'), file);
      // Tampering, seen by the WebCrypto path: a flipped byte, and a container cut after a whole chunk.
      const errorName = async (container) => {
        try {
          await open(container, sealer.fragment(), 'webcrypto');
          return 'opened';
        } catch (e) {
          return e.name;
        }
      };
      const flipped = webContainer.slice();
      flipped[header.length + 70000] ^= 1;
      results.flipped = await errorName(flipped);
      results.truncated = await errorName(webContainer.subarray(0, header.length + chunkSize + 16));
      return results;
    });
    assert.deepEqual(outcome, {
      wasmToWebCrypto: true,
      sameLength: true,
      webCryptoToWasm: true,
      flipped: 'Damaged',
      truncated: 'Damaged',
    });
  });

  test('deleting from My shares removes the share from the server', async () => {
    const { link } = await share(sender);
    const id = new URL(link).pathname.split('/')[2];
    await sender.click(`#my-shares li[data-id="${id}"] .delete-share`);
    await sender.waitForFunction((i) => !document.querySelector(`#my-shares li[data-id="${i}"]`), id);
    const response = await fetch(`${server.url}/api/shares/${id}/meta`);
    assert.ok([404, 410].includes(response.status), `status ${response.status}`);
  });
});
