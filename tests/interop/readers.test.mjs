// STL, OBJ, PLY, OFF and 3MF files written by `model-studio convert` (the same
// export code as the browser's Convert…) are read back by trimesh (PyPI), an
// independent reader: same triangle count, and for closed models the same volume.
// The 3MF files are also read by the 3MF Consortium's lib3mf: same triangle
// count, no reader warnings.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const fixtures = path.join(repo, 'studio-model', 'tests', 'fixtures');
const cli = process.env.MODEL_STUDIO_BIN || path.join(repo, 'target', 'debug', 'model-studio');
const python = process.env.INTEROP_PYTHON || path.join(repo, 'tests', '.venv', 'bin', 'python');
const FORMATS = ['stl', 'obj', 'ply', 'off', '3mf'];

describe('trimesh reads what we export', () => {
  const reference = JSON.parse(fs.readFileSync(path.join(fixtures, 'inspect_reference.json'), 'utf8'));
  let dir;
  const ours = new Map(); // output file → our statistics of the source (in the output's units)
  let theirs = [];
  let lib3mf = [];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-studio-trimesh-'));
    const outputs = [];
    reference.files.forEach(({ path: model }, n) => {
      // Our statistics of the source, scaled to the output's millimetres (glTF is metres).
      const source = path.join(fixtures, model);
      const stats = JSON.parse(execFileSync(cli, ['info', source, '--json']).toString()).total.stats;
      const scale = /\.(glb|gltf)$/i.test(model) ? 1000 : 1;
      const volume = stats.volume === null ? null : stats.volume * scale ** 3;
      for (const format of FORMATS) {
        const out = path.join(dir, `m${n}.${format}`);
        execFileSync(cli, ['convert', source, out, '--units', 'mm'], { stdio: 'ignore' });
        ours.set(out, { model, format, stats: { triangles: stats.triangles, volume } });
        outputs.push(out);
      }
    });
    theirs = JSON.parse(execFileSync(python, [path.join(here, 'trimesh_check.py'), ...outputs], { maxBuffer: 64 << 20 }).toString());
    const threemf = outputs.filter((file) => file.endsWith('.3mf'));
    lib3mf = JSON.parse(execFileSync(python, [path.join(here, 'lib3mf_check.py'), ...threemf], { maxBuffer: 64 << 20 }).toString());
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('lib3mf reads every 3MF with the same triangle count and no warnings', () => {
    assert.equal(lib3mf.length, reference.files.length, 'every model was read back');
    const problems = lib3mf
      .filter((r) => r.triangles !== ours.get(r.file).stats.triangles || r.warnings !== 0)
      .map((r) => `${ours.get(r.file).model}: ${r.triangles} triangles, ${r.warnings} warnings in lib3mf`);
    assert.deepEqual(problems, []);
  });

  for (const format of FORMATS) {
    test(`${format}: triangle counts and volumes agree`, () => {
      const problems = [];
      let compared = 0;
      for (const result of theirs) {
        const mine = ours.get(result.file);
        if (mine.format !== format) continue;
        compared += 1;
        if (result.triangles !== mine.stats.triangles) {
          problems.push(`${mine.model}: ${result.triangles} triangles in trimesh, ${mine.stats.triangles} ours`);
        }
        const volume = mine.stats.volume;
        if (volume !== null && Math.abs(result.volume - volume) > 1e-4 * Math.max(1, Math.abs(volume))) {
          problems.push(`${mine.model}: volume ${result.volume} in trimesh, ${volume} ours`);
        }
      }
      assert.equal(compared, reference.files.length, 'every model was read back');
      assert.deepEqual(problems, []);
    });
  }
});
