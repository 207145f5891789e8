// `cargo xtask bench`: the share server on loopback, side by side with nginx
// serving the same bytes as a static file in the same run: upload and download
// throughput of a 256 MiB share (curl as the client for both, median of 3), and
// the server's peak memory while it receives a 1 GiB upload.
//
// Needs `nginx` (the xtask installs Debian's package) and `curl`.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { writeSection } from './report.mjs';

const MIB = 1024 * 1024;
const SHARE_MIB = Number(process.env.BENCH_SHARE_SERVER_MIB) || 256;
const RSS_UPLOAD_MIB = Number(process.env.BENCH_RSS_UPLOAD_MIB) || 1024;
const RUNS = 3;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

// Writes `mib` MiB of random bytes (ciphertext does not compress) in 1 MiB blocks.
function randomFile(file, mib) {
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < mib; i += 1) fs.writeSync(fd, crypto.randomBytes(MIB));
  fs.closeSync(fd);
}

// curl's own timing of one transfer, in seconds.
function curlSeconds(args) {
  const out = execFileSync('curl', ['-sS', '--fail', '-o', '/dev/null', '-w', '%{time_total}', ...args], {
    maxBuffer: 1024 * 1024,
  });
  return Number(out.toString());
}

async function startShareServer(dataDir, extraArgs = []) {
  const child = spawn(
    process.env.SHARE_SERVER_BIN,
    ['--listen', '127.0.0.1:0', '--data-dir', dataDir, '--web-dir', process.env.WEB_DIR, ...extraArgs],
    { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, RUST_LOG: 'warn' } },
  );
  let buffered = '';
  const url = await new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`share-server exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const match = buffered.match(/listening on (http:\/\/\S+)/);
      if (match) resolve(match[1]);
    });
  });
  return { child, url };
}

async function startNginx(root, port) {
  const conf = path.join(root, 'nginx.conf');
  fs.writeFileSync(
    conf,
    `daemon off;
worker_processes 1;
pid ${root}/nginx.pid;
error_log ${root}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path ${root}/tmp;
  proxy_temp_path ${root}/tmp;
  fastcgi_temp_path ${root}/tmp;
  uwsgi_temp_path ${root}/tmp;
  scgi_temp_path ${root}/tmp;
  server {
    listen 127.0.0.1:${port};
    root ${root}/www;
  }
}
`,
  );
  fs.mkdirSync(path.join(root, 'tmp'), { recursive: true });
  const child = spawn('nginx', ['-c', conf, '-p', root], { stdio: 'ignore' });
  for (let i = 0; i < 100; i += 1) {
    try {
      curlSeconds([`http://127.0.0.1:${port}/missing`]);
    } catch (e) {
      if (String(e.stderr || e.message).includes('404') || e.status === 22) return child;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('nginx did not start');
}

function peakRssMib(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmHWM:\s+(\d+) kB/)[1]) / 1024;
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'share-server-bench-'));
  // nginx's workers drop privileges: they must be able to read the file.
  fs.chmodSync(work, 0o755);
  try {
    const file = path.join(work, 'www', 'share.bin');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    console.log(`Writing ${SHARE_MIB} MiB of random bytes…`);
    randomFile(file, SHARE_MIB);

    const max = String(2 * RSS_UPLOAD_MIB * MIB);
    const limits = ['--create-per-minute', '0', '--reads-per-minute', '0', '--max-upload-bytes', max, '--quota-bytes', String(64 * 1024 * MIB)];
    const share = await startShareServer(path.join(work, 'data'), limits);
    const nginxPort = await freePort();
    const nginx = await startNginx(work, nginxPort);
    const upload = [];
    const download = [];
    const nginxDownload = [];
    try {
      for (let run = 0; run < RUNS; run += 1) {
        const receipt = path.join(work, 'receipt.json');
        const started = performance.now();
        execFileSync('curl', ['-sS', '--fail', '-o', receipt, '-H', 'Content-Type: application/octet-stream', '-X', 'POST', '-T', file, `${share.url}/api/shares`]);
        upload.push((performance.now() - started) / 1000);
        const { id } = JSON.parse(fs.readFileSync(receipt, 'utf8'));
        download.push(curlSeconds([`${share.url}/api/shares/${id}`]));
        nginxDownload.push(curlSeconds([`http://127.0.0.1:${nginxPort}/share.bin`]));
        console.log(`  run ${run + 1}: upload ${upload.at(-1).toFixed(2)} s, download ${download.at(-1).toFixed(2)} s, nginx ${nginxDownload.at(-1).toFixed(2)} s`);
      }
    } finally {
      nginx.kill('SIGTERM');
      share.child.kill('SIGTERM');
    }

    // Peak memory while receiving a large upload, on a fresh server process.
    fs.rmSync(file);
    const big = path.join(work, 'big.bin');
    console.log(`Writing ${RSS_UPLOAD_MIB} MiB for the memory measurement…`);
    randomFile(big, RSS_UPLOAD_MIB);
    const fresh = await startShareServer(path.join(work, 'data-rss'), limits);
    execFileSync('curl', ['-sS', '--fail', '-o', '/dev/null', '-X', 'POST', '-T', big, `${fresh.url}/api/shares`]);
    const rss = peakRssMib(fresh.child.pid);
    fresh.child.kill('SIGTERM');

    const nginxVersion = spawnSync('nginx', ['-v']).stderr.toString().trim().replace('nginx version: ', '');
    const mbps = (seconds) => ((SHARE_MIB * MIB) / 1e6 / seconds).toFixed(0);
    const ratio = median(nginxDownload) / median(download);
    const body = [
      `Run ${new Date().toISOString().slice(0, 10)} on ${os.availableParallelism()} × ${os.cpus()[0]?.model}, loopback, curl as the client, median of ${RUNS}.`,
      '',
      `| ${SHARE_MIB} MiB share | share-server | ${nginxVersion} (static file) | share-server ÷ nginx |`,
      '| --- | ---: | ---: | ---: |',
      `| download | ${mbps(median(download))} MB/s | ${mbps(median(nginxDownload))} MB/s | ${(ratio * 100).toFixed(0)} % |`,
      `| upload (stored, fsynced) | ${mbps(median(upload))} MB/s | — | — |`,
      '',
      `Peak resident memory of the server while receiving a ${RSS_UPLOAD_MIB} MiB upload: ${rss.toFixed(1)} MiB (VmHWM; target < 64 MiB).`,
    ].join('\n');
    writeSection('share-server', 'Share server throughput and memory', body);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
