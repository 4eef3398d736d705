// `npm run test:vscode`: runs the mocha suite in out/test/vscode inside a real VS Code extension host (the raw
// VS Code server from code-server, driven by headless chromium) and exits with mocha's exit code.
// The workspace is a fresh temp copy of demo/. Env: RFT_VSCODE_TEST_TIMEOUT_MS (default 300000),
// RFT_VSCODE_TEST_VERBOSE=1 (also print the workbench's own log lines), RFT_VSCODE_TEST_GREP=<regexp> (run only
// matching suites/tests; the extension host inherits the server's environment).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { copyWorkspace, launchBrowser, trackOffHostRequests, workbenchUrl } from './browser.mjs';
import { ensureHarnessOrExit } from './install.mjs';
import { startServer } from './server.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const testsEntry = path.join(repo, 'out/test/vscode/index.js');
const timeoutMs = Number(process.env.RFT_VSCODE_TEST_TIMEOUT_MS ?? 300_000);
const verbose = Boolean(process.env.RFT_VSCODE_TEST_VERBOSE);
/** Workbench chatter that is expected offline and says nothing about our tests (RFT_VSCODE_TEST_VERBOSE=1 shows it). */
const NOISE = [
  /^(Resolving|Resolved) connection token/,
  /^Creating a socket/,
  /^\[reconnection-grace-time\]/,
  /^Updating additional builtin extensions cache/,
  /^\[AgentHost:remote\]/,
  /^\[AccountPolicyGate\]/,
  /^Creation of workbench contribution '.*' took \d+ms/,
  /^\[Service Worker\] registration/,
  /authentication provider 'github'/,
  /ECONNREFUSED 127\.0\.0\.1:9\b/,
];

async function main() {
  if (!fs.existsSync(testsEntry)) {
    console.error(
      `${testsEntry} is missing: run "node esbuild.js --tests" first (npm run test:vscode does).`,
    );
    return 1;
  }
  await ensureHarnessOrExit('vscode-tests', { log: (m) => console.log(`[vscode-tests] ${m}`) });
  const t0 = Date.now();
  const workspace = copyWorkspace(path.join(repo, 'demo'));
  const server = await startServer();
  let browser;
  try {
    browser = await launchBrowser();
    const { page, context } = browser;
    const offHost = await trackOffHostRequests(context);
    let settle;
    const exitCode = new Promise((resolve) => (settle = resolve));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      // The window forwards its console (ext-host mocha output included) as printf-style argument lists.
      const text = Array.isArray(args) ? format(...args) : String(args);
      if (!verbose && NOISE.some((re) => re.test(text))) return;
      (type === 'error' ? process.stderr : process.stdout).write(text.endsWith('\n') ? text : text + '\n');
    });
    await page.exposeFunction('codeAutomationExit', (code) => settle(Number(code)));
    page.on('crash', () => settle(-2));
    const url = workbenchUrl(server, {
      folder: workspace,
      extensionDevelopmentPath: repo,
      extensionTestsPath: testsEntry,
    });
    console.log(`[vscode-tests] workspace ${workspace}`);
    await page.goto(url);
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve(-1), timeoutMs);
    });
    const code = await Promise.race([exitCode, timeout]);
    clearTimeout(timer);
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    if (code === -1) {
      console.error(
        `[vscode-tests] FAILED: no result after ${timeoutMs / 1000} s (server log: ${server.logFile})`,
      );
      process.env.RFT_KEEP_STATE = '1';
      return 1;
    }
    if (code === -2) {
      console.error('[vscode-tests] FAILED: the browser page crashed');
      return 1;
    }
    if (offHost.length) {
      console.error(
        `[vscode-tests] FAILED: ${offHost.length} request(s) left 127.0.0.1:\n  ${offHost.join('\n  ')}`,
      );
      return 1;
    }
    console.log(`[vscode-tests] mocha exited with ${code} after ${secs} s (0 off-host requests)`);
    return code;
  } finally {
    await browser?.close();
    await server.stop();
    fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`[vscode-tests] FAILED: ${e?.stack ?? e}`);
    process.exit(1);
  },
);
