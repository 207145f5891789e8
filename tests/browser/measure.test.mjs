// Measuring through the real UI: a 20 mm cube (generated here), the Distance
// tool, clicks on the canvas at pixel positions computed in this test from the
// camera's documented framing (independently of the engine's own projection),
// snapping to the exact corners, and the list showing the distances.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { canvasPixels, launchBrowser, loadFiles, openViewer, repoRoot, startServer } from './harness.mjs';

const SIZE_MM = 20;

// A closed cube [0, 20]³ as a binary STL (12 triangles, outward winding);
// without its top face (`open`), a box with a square hole.
function cubeStl({ open = false } = {}) {
  const s = SIZE_MM;
  const v = (x, y, z) => [x * s, y * s, z * s];
  const quads = [
    [v(0, 0, 0), v(0, 1, 0), v(1, 1, 0), v(1, 0, 0)], // bottom (−z)
    [v(0, 0, 1), v(1, 0, 1), v(1, 1, 1), v(0, 1, 1)], // top (+z)
    [v(0, 0, 0), v(1, 0, 0), v(1, 0, 1), v(0, 0, 1)], // front (−y)
    [v(0, 1, 0), v(0, 1, 1), v(1, 1, 1), v(1, 1, 0)], // back (+y)
    [v(0, 0, 0), v(0, 0, 1), v(0, 1, 1), v(0, 1, 0)], // left (−x)
    [v(1, 0, 0), v(1, 1, 0), v(1, 1, 1), v(1, 0, 1)], // right (+x)
  ];
  const triangles = quads.filter((_, i) => !(open && i === 1)).flatMap(([a, b, c, d]) => [[a, b, c], [a, c, d]]);
  const buffer = Buffer.alloc(84 + triangles.length * 50);
  buffer.writeUInt32LE(triangles.length, 80);
  triangles.forEach((tri, t) => tri.flat().forEach((c, k) => buffer.writeFloatLE(c, 84 + t * 50 + 12 + k * 4)));
  return buffer;
}

// Where a model point appears after Home, in CSS pixels of a `width × height`
// canvas: the camera of studio-render/src/camera.rs (fit: centre of the bounds,
// 45° vertical field of view, yaw 45°, pitch 0.5 rad, distance radius / sin 22.5° × 1.5),
// looking at the Z-up STL turned into its Y-up view world: (x, y, z) → (x, z, −y).
function projectAfterHome([x, y, z], width, height) {
  const toView = ([px, py, pz]) => [px, pz, -py];
  const lo = toView([0, 0, 0]);
  const hi = toView([SIZE_MM, SIZE_MM, SIZE_MM]);
  const target = lo.map((c, k) => (c + hi[k]) / 2);
  const radius = Math.hypot(...lo.map((c, k) => hi[k] - c)) / 2;
  const fov = Math.PI / 4;
  const distance = (radius / Math.sin(fov / 2)) * 1.5;
  const [yaw, pitch] = [Math.PI / 4, 0.5];
  const eye = [Math.cos(pitch) * Math.sin(yaw), Math.sin(pitch), Math.cos(pitch) * Math.cos(yaw)].map((d, k) => target[k] + d * distance);
  const sub = (a, b) => a.map((c, k) => c - b[k]);
  const dot = (a, b) => a.reduce((s, c, k) => s + c * b[k], 0);
  const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const unit = (a) => a.map((c) => c / Math.hypot(...a));
  const forward = unit(sub(target, eye));
  const side = unit(cross(forward, [0, 1, 0]));
  const up = cross(side, forward);
  const rel = sub(toView([x, y, z]), eye);
  const depth = dot(rel, forward);
  const ndcX = dot(rel, side) / (depth * Math.tan(fov / 2) * (width / height));
  const ndcY = dot(rel, up) / (depth * Math.tan(fov / 2));
  return [((ndcX + 1) / 2) * width, ((1 - ndcY) / 2) * height];
}

