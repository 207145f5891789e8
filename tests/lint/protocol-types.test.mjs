// The JS type check (web/tsconfig.json, web/tsconfig.workers.json) really checks
// the messages between the page and the workers: on a copy of web/, a misspelt
// message type in one send and a misspelt field in another must each fail it,
// naming what is misspelt, while the unchanged copy passes. The copy includes
// the wasm builds' declarations (web/pkg/, made by `cargo xtask build`), which
// the engine and job workers' imports need.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WEB = path.join(repoRoot, 'web');
const TSC = path.join(repoRoot, 'tests', 'node_modules', '.bin', 'tsc');

// A copy of web/ without the wasm binaries (the check reads only JS and declarations).
function copyOfWeb() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-studio-tsc-'));
  fs.cpSync(WEB, dir, { recursive: true, filter: (source) => !source.endsWith('.wasm') });
  return dir;
}

// tsc on `config` of the copy `dir`: { ok, output }.
function typeCheck(dir, config) {
  const result = spawnSync(TSC, ['--noEmit', '-p', path.join(dir, config)], { encoding: 'utf8' });
  assert.equal(result.error, undefined, `tsc could not run (${TSC}): ${result.error}`);
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

// Replaces the one occurrence of `from` in `file` of the copy `dir` with `to`.
function misspell(dir, file, from, to) {
  const full = path.join(dir, file);
  const text = fs.readFileSync(full, 'utf8');
  assert.equal(text.split(from).length - 1, 1, `${file} should contain ${from} exactly once`);
  fs.writeFileSync(full, text.replace(from, to));
}

test('the wasm builds are there to check against', () => {
  const pkg = path.join(WEB, 'pkg');
  assert.ok(
    fs.existsSync(pkg),
    `${pkg} is missing: build it with \`cargo xtask build\` (the type check needs its .d.ts files)`,
  );
  for (const build of ['webgpu', 'webgl', 'tools']) {
    const declarations = fs.existsSync(path.join(pkg, build)) ? fs.readdirSync(path.join(pkg, build)) : [];
    assert.ok(declarations.some((f) => f.endsWith('.d.ts')), `web/pkg/${build}/ has no .d.ts: rebuild with \`cargo xtask build\``);
  }
});

test('the unchanged copy of web/ passes in both contexts', (t) => {
  const dir = copyOfWeb();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const config of ['tsconfig.json', 'tsconfig.workers.json']) {
    const { ok, output } = typeCheck(dir, config);
    assert.ok(ok, `${config}:\n${output}`);
  }
});

test('a misspelt message type in a send from the page fails the check', (t) => {
  const dir = copyOfWeb();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  misspell(dir, 'page/main.js', "send({ type: 'home' })", "send({ type: 'hoem' })");
  const { ok, output } = typeCheck(dir, 'tsconfig.json');
  assert.equal(ok, false, 'tsc passed a message of type "hoem"');
  assert.match(output, /page\/main\.js\(\d+,\d+\): error TS\d+: .*'"hoem"'/);
});

test('a misspelt field in a message from the engine fails the check', (t) => {
  const dir = copyOfWeb();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  misspell(dir, 'engine/frames.js', "postToPage(self, { type: 'frame', frames });", "postToPage(self, { type: 'frame', framez: frames });");
  const { ok, output } = typeCheck(dir, 'tsconfig.workers.json');
  assert.equal(ok, false, 'tsc passed a frame message with a field "framez"');
  assert.match(output, /engine\/frames\.js\(\d+,\d+\): error TS\d+: .*'framez'/);
});
