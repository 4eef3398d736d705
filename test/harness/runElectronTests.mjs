// `npm run test:vscode:electron`: the same in-editor mocha suite (out/test/vscode) in desktop VS Code (Electron)
// through @vscode/test-electron. That downloads VS Code into .vscode-test/ on first use, so it needs internet
// (or RFT_VSCODE_EXECUTABLE pointing at an installed `code` binary) and, on Linux without a display, xvfb-run.
// The offline default for this repo is `npm run test:vscode` (VS Code server + headless chromium).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const testsEntry = path.join(repo, 'out/test/vscode/index.js');

async function main() {
  if (!fs.existsSync(testsEntry)) {
    console.error(
      `${testsEntry} is missing: run "node esbuild.js --tests" first (npm run test:vscode:electron does).`,
    );
    return 1;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rft-electron-'));
  const workspace = path.join(tmp, 'demo');
  fs.cpSync(path.join(repo, 'demo'), workspace, { recursive: true });
  try {
    return await runTests({
      extensionDevelopmentPath: repo,
      extensionTestsPath: testsEntry,
      vscodeExecutablePath: process.env.RFT_VSCODE_EXECUTABLE || undefined,
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${path.join(tmp, 'user-data')}`,
      ],
    });
  } catch (e) {
    const message = String(e?.message ?? e);
    if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo|download|fetch failed/i.test(message)) {
      console.error(
        [
          '[electron-tests] FAILED: could not download VS Code (this machine seems offline).',
          '  @vscode/test-electron needs https://update.code.visualstudio.com on first use, or set',
          '  RFT_VSCODE_EXECUTABLE=/path/to/code to use an installed VS Code.',
          '  Offline, run the same suite with: npm run test:vscode',
          `  (${message.split('\n')[0]})`,
        ].join('\n'),
      );
    } else {
      console.error(`[electron-tests] FAILED: ${message}`);
    }
    return 1;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code));
