// Every GLB we export passes the Khronos glTF-Validator with zero errors: each
// corpus model with reference values (viewer-wasm/tests/fixtures) is converted
// to GLB by the `model-studio` command-line tool (the same export code as the
// browser's Convert…) and validated.
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
const fixtures = path.join(repo, 'viewer-wasm', 'tests', 'fixtures');
const cli = process.env.MODEL_STUDIO_BIN || path.join(repo, 'target', 'debug', 'model-studio');

describe('exported GLB files pass the glTF-Validator', () => {
  let dir;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-studio-validator-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const reference = JSON.parse(fs.readFileSync(path.join(fixtures, 'inspect_reference.json'), 'utf8'));
  for (const { path: model } of reference.files) {
    test(model, async () => {
      const out = path.join(dir, `${path.basename(model).replace(/\.[^.]+$/, '')}.glb`);
      execFileSync(cli, ['convert', path.join(fixtures, model), out, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const report = await validator.validateBytes(new Uint8Array(fs.readFileSync(out)));
      const errors = report.issues.messages.filter((m) => m.severity === 0);
      assert.equal(report.issues.numErrors, 0, JSON.stringify(errors.slice(0, 5), null, 1));
    });
  }
});
