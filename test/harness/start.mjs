// `npm start`: a real VS Code in the browser, offline, with RFT Studio loaded from this repo (dist/, built by the
// npm script) and the repo's demo/ folder open (the real folder, not a copy). Runs until Ctrl-C.
// The repo is linked into a fresh extensions folder, so notifications and dialogs behave normally (no smoke
// driver). `npm run watch` in another terminal + "Developer: Reload Window" picks up changes.
// Env: PORT (default 8130). Flag --check: print the URL as usual, then open it in headless chromium, wait for the
// RFT Studio activity-bar entry, save a screenshot, stop and exit 0/1 (CI runs `npm start -- --check`).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, trackOffHostRequests } from './browser.mjs';
import { ensureHarnessOrExit } from './install.mjs';
import { startServer } from './server.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const demo = path.join(repo, 'demo');
const port = Number(process.env.PORT ?? 8130);
const check = process.argv.includes('--check');

function portFree(p) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(p, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function selfCheck(url) {
  const t0 = Date.now();
  const browser = await launchBrowser();
  try {
    const offHost = await trackOffHostRequests(browser.context);
    await browser.page.goto(url);
    await browser.page
      .locator('.activitybar [aria-label*="RFT Studio"]')
      .first()
      .waitFor({ state: 'visible', timeout: 90_000 });
    const shot = path.join(repo, 'test-results', 'start-check.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await browser.page.screenshot({ path: shot });
    console.log(`[start] check: RFT Studio icon visible after ${Date.now() - t0} ms; screenshot ${shot}`);
    if (offHost.length) throw new Error(`requests left 127.0.0.1: ${offHost.join(', ')}`);
  } finally {
    await browser.close();
  }
}

async function main() {
  if (!fs.existsSync(path.join(repo, 'dist', 'extension.js'))) {
    console.error('dist/extension.js is missing: run "node esbuild.js" first (npm start does).');
    return 1;
  }
  if (!(await portFree(port))) {
    console.error(
      `Port ${port} on 127.0.0.1 is in use. Stop what is using it, or pick another: PORT=8131 npm start`,
    );
    return 1;
  }
  // A first run installs the test bed (minutes, with progress lines); a failure exits here, naming the step.
  await ensureHarnessOrExit('start', { log: (m) => console.log(`[start] ${m}`), needBrowser: check });
  const server = await startServer({
    port,
    needBrowser: check,
    smokeTestDriver: false,
    symlinkExtensions: [repo],
    log: (m) => console.log(`[start] ${m}`),
  });
  const url = `${server.url}/?folder=${encodeURIComponent(demo).replace(/%2F/g, '/')}`;
  console.log('');
  console.log('  RFT Studio is running in VS Code. Open this URL in your browser:');
  console.log('');
  console.log(`    ${url}`);
  console.log('');
  console.log(`  Workspace: ${demo}`);
  if (check) {
    try {
      await selfCheck(url);
      return 0;
    } catch (e) {
      console.error(`[start] check FAILED: ${e?.message ?? e}\n(server log: ${server.logFile})`);
      return 1;
    } finally {
      await server.stop();
    }
  }
  console.log('  Rebuild on change: npm run watch (then "Developer: Reload Window")');
  console.log('  Press Ctrl-C to stop.');
  // server.mjs stops the whole server process group on SIGINT/SIGTERM/exit; until then keep this process alive.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const how = await server.exited;
  clearInterval(keepAlive);
  if (server.stopRequested) {
    await server.stop();
    console.log('[start] stopped');
    return 130;
  }
  console.error(`[start] the VS Code server stopped unexpectedly (${how}); log: ${server.logFile}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`[start] FAILED: ${e?.stack ?? e}`);
    process.exit(1);
  },
);
