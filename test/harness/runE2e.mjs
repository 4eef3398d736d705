// `npm run test:e2e`: starts ONE VS Code server, runs every test/e2e/*.e2e.ts with node:test (one file at a time,
// each file opens its own browser windows against that server), fails when any window requested a non-loopback
// host, prints where the screenshots are, stops the server and exits with the tests' code.
// Args: optional file paths/name filters (`npm run test:e2e -- foundation`). Env: RFT_E2E_SCREENSHOTS (folder),
// RFT_E2E_TIMEOUT_MS (whole run, default 20 min).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureHarnessOrExit } from './install.mjs';
import { startServer } from './server.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const timeoutMs = Number(process.env.RFT_E2E_TIMEOUT_MS ?? 20 * 60_000);

function e2eFiles(filters) {
  const dir = path.join(repo, 'test/e2e');
  const all = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.e2e.ts'))
    .sort()
    .map((f) => path.join('test/e2e', f));
  if (!filters.length) return all;
  return all.filter((f) => filters.some((q) => f.includes(q.replace(/^\.\//, ''))));
}

async function main() {
  const t0 = Date.now();
  const files = e2eFiles(process.argv.slice(2));
  if (!files.length) {
    console.error('[e2e] no test/e2e/*.e2e.ts files matched');
    return 1;
  }
  const screenshots = path.resolve(
    process.env.RFT_E2E_SCREENSHOTS ?? path.join(repo, 'test-results/screenshots'),
  );
  // A full run starts from an empty folder so every screenshot there is from this run.
  if (process.argv.length <= 2) fs.rmSync(screenshots, { recursive: true, force: true });
  fs.mkdirSync(screenshots, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rft-e2e-run-'));
  const offHostLog = path.join(scratch, 'offhost.log');

  await ensureHarnessOrExit('e2e', { log: (m) => console.log(`[e2e] ${m}`) });
  const server = await startServer({ log: (m) => console.log(`[e2e] ${m}`) });
  let code = 1;
  try {
    console.log(`[e2e] running ${files.length} file(s): ${files.join(' ')}`);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
      {
        cwd: repo,
        stdio: 'inherit',
        env: {
          ...process.env,
          RFT_E2E_URL: server.url,
          RFT_E2E_SCREENSHOTS: screenshots,
          RFT_E2E_OFFHOST_LOG: offHostLog,
        },
      },
    );
    let timer;
    code = await new Promise((resolve) => {
      timer = setTimeout(() => {
        console.error(`[e2e] FAILED: still running after ${timeoutMs / 1000} s; killing the tests`);
        child.kill('SIGKILL');
        resolve(1);
      }, timeoutMs);
      child.on('close', (c, sig) => resolve(c ?? (sig ? 1 : 0)));
    });
    clearTimeout(timer);
    if (fs.existsSync(offHostLog)) {
      console.error(`[e2e] FAILED: requests left 127.0.0.1:\n${fs.readFileSync(offHostLog, 'utf8')}`);
      code = code || 1;
    } else {
      console.log('[e2e] 0 off-host requests');
    }
  } finally {
    await server.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const pngs = fs.readdirSync(screenshots).filter((f) => f.endsWith('.png')).length;
  console.log(`[e2e] screenshots (${pngs}): ${screenshots}`);
  console.log(`[e2e] ${code === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`[e2e] FAILED: ${e?.stack ?? e}`);
    process.exit(1);
  },
);