describe('measuring distances', () => {
  let server;
  let browser;
  let page;
  let errors;
  let dir;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'measure-'));
    fs.writeFileSync(path.join(dir, 'cube20.stl'), cubeStl());
    fs.writeFileSync(path.join(dir, 'open-box.stl'), cubeStl({ open: true }));
    server = await startServer();
    browser = await launchBrowser('webgl2');
    ({ page, errors } = await openViewer(browser, server.url, 'webgl2'));
    await loadFiles(page, path.join(dir, 'cube20.stl'));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Clicks near a model corner: 3 px off, so the snap is what makes it exact.
  async function clickCorner(corner) {
    const box = await page.locator('#view').boundingBox();
    const [x, y] = projectAfterHome(corner, box.width, box.height);
    await page.mouse.click(box.x + x + 2, box.y + y - 2);
  }

  test('two clicks on corners give the exact distance, with Δx, Δy, Δz', async () => {
    assert.equal(await page.inputValue('#units'), 'mm', 'STL defaults to millimetres');
    await page.click('#measure-distance');
    assert.equal(await page.getAttribute('#measure-distance', 'aria-pressed'), 'true');
    // Hovering near a corner shows what a click would pick: that vertex.
    const box = await page.locator('#view').boundingBox();
    const [hx, hy] = projectAfterHome([SIZE_MM, 0, SIZE_MM], box.width, box.height);
    await page.mouse.move(box.x + hx + 3, box.y + hy + 3);
    await page.waitForFunction(() => document.body.dataset.hoverSnap === 'vertex');
    // The front top edge: (20, 0, 20) → (0, 0, 20).
    await clickCorner([SIZE_MM, 0, SIZE_MM]);
    await page.waitForFunction(() => /Point 1 \(vertex\)/.test(document.getElementById('measure-hint').textContent));
    await clickCorner([0, 0, SIZE_MM]);
    await page.waitForSelector('#measurements li');
    assert.equal(await page.textContent('#measurements li .m-value'), '20 mm');
    assert.equal(await page.textContent('#measurements li .m-delta'), 'Δx 20 mm · Δy 0 mm · Δz 0 mm');
    // A face diagonal: (20, 0, 20) → (0, 0, 0).
    await clickCorner([SIZE_MM, 0, SIZE_MM]);
    await clickCorner([0, 0, 0]);
    await page.waitForSelector('#measurements li:nth-child(2)');
    assert.equal(await page.textContent('#measurements li:nth-child(2) .m-value'), '28.2843 mm');
    // Labels float over the canvas at the measurements' midpoints.
    await page.waitForFunction(() => [...document.querySelectorAll('.measure-label')].filter((l) => !l.hidden).length === 2);
    const label = await page.locator('.measure-label').first().boundingBox();
    const [mx, my] = projectAfterHome([SIZE_MM / 2, 0, SIZE_MM], box.width, box.height);
    assert.ok(Math.abs(label.x + label.width / 2 - (box.x + mx)) < 4, 'label centred over the midpoint');
    assert.ok(label.y + label.height < box.y + my + 2, 'label just above the midpoint');
  });

  test('measurements are renamed, shown in another unit and deleted', async () => {
    await page.fill('#measurements li:first-child .m-name', 'Top edge');
    await page.press('#measurements li:first-child .m-name', 'Enter');
    await page.selectOption('#units', 'cm');
    assert.equal(await page.textContent('#measurements li:first-child .m-value'), '20 cm', 'the numbers are now read as cm');
    assert.match(await page.textContent('#info-size'), /20 × 20 × 20 cm/);
    await page.selectOption('#units', 'mm');
    await page.click('#measurements li:nth-child(2) .m-delete');
    assert.equal(await page.locator('#measurements li').count(), 1);
    assert.equal(await page.inputValue('#measurements li .m-name'), 'Top edge');
  });

  test('a click off the model says so; Esc leaves the tool; the page stays clean', async () => {
    const box = await page.locator('#view').boundingBox();
    await page.mouse.click(box.x + 5, box.y + box.height - 5);
    await page.waitForFunction(() => /not on the model/.test(document.getElementById('measure-hint').textContent));
    await page.keyboard.press('Escape');
    assert.equal(await page.getAttribute('#measure-distance', 'aria-pressed'), 'false');
    assert.deepEqual(errors, []);
  });

  // Pixels that are clearly the "show me" red (linear 1, 0.08, 0.12 → sRGB 255, 79, 97).
  const redPixels = ({ pixels }) => {
    let n = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] > 200 && pixels[i + 1] < 130 && pixels[i + 2] < 140) n += 1;
    return n;
  };

  test('statistics and health of the closed cube, then "show me" on an open box', async () => {
    await page.click('#inspect-run');
    await page.waitForSelector('#inspect-result:not([hidden])', { timeout: 60000 });
    const stats = await page.textContent('#inspect-stats');
    assert.match(stats, /Surface area2400 mm²/);
    assert.match(stats, /Volume8000 mm³/);
    assert.match(stats, /Centre of mass10, 10, 10 mm/);
    assert.match(stats, /Bounding box20 × 20 × 20 mm/);
    assert.match(await page.textContent('#inspect-health'), /Closed \(watertight\)yes/);

    await loadFiles(page, path.join(dir, 'open-box.stl'));
    assert.ok(await page.isHidden('#inspect-result'), 'the old figures are gone with the old model');
    await page.click('#inspect-run');
    await page.waitForSelector('#inspect-result:not([hidden])', { timeout: 60000 });
    assert.match(await page.textContent('#inspect-stats'), /Volumenot closed: no volume/);
    assert.match(await page.textContent('#inspect-health'), /Closed \(watertight\)no/);
    assert.equal(await page.textContent('#inspect-health tr[data-kind="boundary_edges"] td'), '4');
    const before = redPixels(await canvasPixels(page));
    await page.click('#inspect-health tr[data-kind="boundary_edges"] button');
    await page.waitForTimeout(300);
    const shown = redPixels(await canvasPixels(page));
    assert.ok(shown > before + 100, `the hole's rim is drawn in red: ${before} → ${shown} pixels`);
    await page.click('#inspect-health tr[data-kind="boundary_edges"] button');
    await page.waitForTimeout(300);
    assert.ok(redPixels(await canvasPixels(page)) <= before + 10, 'and hidden again');
  });

  test('the inspection report: a PDF that poppler reads and renders, and JSON that fits its schema', async () => {
    await loadFiles(page, path.join(dir, 'cube20.stl'));
    await page.click('#measure-distance');
    await clickCorner([SIZE_MM, 0, SIZE_MM]);
    await page.waitForFunction(() => /Point 1/.test(document.getElementById('measure-hint').textContent));
    await clickCorner([0, 0, SIZE_MM]);
    await page.waitForSelector('#measurements li');
    await page.keyboard.press('Escape');
    await page.click('#report-run');
    await page.waitForSelector('.report-download', { timeout: 60000 });
    const save = async (index) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`.report-download >> nth=${index}`)]);
      const file = path.join(dir, download.suggestedFilename());
      await download.saveAs(file);
      return file;
    };
    const pdfFile = await save(0);
    const jsonFile = await save(1);
    assert.equal(path.basename(pdfFile), 'cube20-report.pdf');

    const text = execFileSync('pdftotext', ['-layout', pdfFile, '-']).toString();
    const sha256 = crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, 'cube20.stl'))).digest('hex');
    for (const expected of ['Inspection report', 'cube20.stl', 'STL (binary)', sha256, 'Surface area', '2400 mm²', '8000 mm³', 'Closed (watertight)', 'Distance 1', '20 mm']) {
      assert.ok(text.includes(expected), `the PDF says "${expected}":\n${text}`);
    }
    // The first page rendered at 20 dpi as greyscale: the view image makes it far from blank.
    const pgm = execFileSync('pdftoppm', ['-gray', '-r', '20', '-f', '1', '-l', '1', pdfFile]);
    const header = pgm.subarray(0, 20).toString('latin1').split(/\s+/);
    const [width, height] = [Number(header[1]), Number(header[2])];
    const pixels = pgm.subarray(pgm.length - width * height);
    const dark = pixels.filter((p) => p < 200).length;
    assert.ok(dark > width * height * 0.05, `${dark} of ${width * height} pixels are not white`);

    const report = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
    const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'docs', 'report.schema.json'), 'utf8'));
    const validate = new Ajv2020({ allErrors: true, strict: true, validateFormats: false }).compile(schema);
    assert.ok(validate(report), JSON.stringify(validate.errors));
    assert.equal(report.file.sha256, sha256);
    assert.equal(report.units, 'mm');
    assert.equal(report.statistics.area, 2400);
    assert.equal(report.measurements[0].value, 20);
    // And the schema is not a rubber stamp: a report without its file fails it.
    assert.equal(validate({ ...report, file: undefined }), false);
  });

  test('a note pinned to the model, with the measurement and units, survives a share round trip', async () => {
    // The report test left the cube open with "Distance 1" (20 mm).
    await page.click('#annotate');
    const box = await page.locator('#view').boundingBox();
    const [x, y] = projectAfterHome([SIZE_MM / 2, SIZE_MM / 2, SIZE_MM], box.width, box.height); // top face centre
    await page.mouse.click(box.x + x, box.y + y);
    await page.waitForSelector('#annotations li input');
    await page.fill('#annotations li input', 'Check this face');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('.note-marker')?.hidden);

    await page.click('#share');
    await page.uncheck('#share-allow-download');
    await page.click('#share-create');
    await page.waitForSelector('#share-result:not([hidden])', { timeout: 60000 });
    const link = await page.inputValue('#share-link');
    await page.click('#share-done');

    const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
    const recipient = await context.newPage();
    const recipientErrors = [];
    recipient.on('pageerror', (e) => recipientErrors.push(e.message));
    await recipient.goto(link);
    await recipient.click('#share-view');
    await recipient.waitForFunction(() => document.body.dataset.state === 'loaded', null, { timeout: 60000 });
    await recipient.waitForSelector('#annotations li');
    assert.equal(await recipient.textContent('#annotations li'), 'Check this face');
    await recipient.waitForFunction(() => {
      const marker = document.querySelector('.note-marker');
      return marker && !marker.hidden && marker.style.left;
    });
    const marker = recipient.locator('.note-marker');
    assert.equal(await marker.textContent(), '1');
    assert.equal(await marker.getAttribute('title'), 'Check this face');
    // The sender's camera came along, so the marker sits where the sender pinned it.
    const recipientBox = await recipient.locator('#view').boundingBox();
    const markerBox = await marker.boundingBox();
    const [mx, my] = projectAfterHome([SIZE_MM / 2, SIZE_MM / 2, SIZE_MM], recipientBox.width, recipientBox.height);
    assert.ok(Math.hypot(markerBox.x + markerBox.width / 2 - (recipientBox.x + mx), markerBox.y + markerBox.height / 2 - (recipientBox.y + my)) < 6, 'marker on the pinned point');
    assert.ok(!(await marker.evaluate((el) => el.classList.contains('hidden-by-model'))), 'visible from above');
    // The measurement and its unit came too.
    await recipient.waitForFunction(() => [...document.querySelectorAll('.measure-label')].some((l) => !l.hidden && l.textContent === '20 mm'));
    // Seen from below, the model hides the top face's note: the marker fades.
    await recipient.focus('#stage');
    for (let i = 0; i < 6; i += 1) await recipient.keyboard.press('ArrowUp');
    await recipient.waitForFunction(() => document.querySelector('.note-marker').classList.contains('hidden-by-model'), null, { timeout: 10000 });
    // The embed page shows the note too.
    await recipient.goto(link.replace('/s/', '/e/'));
    await recipient.waitForFunction(() => document.body.dataset.state === 'loaded', null, { timeout: 60000 });
    await recipient.waitForFunction(() => {
      const marker = document.querySelector('.note-marker');
      return marker && !marker.hidden && marker.title === 'Check this face';
    });
    assert.deepEqual(recipientErrors, []);
    await context.close();
  });

  test('a section across Z reads the cube\'s cross-section, and the cut is filled', async () => {
    await loadFiles(page, path.join(dir, 'cube20.stl'));
    const capPixels = ({ pixels }) => {
      let n = 0;
      // The cap's linear (0.75, 0.18, 0.12) is about sRGB (225, 118, 97).
      for (let i = 0; i < pixels.length; i += 4) if (Math.abs(pixels[i] - 225) < 20 && Math.abs(pixels[i + 1] - 118) < 20 && Math.abs(pixels[i + 2] - 97) < 20) n += 1;
      return n;
    };
    assert.equal(capPixels(await canvasPixels(page)), 0, 'no cap before cutting');
    await page.selectOption('#section-axis', 'z');
    await page.waitForFunction(() => /Section: area/.test(document.getElementById('section-readout').textContent));
    assert.equal(await page.textContent('#section-readout'), 'Section: area 400 mm², perimeter 80 mm');
    // Dragging the plane: any height through the cube has the same section.
    await page.locator('#section-offset').fill('250');
    await page.waitForFunction(() => document.getElementById('section-offset').value === '250');
    assert.equal(await page.textContent('#section-readout'), 'Section: area 400 mm², perimeter 80 mm');
    await page.waitForTimeout(300);
    // Seen from above, the top half is gone and the cut shows as a filled cap.
    const capped = capPixels(await canvasPixels(page));
    assert.ok(capped > 2000, `cap pixels: ${capped}`);
    // Through a face picked on the model (+x): the plane lies in that face, at the
    // end of the slider; moved inwards, it cuts the same square from the side.
    await page.selectOption('#section-axis', 'face');
    const box = await page.locator('#view').boundingBox();
    const [x, y] = projectAfterHome([SIZE_MM, SIZE_MM / 2, SIZE_MM / 8], box.width, box.height);
    await page.mouse.click(box.x + x, box.y + y);
    await page.waitForFunction(() => document.getElementById('section-offset').value === '1000');
    await page.locator('#section-offset').fill('500');
    await page.waitForFunction(() => /area 400 mm², perimeter 80 mm/.test(document.getElementById('section-readout').textContent));
    await page.selectOption('#section-axis', '');
    await page.waitForTimeout(300);
    assert.equal(capPixels(await canvasPixels(page)), 0, 'no cap once the section is off');
    assert.ok(await page.isHidden('#section-readout'));
  });

  test('angle, circle, face angle and wall thickness on the cube', async () => {
    await loadFiles(page, path.join(dir, 'cube20.stl'));
    const box = await page.locator('#view').boundingBox();
    const clickAt = async (point) => {
      const [x, y] = projectAfterHome(point, box.width, box.height);
      await page.mouse.click(box.x + x, box.y + y);
    };
    const measureWith = async (kind, points) => {
      await page.selectOption('#measure-kind', kind);
      const before = await page.locator('#measurements li').count();
      for (const p of points) {
        await clickAt(p);
        await page.waitForTimeout(150); // each pick answered before the next click
      }
      await page.waitForFunction((n) => document.querySelectorAll('#measurements li').length === n + 1, before);
      return page.textContent(`#measurements li:nth-child(${before + 1}) .m-value`);
    };
    await page.click('#measure-distance');
    const s = SIZE_MM;
    assert.equal(await measureWith('angle', [[s, 0, s], [0, 0, s], [0, 0, 0]]), '90°');
    // The circle through three corners of the top face: its diagonal is the diameter.
    assert.equal(await measureWith('circle', [[s, 0, s], [0, 0, s], [0, s, s]]), '⌀ 28.2843 mm');
    // The top face and the front face.
    assert.equal(await measureWith('face-angle', [[s / 2, s / 2, s], [s / 2, 0, s / 2]]), '90°');
    // Through the top face to the bottom one.
    assert.equal(await measureWith('thickness', [[s / 2, s / 2, s]]), 't 20 mm');
    await page.keyboard.press('Escape');
  });

  test('the bounding box is drawn with its dimensions', async () => {
    await page.check('#bbox');
    await page.waitForFunction(() => [...document.querySelectorAll('.bbox-label')].filter((l) => !l.hidden).length === 3);
    const texts = await page.$$eval('.bbox-label', (labels) => labels.map((l) => l.textContent));
    assert.deepEqual(texts, ['x 20 mm', 'y 20 mm', 'z 20 mm']);
    await page.uncheck('#bbox');
    assert.equal(await page.locator('.bbox-label').count(), 0);
  });
});
