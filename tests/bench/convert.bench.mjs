// `cargo xtask bench`: converting a generated 1M-triangle model, GLB (indexed)
// → binary STL and binary STL → GLB, side by side in one run:
//   - ours natively: the `model-studio` command-line tool (release build);
//   - ours in the browser: the Convert dialog of the real page, through the UI
//     (file already open; time from the Convert click to the download buttons,
//     measured in the page);
//   - trimesh (PyPI, tests/.venv) and Debian's assimp (`assimp export`);
//   - a plain file copy of the input as the native floor, and as the browser's
//     floor a Blob of the output's size made in the page (the open model is
//     handed over by the viewer, not read from its file again).
// Command-line tools are timed as whole processes (start-up included, as a user
// running them meets it), median of RUNS, each writing a fresh output file.
// trimesh is also timed inside Python (load + export only) for reference.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, loadFiles, openViewer, repoRoot, startServer } from '../browser/harness.mjs';
import { binaryStl, glb, heightField } from './models.mjs';
import { machine, writeSection } from './report.mjs';

const RUNS = 5;
const BROWSER_RUNS = 3;
const CELLS = 708; // 708² × 2 = 1,002,528 triangles
const cli = process.env.MODEL_STUDIO_BIN || path.join(repoRoot, 'target', 'release', 'model-studio');
const python = path.join(repoRoot, 'tests', '.venv', 'bin', 'python');

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (s) => (s === undefined ? '—' : s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);
const times = (peer, ours) => (peer && ours ? `${(peer / ours).toFixed(1)}×` : '—');

