// The formats beyond STL and glTF, through the real file input: OBJ with its
// MTL selected together, binary PLY with vertex colours, and OFF. Each is drawn
// with its triangle count in the info panel; the MTL's red reaches the pixels.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canvasPixels, coverage, launchBrowser, loadFiles, openViewer, repoRoot, startServer } from './harness.mjs';

const BACKGROUND = [0x60, 0x6a, 0x78];
// A unit cube: 8 corners, 6 quads (12 triangles once split), counter-clockwise from outside.
const CORNERS = [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]];
const QUADS = [[0, 3, 2, 1], [4, 5, 6, 7], [0, 1, 5, 4], [2, 3, 7, 6], [1, 2, 6, 5], [0, 4, 7, 3]];

function files(dir) {
  const obj = [
    'mtllib cube.mtl',
    'o cube',
    ...CORNERS.map((c) => `v ${c.join(' ')}`),
    'usemtl red',
    ...QUADS.map((q) => `f ${q.map((i) => i + 1).join(' ')}`),
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'cube.obj'), `${obj}\n`);
  fs.writeFileSync(path.join(dir, 'cube.mtl'), 'newmtl red\nKd 0.9 0.05 0.05\n');
  const off = ['OFF', '8 6 0', ...CORNERS.map((c) => c.join(' ')), ...QUADS.map((q) => `4 ${q.join(' ')}`)].join('\n');
  fs.writeFileSync(path.join(dir, 'cube.off'), `${off}\n`);
  // Binary little-endian PLY with green vertex colours and triangle faces.
  const header = Buffer.from(
    'ply\nformat binary_little_endian 1.0\nelement vertex 8\nproperty float x\nproperty float y\nproperty float z\n' +
      'property uchar red\nproperty uchar green\nproperty uchar blue\nelement face 12\n' +
      'property list uchar int vertex_indices\nend_header\n',
  );
  const vertices = Buffer.alloc(8 * 15);
  CORNERS.forEach((c, i) => {
    c.forEach((v, k) => vertices.writeFloatLE(v, i * 15 + k * 4));
    vertices.writeUInt8(20, i * 15 + 12);
    vertices.writeUInt8(200, i * 15 + 13);
    vertices.writeUInt8(20, i * 15 + 14);
  });
  const faces = Buffer.alloc(12 * 13);
  QUADS.flatMap((q) => [[q[0], q[1], q[2]], [q[0], q[2], q[3]]]).forEach((t, i) => {
    faces.writeUInt8(3, i * 13);
    t.forEach((v, k) => faces.writeInt32LE(v, i * 13 + 1 + k * 4));
  });
  fs.writeFileSync(path.join(dir, 'cube.ply'), Buffer.concat([header, vertices, faces]));
}

describe('OBJ, PLY and OFF', () => {
  let server;
  let browser;
  let page;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-studio-formats-'));

  before(async () => {
    files(dir);
    server = await startServer();
    browser = await launchBrowser('webgpu');
    ({ page } = await openViewer(browser, server.url, 'webgpu'));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('an OBJ with its MTL is drawn in the material colour', async () => {
    await loadFiles(page, [path.join(dir, 'cube.obj'), path.join(dir, 'cube.mtl')]);
    assert.equal(await page.getAttribute('#info-triangles', 'data-count'), '12');
    assert.equal(await page.textContent('#info-format'), 'Wavefront OBJ');
    const drawn = coverage(await canvasPixels(page), BACKGROUND);
    assert.ok(drawn.fraction > 0.03, `drawn (${drawn.fraction})`);
    const [r, g, b] = drawn.mean;
    assert.ok(r > 1.5 * g && r > 1.5 * b, `red from the MTL: ${drawn.mean}`);
  });

  test('a binary PLY is drawn in its vertex colours', async () => {
    await loadFiles(page, path.join(dir, 'cube.ply'));
    assert.equal(await page.getAttribute('#info-triangles', 'data-count'), '12');
    assert.equal(await page.textContent('#info-format'), 'PLY (binary)');
    const [r, g, b] = coverage(await canvasPixels(page), BACKGROUND).mean;
    assert.ok(g > 1.5 * r && g > 1.5 * b, `green vertex colours: ${[r, g, b]}`);
  });

  test('an OFF of quads is drawn as 12 triangles', async () => {
    await loadFiles(page, path.join(dir, 'cube.off'));
    assert.equal(await page.getAttribute('#info-triangles', 'data-count'), '12');
    assert.equal(await page.textContent('#info-format'), 'OFF');
  });

  // Which build reads a file is told by its content: a 3MF (a zip) under another
  // name still goes to the tools build, and its unit is the format's millimetres.
  test('a 3MF without its extension opens, in millimetres', async () => {
    const pyramids = fs.readFileSync(path.join(repoRoot, 'studio-model/tests/fixtures/3mf/trimesh/pyramids.3mf'));
    const copy = path.join(dir, 'pyramids.model');
    fs.writeFileSync(copy, pyramids);
    await loadFiles(page, copy);
    assert.equal(await page.textContent('#info-format'), '3MF');
    assert.equal(await page.inputValue('#units'), 'mm');
    assert.equal(await page.isDisabled('#units'), true, 'the format fixes the unit');
    assert.ok(coverage(await canvasPixels(page), BACKGROUND).fraction > 0.01, 'drawn');
  });

  test('a glTF fixes metres; an STL lets the user choose', async () => {
    await loadFiles(page, path.join(repoRoot, 'studio-model/tests/fixtures/gltf/khronos/Box/glTF-Binary/Box.glb'));
    assert.equal(await page.inputValue('#units'), 'm');
    assert.equal(await page.isDisabled('#units'), true);
    await loadFiles(page, path.join(repoRoot, 'studio-model/tests/fixtures/stl/trimesh/unit_cube.STL'));
    assert.equal(await page.isDisabled('#units'), false);
  });
});
