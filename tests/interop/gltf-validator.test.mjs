// Every GLB and glTF we export passes the Khronos glTF-Validator with zero
// errors: each corpus model with reference values (studio-model/tests/fixtures)
// is converted to GLB (baked, and keeping the node hierarchy), to .gltf + .bin
// and to .gltf with a data URI by the
// `model-studio` command-line tool (the same export code as the browser's
// Convert…) and validated.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import validator from 'gltf-validator';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const fixtures = path.join(repo, 'studio-model', 'tests', 'fixtures');
const cli = process.env.MODEL_STUDIO_BIN || path.join(repo, 'target', 'debug', 'model-studio');

function expectValid(report, label) {
  const errors = report.issues.messages.filter((m) => m.severity === 0);
  assert.equal(report.issues.numErrors, 0, `${label}: ${JSON.stringify(errors.slice(0, 5), null, 1)}`);
}

describe('exported GLB and glTF files pass the glTF-Validator', () => {
  let dir;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-studio-validator-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const reference = JSON.parse(fs.readFileSync(path.join(fixtures, 'inspect_reference.json'), 'utf8'));
  for (const { path: model } of reference.files) {
    test(model, async () => {
      const stem = path.basename(model).replace(/\.[^.]+$/, '');
      const convert = (out, ...flags) =>
        execFileSync(cli, ['convert', path.join(fixtures, model), out, '--json', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
      const glb = path.join(dir, `${stem}.glb`);
      convert(glb);
      expectValid(await validator.validateBytes(new Uint8Array(fs.readFileSync(glb))), 'GLB');
      const kept = path.join(dir, `${stem}.kept.glb`);
      convert(kept, '--keep-hierarchy', '--up', 'z');
      expectValid(await validator.validateBytes(new Uint8Array(fs.readFileSync(kept))), 'GLB keeping the hierarchy');
      for (const [flags, label] of [[[], '.gltf + .bin'], [['--embed'], '.gltf with a data URI']]) {
        const folder = fs.mkdtempSync(path.join(dir, 'gltf-'));
        const gltf = path.join(folder, `${stem}.gltf`);
        convert(gltf, ...flags);
        const written = fs.readdirSync(folder).sort();
        assert.deepEqual(written, flags.length ? [`${stem}.gltf`] : [`${stem}.bin`, `${stem}.gltf`], label);
        const report = await validator.validateString(fs.readFileSync(gltf, 'utf8'), {
          uri: `${stem}.gltf`,
          externalResourceFunction: async (uri) => new Uint8Array(fs.readFileSync(path.join(folder, decodeURIComponent(uri)))),
        });
        expectValid(report, label);
      }
    });
  }
});
