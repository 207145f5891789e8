// `cargo xtask bench`: our viewer against three.js on the same ~1M-triangle
// models in the same headless Chromium, plus the page weight. A benchmark,
// not a test: it prints figures and rewrites the results in BENCHMARKS.md.
//
// Run from tests/ with SHARE_SERVER_BIN and WEB_DIR set (the xtask does that).
import fs from 'node:fs';
import { launchBrowser, openViewer, startServer } from '../browser/harness.mjs';
import { asciiStl, binaryStl, glb, heightField } from './models.mjs';
import { serveModels } from './model-server.mjs';
import { pageWeight } from './page-weight.mjs';
import { machine, printAndWrite } from './report.mjs';
import { buildThreePage, threeVersion } from './three-page.mjs';

// BENCH_CELLS / BENCH_RUNS shrink the run for a quick check of the benchmark itself.
const CELLS = Number(process.env.BENCH_CELLS) || 707; // 707² quads × 2 = 999,698 triangles
const RUNS = Number(process.env.BENCH_RUNS) || 5; // each on a fresh page; the median is reported
const WAIT = { timeout: 180_000 }; // one load, even ASCII on software rendering, takes far less
const WHOLE_RUN_LIMIT_MS = 20 * 60_000;

const CASES = [
  { name: 'binary STL', path: '/field.stl', format: 'stl' },
  { name: 'ASCII STL', path: '/field-ascii.stl', format: 'stl' },
  { name: 'GLB (indexed)', path: '/field.glb', format: 'glb' },
];

const dataset = () => ({ ...document.body.dataset });

// Our viewer through its real UI: the URL box downloads the file in the worker,
// which times bytes in memory → parsed and → first frame finished (web/engine/worker.js).
async function timeOurs(browser, serverUrl, backend, modelUrl) {
  const { page } = await openViewer(browser, serverUrl, backend);
  try {
    await page.fill('#url-input', modelUrl);
    await page.click('#url-form button');
    await page.waitForFunction(() => document.body.dataset.firstFrameMs || document.body.dataset.state === 'error', null, WAIT);
    const data = await page.evaluate(dataset);
    if (data.state === 'error') throw new Error(`our viewer failed on ${modelUrl}: ${await page.textContent('#error')}`);
    const triangles = Number(await page.getAttribute('#info-triangles', 'data-count'));
    const size = await page.evaluate(() => {
      const r = document.getElementById('view').getBoundingClientRect();
      return { width: Math.round(r.width * devicePixelRatio), height: Math.round(r.height * devicePixelRatio) };
    });
    return { parse: Number(data.parseMs), firstFrame: Number(data.firstFrameMs), triangles, size };
  } finally {
    await page.context().close();
  }
}

// The three.js page times itself the same way (tests/bench/three/bench-three.js).
async function timeThree(browser, serverUrl, modelUrl, format, size) {
  const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
  try {
    const query = new URLSearchParams({ model: modelUrl, format, width: size.width, height: size.height });
    await page.goto(`${serverUrl}/bench-three.html?${query}`);
    await page.waitForFunction(() => ['loaded', 'error'].includes(document.body.dataset.state), null, WAIT);
    const data = await page.evaluate(dataset);
    if (data.state === 'error') throw new Error(`three.js failed on ${modelUrl}: ${data.error}`);
    return { parse: Number(data.parseMs), firstFrame: Number(data.firstFrameMs), triangles: Number(data.triangles) };
  } finally {
    await page.context().close();
  }
}

// results[case][column] = { parse: [ms…], firstFrame: [ms…] }
function record(results, caseName, column, run, expectedTriangles) {
  if (run.triangles !== expectedTriangles) {
    throw new Error(`${column} on ${caseName} drew ${run.triangles} triangles, expected ${expectedTriangles}`);
  }
  const cell = (results[caseName][column] ??= { parse: [], firstFrame: [] });
  cell.parse.push(run.parse);
  cell.firstFrame.push(run.firstFrame);
  console.log(`  ${caseName.padEnd(14)} ${column.padEnd(16)} parse ${run.parse.toFixed(0).padStart(6)} ms   first frame ${run.firstFrame.toFixed(0).padStart(6)} ms`);
}

async function main() {
  console.log(`Generating the models (${CELLS}×${CELLS} height field)…`);
  const mesh = heightField(CELLS);
  const files = { '/field.stl': binaryStl(mesh), '/field-ascii.stl': asciiStl(mesh), '/field.glb': glb(mesh) };
  const sizes = Object.fromEntries(CASES.map((c) => [c.name, files[c.path].length]));

  const cleanup = [];
  const results = Object.fromEntries(CASES.map((c) => [c.name, {}]));
  try {
    const models = await serveModels(files);
    cleanup.push(() => models.stop());
    const server = await startServer();
    cleanup.push(() => server.stop());
    const threeDir = buildThreePage();
    cleanup.push(() => fs.rmSync(threeDir, { recursive: true, force: true }));
    const threeServer = await startServer({ webDir: threeDir });
    cleanup.push(() => threeServer.stop());

    // WebGPU (SwiftShader's Vulkan) needs its own browser flags, so its own launch;
    // our WebGL2 path and three.js share one browser with the same GL stack. Both
    // browsers stay open and the runs alternate between all three columns, so
    // that load from other work on the machine hits each alike.
    const gpuBrowser = await launchBrowser('webgpu');
    cleanup.push(() => gpuBrowser.close());
    const glBrowser = await launchBrowser('webgl2');
    cleanup.push(() => glBrowser.close());
    const chromium = gpuBrowser.version();
    console.log('Page weight (viewer page, network log)…');
    const weight = await pageWeight(gpuBrowser, `${server.url}/`, () => ['ready', 'failed'].includes(document.body.dataset.state));
    console.log('Our viewer on WebGPU and on WebGL2, and three.js, alternating…');
    for (let run = 0; run < RUNS; run += 1) {
      for (const c of CASES) {
        record(results, c.name, 'ours WebGPU', await timeOurs(gpuBrowser, server.url, 'webgpu', models.url + c.path), mesh.triangles);
        const ours = await timeOurs(glBrowser, server.url, 'webgl2', models.url + c.path);
        record(results, c.name, 'ours WebGL2', ours, mesh.triangles);
        record(results, c.name, 'three.js WebGL2', await timeThree(glBrowser, threeServer.url, models.url + c.path, c.format, ours.size), mesh.triangles);
      }
    }
    const glWeight = await pageWeight(glBrowser, `${server.url}/?backend=webgl2`, () => ['ready', 'failed'].includes(document.body.dataset.state));
    const threeWeight = await pageWeight(glBrowser, `${threeServer.url}/bench-three.html`, () => document.body.dataset.state === 'ready');

    printAndWrite({
      machine: machine(chromium, threeVersion()),
      runs: RUNS,
      triangles: mesh.triangles,
      sizes,
      results,
      weight,
      glWeight,
      threeWeight,
    });
  } finally {
    for (const step of cleanup.reverse()) await Promise.resolve().then(step).catch(() => {});
  }
}

// A wedged browser must not hang the xtask forever.
setTimeout(() => {
  console.error(`bench: gave up after ${WHOLE_RUN_LIMIT_MS / 60_000} minutes`);
  process.exit(1);
}, WHOLE_RUN_LIMIT_MS).unref();

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`bench failed: ${error.stack || error}`);
    process.exit(1);
  },
);
