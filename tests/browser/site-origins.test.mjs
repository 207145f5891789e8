// The built site names no third-party origin: every HTML, CSS and JavaScript
// file under web/ (the wasm-bindgen glue included) is scanned for absolute
// http(s) URLs outside comments. The pages may only load from their own origin
// (the CSP says so too; this catches a link, font or script that would be
// blocked in production or that a later CSP change would let through).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './harness.mjs';

const WEB = path.join(repoRoot, 'web');
const ORIGIN = /\b(?:https?|wss?):\/\/[A-Za-z0-9.-]+/g;

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return files(full);
    return /\.(html|css|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

// Comments say where an idea came from; they are never fetched. Strings keep
// their contents, so a URL in code is still found.
function withoutComments(text, extension) {
  if (extension === '.html') return text.replace(/<!--[\s\S]*?-->/g, '');
  let out = '';
  let i = 0;
  let quote = null;
  while (i < text.length) {
    const c = text[i];
    if (quote) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (c === quote) quote = null;
      i += 1;
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
      out += c;
      i += 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === '/' && text[i + 1] === '/' && extension !== '.css') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

test('no page, style or script under web/ names another origin', () => {
  const scanned = files(WEB);
  assert.ok(scanned.some((f) => f.endsWith('index.html')) && scanned.some((f) => f.includes(`${path.sep}pkg${path.sep}`)), 'the built site is there');
  const found = [];
  for (const file of scanned) {
    const text = withoutComments(fs.readFileSync(file, 'utf8'), path.extname(file));
    for (const match of text.matchAll(ORIGIN)) found.push(`${path.relative(repoRoot, file)}: ${match[0]}`);
  }
  assert.deepEqual(found, []);
});

test('the scan itself finds an origin in code and ignores one in a comment', () => {
  const code = "// see https://example.org/docs\nconst u = 'https://cdn.example.com/x.js'; /* https://a.b */";
  const hits = [...withoutComments(code, '.js').matchAll(ORIGIN)].map((m) => m[0]);
  assert.deepEqual(hits, ['https://cdn.example.com']);
  assert.deepEqual([...withoutComments('<!-- http://x.y --><a href="http://z.w">', '.html').matchAll(ORIGIN)].map((m) => m[0]), ['http://z.w']);
});
