// Shared test harness: starts the real share-server binary on a free port and
// Debian's Chromium through playwright-core, and reads canvas pixels back.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { decodePng } from './png.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const fixture = (name) => path.join(repoRoot, 'tests', 'fixtures', name);

// `webDir` overrides the served directory (the benchmark serves a copy with extra pages).
export async function startServer({ webDir = process.env.WEB_DIR || path.join(repoRoot, 'web') } = {}) {
  const bin = process.env.SHARE_SERVER_BIN || path.join(repoRoot, 'target', 'debug', 'share-server');
  // Each server gets its own share store, removed when it stops.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-studio-shares-'));
  const child = spawn(bin, ['--listen', '127.0.0.1:0', '--web-dir', webDir, '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  });
  let buffered = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start within 20 s')), 20000);
    child.on('exit', (code) => reject(new Error(`server exited early with ${code}`)));
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const match = buffered.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return {
    url,
    dataDir,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// WebGPU needs the flag (SwiftShader's adapter); the WebGL2 run omits it and
// also asks the page for WebGL2 explicitly, so each run exercises one path.
export async function launchBrowser(backend) {
  const args = [
    '--no-sandbox',
    '--headless=new',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ];
  // WebGPU runs on SwiftShader's Vulkan; ANGLE on Vulkan too lets the compositor show
  // WebGPU canvases in headless screenshots (with the default GL compositor they stay blank).
  if (backend === 'webgpu') args.push('--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-angle=vulkan');
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args, headless: true });
}

export async function openViewer(browser, serverUrl, backend) {
  const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
  const errors = [];
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const query = backend === 'webgl2' ? '?backend=webgl2' : '';
  await page.goto(`${serverUrl}/${query}`);
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.state), null, { timeout: 60000 });
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== 'ready') throw new Error(`viewer failed to start: ${await page.textContent('#error')}`);
  return { page, errors, requests };
}

// Loads files through the real <input type=file> and waits for the result.
export async function loadFiles(page, files, { expect = 'loaded', timeout = 60000 } = {}) {
  const before = Number(await page.evaluate(() => document.body.dataset.frames || 0));
  await page.setInputFiles('#file-input', files);
  await page.waitForFunction((s) => document.body.dataset.state === s || document.body.dataset.state === 'error' || document.body.dataset.state === 'loaded', expect, { timeout });
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== expect) {
    throw new Error(`expected state ${expect}, got ${state}: ${await page.textContent('#error')}`);
  }
  if (state === 'loaded') {
    // Wait for a frame drawn after the load.
    await page.waitForFunction((n) => Number(document.body.dataset.frames || 0) > n, before, { timeout });
    await page.waitForTimeout(100);
  }
}

// The canvas as the user sees it: a screenshot of the element, decoded.
export async function canvasPixels(page) {
  const png = await page.locator('#view').screenshot();
  return decodePng(png);
}

// Fraction of pixels that differ from the background colour, and their mean colour.
export function coverage({ pixels }, background, tolerance = 24) {
  let covered = 0;
  const sum = [0, 0, 0];
  const total = pixels.length / 4;
  for (let i = 0; i < pixels.length; i += 4) {
    const d = Math.abs(pixels[i] - background[0]) + Math.abs(pixels[i + 1] - background[1]) + Math.abs(pixels[i + 2] - background[2]);
    if (d > tolerance) {
      covered += 1;
      sum[0] += pixels[i];
      sum[1] += pixels[i + 1];
      sum[2] += pixels[i + 2];
    }
  }
  const mean = covered ? sum.map((s) => s / covered) : [0, 0, 0];
  return { fraction: covered / total, mean };
}

export function pixelAt({ width, pixels }, x, y) {
  const o = (Math.round(y) * width + Math.round(x)) * 4;
  return [pixels[o], pixels[o + 1], pixels[o + 2]];
}
