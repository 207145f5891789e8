// Builds the web directory for the three.js reference page: a copy of web/
// (so the share-server serves it with the same headers and CSP) plus the
// bench page and the three.js modules it needs. Nothing is written into web/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../browser/harness.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const three = path.join(repoRoot, 'tests', 'node_modules', 'three');

// Module files copied, and where; three.module.js imports ./three.core.js itself.
const MODULES = [
  ['build/three.module.js', 'three/build/three.module.js'],
  ['build/three.core.js', 'three/build/three.core.js'],
  ['examples/jsm/loaders/STLLoader.js', 'three/loaders/STLLoader.js'],
  ['examples/jsm/loaders/GLTFLoader.js', 'three/loaders/GLTFLoader.js'],
  // GLTFLoader imports these two as '../utils/…', which this layout keeps.
  ['examples/jsm/utils/BufferGeometryUtils.js', 'three/utils/BufferGeometryUtils.js'],
  ['examples/jsm/utils/SkeletonUtils.js', 'three/utils/SkeletonUtils.js'],
];

export function threeVersion() {
  return JSON.parse(fs.readFileSync(path.join(three, 'package.json'), 'utf8')).version;
}

// Returns the temporary directory; the caller removes it.
export function buildThreePage() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-web-'));
  fs.cpSync(path.join(repoRoot, 'web'), dir, { recursive: true });
  for (const name of ['bench-three.html', 'bench-three.js']) fs.copyFileSync(path.join(here, 'three', name), path.join(dir, name));
  for (const [from, to] of MODULES) {
    const target = path.join(dir, to);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    let source = fs.readFileSync(path.join(three, from), 'utf8');
    // The addons import the bare specifier 'three', which needs an importmap; the
    // CSP blocks inline ones, so point the imports at the copied build instead.
    const core = path.relative(path.dirname(target), path.join(dir, 'three/build/three.module.js'));
    source = source.replaceAll("from 'three';", `from '${core.startsWith('.') ? core : `./${core}`}';`);
    fs.writeFileSync(target, source);
  }
  return dir;
}
