// `cargo xtask bench`: inspecting a generated 1M-triangle model — statistics
// (area, volume, centre of mass, bounds) and mesh health (closed, boundary and
// non-manifold edges, winding, shells, degenerate and duplicate triangles) —
// with our `model-studio info --json` and with trimesh computing the same
// things, side by side; and picking: the BVH's build time for 1M triangles and
// time per pick (studio-model/tests/pick_timing.rs, release).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../browser/harness.mjs';
import { binaryStl, heightField } from './models.mjs';
import { machine, writeSection } from './report.mjs';

const RUNS = 3;
const cli = process.env.MODEL_STUDIO_BIN || path.join(repoRoot, 'target', 'release', 'model-studio');
const python = path.join(repoRoot, 'tests', '.venv', 'bin', 'python');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (s) => `${Math.round(s * 1000).toLocaleString('en-US')} ms`;

// The same questions asked of trimesh (merging vertices as our weld does).
const TRIMESH = `
import sys, time, json
started = time.perf_counter()
import trimesh
imported = time.perf_counter()
m = trimesh.load(sys.argv[1], process=True)
out = {
  "area": m.area, "volume": m.volume if m.is_volume else None, "center_mass": list(m.center_mass),
  "bounds": m.bounds.tolist(), "closed": m.is_watertight, "winding_consistent": m.is_winding_consistent,
  "shells": len(m.split(only_watertight=False)),
  "degenerate": int((~m.nondegenerate_faces()).sum()), "duplicates": int(len(m.faces) - len(m.unique_faces().nonzero()[0])),
  "boundary_edges": int((trimesh.grouping.group_rows(m.edges_sorted, require_count=1)).shape[0]),
}
done = time.perf_counter()
print(json.dumps({"inside_s": done - imported, "import_s": imported - started, "result": out}))
`;

function timed(command, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command}: ${result.stderr.toString().slice(0, 500)}`);
  return { seconds, stdout: result.stdout.toString() };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-studio-inspect-bench-'));
  try {
    const mesh = heightField(708);
    const stl = path.join(dir, 'field.stl');
    fs.writeFileSync(stl, binaryStl(mesh));
    console.log(`Inspecting ${mesh.triangles.toLocaleString('en-US')} triangles, median of ${RUNS}…`);
    const ours = [];
    let oursResult;
    for (let i = 0; i < RUNS; i += 1) {
      const run = timed(cli, ['info', stl, '--json']);
      ours.push(run.seconds);
      oursResult = JSON.parse(run.stdout).total;
    }
    const trimesh = [];
    const trimeshInside = [];
    let trimeshResult;
    for (let i = 0; i < RUNS; i += 1) {
      const run = timed(python, ['-c', TRIMESH, stl]);
      const parsed = JSON.parse(run.stdout);
      trimesh.push(run.seconds);
      trimeshInside.push(parsed.inside_s);
      trimeshResult = parsed.result;
    }
    console.log(`  ours ${ms(median(ours))}, trimesh ${ms(median(trimesh))} (in Python ${ms(median(trimeshInside))})`);

    const pick = spawnSync('cargo', ['test', '--release', '-q', '-p', 'studio-model', '--test', 'pick_timing', '--', '--ignored', '--nocapture'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = pick.stdout.toString().split('\n').find((l) => l.startsWith('PICK_TIMING '));
    if (!line) throw new Error('pick_timing printed no PICK_TIMING line');
    const picking = JSON.parse(line.slice('PICK_TIMING '.length));
    console.log(`  BVH build ${picking.build_ms} ms, pick ${picking.pick_us} µs`);

    const s = oursResult.stats;
    const h = oursResult.health;
    const agree = (a, b) => (a === b || (typeof a === 'number' && Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b))) ? 'same' : `${a} vs ${b}`);
    const env = machine('', '');
    const body = [
      `Run ${env.date} on ${env.cpus}, ${env.memory}; trimesh ${spawnSync(python, ['-c', 'import trimesh; print(trimesh.__version__)']).stdout.toString().trim()}; commit ${env.commit}.`,
      `A generated height field of ${mesh.triangles.toLocaleString('en-US')} triangles (binary STL, open). Whole processes, median of ${RUNS}.`,
      '',
      '| statistics + health of 1M triangles | ours (`model-studio info --json`) | trimesh (process) | trimesh (in Python) | trimesh ÷ ours |',
      '| --- | ---: | ---: | ---: | ---: |',
      `| time | ${ms(median(ours))} | ${ms(median(trimesh))} | ${ms(median(trimeshInside))} | ${(median(trimesh) / median(ours)).toFixed(1)}× |`,
      '',
      `Agreement: area ${agree(s.area, trimeshResult.area)}; closed ${agree(h.closed, trimeshResult.closed)}; winding consistent ${agree(h.winding_consistent, trimeshResult.winding_consistent)}; shells ${agree(h.shells, trimeshResult.shells)}; boundary edges ${agree(h.boundary_edges, trimeshResult.boundary_edges)}.`,
      '',
      '| picking, 1M triangles (native, release) | ours | target |',
      '| --- | ---: | ---: |',
      `| BVH build (median of 3) | ${picking.build_ms} ms | < 1,000 ms |`,
      `| one pick (mean of ${picking.rays.toLocaleString('en-US')} rays, ${picking.hits.toLocaleString('en-US')} hits) | ${picking.pick_us} µs | < 1,000 µs |`,
    ].join('\n');
    console.log(body);
    writeSection('inspect', 'Inspection and picking: ours vs trimesh', body);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