// Wall time of one process, in seconds; throws when it fails.
function timeProcess(command, args, output) {
  fs.rmSync(output, { force: true });
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr?.toString().slice(0, 400)}`);
  if (!fs.existsSync(output)) throw new Error(`${command} wrote no ${output}`);
  return elapsed;
}

function medianOf(runs, once) {
  const values = [];
  for (let i = 0; i < runs; i += 1) values.push(once());
  return median(values);
}

// trimesh inside Python: load + export, without the interpreter start and imports.
const TRIMESH_TIMED = `
import sys, time, trimesh
started = time.perf_counter()
trimesh.load(sys.argv[1]).export(sys.argv[2])
print(time.perf_counter() - started)
`;

function trimeshInside(input, output) {
  fs.rmSync(output, { force: true });
  const result = spawnSync(python, ['-c', TRIMESH_TIMED, input, output], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`trimesh: ${result.stderr.toString().slice(0, 400)}`);
  return Number(result.stdout.toString().trim());
}

// The browser's floor for one conversion (seconds, median of BROWSER_RUNS): a
// Blob of `outputBytes` made in the page, the one step a download in the
// browser cannot avoid (the open model itself is handed over from the viewer,
// not read again, so no file read belongs in the floor any more).
async function browserFloorSeconds(page, outputBytes) {
  const values = [];
  for (let run = 0; run < BROWSER_RUNS; run += 1) {
    const ms = await page.evaluate(async (outputBytes) => {
      const output = new Uint8Array(outputBytes);
      const started = performance.now();
      const blob = new Blob([output]);
      if (blob.size !== outputBytes) throw new Error('floor: short Blob');
      return performance.now() - started;
    }, outputBytes);
    values.push(ms / 1000);
  }
  return median(values);
}

async function browserSeconds(page, input, format, outputBytes) {
  await loadFiles(page, input, { timeout: 300000 });
  const values = [];
  // One unmeasured run first: it also loads the tools wasm.
  for (let run = 0; run <= BROWSER_RUNS; run += 1) {
    if (await page.evaluate(() => document.getElementById('convert-dialog').open)) await page.keyboard.press('Escape');
    await page.click('#convert');
    await page.selectOption('#convert-format', format);
    await page.click('#convert-run');
    await page.waitForSelector('#convert-result:not([hidden])', { timeout: 300000 });
    // Measured in the page, from the Convert click to the download buttons shown.
    const elapsedMs = Number(await page.getAttribute('#convert-result', 'data-elapsed-ms'));
    if (run > 0) values.push(elapsedMs / 1000);
    console.log(`    ${format}: ${elapsedMs.toFixed(0)} ms; in the worker ${await page.getAttribute('#convert-result', 'data-timings')}`);
  }
  await page.keyboard.press('Escape');
  const floor = await browserFloorSeconds(page, outputBytes);
  return { seconds: median(values), floor };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-studio-convert-bench-'));
  try {
    const mesh = heightField(CELLS);
    const files = { glb: path.join(dir, 'field.glb'), stl: path.join(dir, 'field.stl') };
    fs.writeFileSync(files.glb, glb(mesh));
    fs.writeFileSync(files.stl, binaryStl(mesh));
    console.log(`Converting ${mesh.triangles.toLocaleString('en-US')} triangles (GLB ${(fs.statSync(files.glb).size / 1e6).toFixed(1)} MB, STL ${(fs.statSync(files.stl).size / 1e6).toFixed(1)} MB), median of ${RUNS}…`);
    const out = (name) => path.join(dir, name);
    const cases = [
      { name: 'GLB → binary STL', input: files.glb, ext: 'stl', assimpFormat: 'stlb', browserFormat: 'stl-binary' },
      { name: 'binary STL → GLB', input: files.stl, ext: 'glb', assimpFormat: 'glb2', browserFormat: 'glb' },
    ];
    const results = [];
    for (const c of cases) {
      const r = { name: c.name };
      const target = out(`ours.${c.ext}`);
      r.ours = medianOf(RUNS, () => timeProcess(cli, ['convert', c.input, target], target));
      r.oursWeld = medianOf(RUNS, () => timeProcess(cli, ['convert', c.input, target, '--weld'], target));
      const t = out(`trimesh.${c.ext}`);
      r.trimesh = medianOf(RUNS, () => timeProcess(python, ['-c', 'import sys, trimesh; trimesh.load(sys.argv[1]).export(sys.argv[2])', c.input, t], t));
      r.trimeshInside = medianOf(RUNS, () => trimeshInside(c.input, t));
      const a = out(`assimp.${c.ext}`);
      r.assimp = medianOf(RUNS, () => timeProcess('assimp', ['export', c.input, a, `-f${c.assimpFormat}`], a));
      const copy = out(`copy.${c.ext}`);
      r.copy = medianOf(RUNS, () => timeProcess('cp', [c.input, copy], copy));
      r.outputBytes = fs.statSync(target).size;
      r.sizes = Object.fromEntries(
        [['ours', target], ['trimesh', t], ['assimp', a]].map(([k, f]) => [k, (fs.statSync(f).size / 1e6).toFixed(1)]),
      );
      console.log(`  ${c.name}: ours ${seconds(r.ours)}, trimesh ${seconds(r.trimesh)}, assimp ${seconds(r.assimp)}, copy ${seconds(r.copy)}`);
      results.push({ ...r, case: c });
    }

    const server = await startServer();
    const browser = await launchBrowser('webgl2');
    let chromium = '';
    try {
      chromium = browser.version();
      const { page } = await openViewer(browser, server.url, 'webgl2');
      for (const r of results) {
        const browser = await browserSeconds(page, r.case.input, r.case.browserFormat, r.outputBytes);
        r.browser = browser.seconds;
        r.browserFloor = browser.floor;
        console.log(`  ${r.name}: ours in the browser ${seconds(r.browser)}, its floor ${seconds(r.browserFloor)}`);
      }
    } finally {
      await browser.close();
      await server.stop();
    }

    const assimpVersion = spawnSync('assimp', ['version']).stdout?.toString().match(/Version (\S+)/)?.[1] ?? 'unknown';
    const trimeshVersion = spawnSync(python, ['-c', 'import trimesh; print(trimesh.__version__)']).stdout?.toString().trim();
    const env = machine(chromium, '');
    const body = [
      `Run ${env.date} on ${env.cpus}, ${env.memory}; Chromium ${env.chromium}; trimesh ${trimeshVersion}; assimp ${assimpVersion}; commit ${env.commit}.`,
      `A generated height field of ${mesh.triangles.toLocaleString('en-US')} triangles. Whole processes, median of ${RUNS}; the browser: median of ${BROWSER_RUNS} conversions through the Convert dialog (file already open). Browser floor: a Blob of the output's size made in the page (the open model is handed over by the viewer, not read from its file again).`,
      '',
      '| conversion | ours (native) | ours (browser) | trimesh (process) | trimesh (in Python) | assimp | file copy (floor) | browser floor | trimesh ÷ ours | assimp ÷ ours | browser ÷ native | browser floor ÷ native |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...results.map((r) =>
        `| ${r.name} | ${seconds(r.ours)} | ${seconds(r.browser)} | ${seconds(r.trimesh)} | ${seconds(r.trimeshInside)} | ${seconds(r.assimp)} | ${seconds(r.copy)} | ${seconds(r.browserFloor)} | ${times(r.trimesh, r.ours)} | ${times(r.assimp, r.ours)} | ${(r.browser / r.ours).toFixed(1)}× | ${(r.browserFloor / r.ours).toFixed(1)}× |`,
      ),
      '',
      'Output sizes (MB): ' + results.map((r) => `${r.name}: ours ${r.sizes.ours}, trimesh ${r.sizes.trimesh}, assimp ${r.sizes.assimp}`).join('; ') + '.',
      `With \`--weld\` (joins vertices with identical position and normal): ${results.map((r) => `${r.name} ${seconds(r.oursWeld)}`).join(', ')}.`,
    ].join('\n');
    console.log(body);
    writeSection('convert', 'Conversion: ours vs trimesh and assimp', body);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
