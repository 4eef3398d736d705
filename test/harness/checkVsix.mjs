// Installs a packaged .vsix into a fresh VS Code server (`server-main.js --install-extension`), opens the demo
// folder in headless chromium, runs "RFT Studio: Show Log" and waits for the activation line in the output:
// proves the package is complete.
// Usage: node test/harness/checkVsix.mjs [rft-studio.vsix]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyWorkspace, launchBrowser, trackOffHostRequests } from './browser.mjs';
import { ensureHarnessOrExit } from './install.mjs';
import { installExtension, startServer } from './server.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const vsix = path.resolve(process.argv[2] ?? path.join(repo, 'rft-studio.vsix'));

/**
 * The installed package's CLI counts tokens: the o200k_base ranks live in one shared file (dist/ranks/) that
 * every bundle requires at first use, so a package without it would only fail when a token count is asked for.
 */
function checkInstalledCli(extensionDir, workspace) {
  const cli = path.join(extensionDir, 'dist', 'cli.js');
  const dataset = path.join(workspace, 'datasets', 'sft', 'gsm8k_chat_validation.jsonl');
  const run = spawnSync(process.execPath, [cli, 'stats', dataset, '--reporter', 'json'], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`the installed CLI failed (${run.status}): ${run.stderr.trim()}`);
  const total = JSON.parse(run.stdout).tokens?.total;
  if (!(typeof total === 'number' && total > 0))
    throw new Error(`the installed CLI counted no tokens in ${dataset}: ${run.stdout.slice(0, 300)}`);
  console.log(`[vsix] the installed CLI counts ${total} tokens in ${path.basename(dataset)}`);
}

async function main() {
  if (!fs.existsSync(vsix)) {
    console.error(`[vsix] ${vsix} not found: run npm run package first`);
    return 1;
  }
  const t0 = Date.now();
  const paths = await ensureHarnessOrExit('vsix', { log: (m) => console.log(`[vsix] ${m}`) });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rft-vsix-'));
  const extensionsDir = path.join(stateDir, 'extensions');
  fs.mkdirSync(extensionsDir, { recursive: true });
  const workspace = copyWorkspace(path.join(repo, 'demo'));
  let server;
  let browser;
  try {
    const out = await installExtension(paths, extensionsDir, vsix, stateDir);
    console.log(`[vsix] ${out.trim().split('\n').pop()} (${Date.now() - t0} ms)`);
    const installed = fs.readdirSync(extensionsDir).filter((d) => d.startsWith('rft-studio.rft-studio-'));
    if (installed.length !== 1)
      throw new Error(`expected one rft-studio folder in ${extensionsDir}, got ${installed}`);
    checkInstalledCli(path.join(extensionsDir, installed[0]), workspace);
    server = await startServer({
      stateDir,
      extensionsDir,
      smokeTestDriver: false,
      log: (m) => console.log(`[vsix] ${m}`),
    });
    browser = await launchBrowser();
    const offHost = await trackOffHostRequests(browser.context);
    await browser.page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await browser.page
      .locator('.activitybar [aria-label*="RFT Studio"]')
      .first()
      .waitFor({ state: 'visible', timeout: 90_000 });
    // Activation proves the bundle is complete (a module missing from the package fails here).
    const { page } = browser;
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input.input').fill('>RFT Studio: Show Log');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'RFT Studio: Show Log' })
      .first()
      .click();
    await page
      .locator('.part.panel .monaco-editor .view-lines', { hasText: 'activated' })
      .first()
      .waitFor({ state: 'visible', timeout: 60_000 });
    if (offHost.length) throw new Error(`requests left 127.0.0.1: ${offHost.join(', ')}`);
    console.log(`[vsix] OK: installed ${installed[0]} and it activates (${Date.now() - t0} ms)`);
    return 0;
  } catch (e) {
    if (browser) {
      const shot = path.join(repo, 'test-results', 'vsix-check-failure.png');
      fs.mkdirSync(path.dirname(shot), { recursive: true });
      await browser.page.screenshot({ path: shot }).catch(() => {});
      console.error(`[vsix] screenshot of the failure: ${shot}`);
    }
    throw e;
  } finally {
    await browser?.close();
    await server?.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
    fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`[vsix] FAILED: ${e?.message ?? e}`);
    process.exit(1);
  },
);
