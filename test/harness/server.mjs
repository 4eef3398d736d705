// Starts and stops the raw VS Code server (server-main.js inside code-server) on 127.0.0.1 with a throwaway state
// folder. The server runs as its own process group so stop() - and any exit of this process - takes the whole
// tree (server, extension hosts, file watcher, language servers) down with it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureHarness } from './install.mjs';

/** Settings every harness window starts with: quiet, offline, deterministic. */
export const BASE_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'github.gitAuthentication': false,
};

/** The extension gallery must never be contacted: point it at a closed loopback port. */
const OFFLINE_GALLERY = JSON.stringify({
  serviceUrl: 'http://127.0.0.1:9/gallery',
  itemUrl: 'http://127.0.0.1:9/items',
});

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

const live = new Set();
let hooksInstalled = false;

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function groupAlive(pid) {
  return killGroup(pid, 0);
}

function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // Last resort: whatever happens to this process, no server tree survives it.
  process.on('exit', () => {
    for (const s of live) {
      killGroup(s.pid, 'SIGKILL');
      if (s.ownsState) fs.rmSync(s.stateDir, { recursive: true, force: true });
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      Promise.all([...live].map((s) => s.stop())).finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });
  }
}

async function waitForHttp(url, child, logFile, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `VS Code server exited early (${child.exitCode ?? child.signalCode}):\n${tail(logFile)}`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`VS Code server did not answer on ${url} within ${timeoutMs} ms:\n${tail(logFile)}`);
}

function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Runs `server-main.js --install-extension <vsix|id>` against an extensions folder (blocking).
 * @param {{ node: string, serverMain: string }} paths
 */
export async function installExtension(paths, extensionsDir, vsix, stateDir) {
  const args = [
    paths.serverMain,
    '--user-data-dir',
    path.join(stateDir, 'user-data'),
    '--server-data-dir',
    path.join(stateDir, 'server-data'),
    '--extensions-dir',
    extensionsDir,
    '--install-extension',
    vsix,
    '--force',
  ];
  const child = spawn(paths.node, args, {
    env: { ...process.env, EXTENSIONS_GALLERY: OFFLINE_GALLERY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise((r) => child.on('close', r));
  if (code !== 0) throw new Error(`--install-extension ${vsix} failed (${code}):\n${out}`);
  return out;
}

/**
 * Starts a VS Code server.
 * @param {object} [opts]
 * @param {number} [opts.port] default: a free port
 * @param {boolean} [opts.smokeTestDriver] default true: needed for URL payloads (extensionDevelopmentPath,
 *   extensionTestsPath); hides notification toasts and skips dialogs.
 * @param {Record<string, unknown>} [opts.settings] extra user settings
 * @param {string} [opts.extensionsDir] default: an empty folder in the state dir
 * @param {string[]} [opts.symlinkExtensions] extension folders to link into the extensions dir as
 *   <publisher>.<name>-<version> (how `npm start` loads the repo without the smoke driver)
 * @param {string} [opts.stateDir] default: a fresh temp folder, removed on stop()
 * @param {boolean} [opts.needBrowser] default true; false when the user brings the browser (npm start)
 * @param {(msg: string) => void} [opts.log]
 */
export async function startServer(opts = {}) {
  const log = opts.log ?? ((m) => console.log(`[server] ${m}`));
  const paths = await ensureHarness({ log, needBrowser: opts.needBrowser ?? true });
  const ownState = !opts.stateDir;
  const stateDir = opts.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rft-vscode-'));
  const userData = path.join(stateDir, 'user-data');
  const serverData = path.join(stateDir, 'server-data');
  const extensionsDir = opts.extensionsDir ?? path.join(stateDir, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(serverData, { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  const settings = JSON.stringify({ ...BASE_SETTINGS, ...opts.settings }, null, 2);
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), settings);
  for (const dir of opts.symlinkExtensions ?? []) {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const link = path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
    fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync(dir, link, 'dir');
  }

  const port = opts.port ?? (await freePort());
  const args = [
    paths.serverMain,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--telemetry-level',
    'off',
    '--disable-workspace-trust',
    '--reconnection-grace-time',
    '5',
    '--user-data-dir',
    userData,
    '--server-data-dir',
    serverData,
    '--extensions-dir',
    extensionsDir,
  ];
  if (opts.smokeTestDriver !== false) args.push('--enable-smoke-test-driver');
  const logFile = path.join(stateDir, 'server.log');
  const out = fs.openSync(logFile, 'a');
  const t0 = Date.now();
  // detached => setsid(): the server leads its own process group, which stop() kills as a whole.
  const child = spawn(paths.node, args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, EXTENSIONS_GALLERY: OFFLINE_GALLERY, VSCODE_CLI: undefined },
  });
  fs.closeSync(out);
  const pid = /** @type {number} */ (child.pid);
  const url = `http://127.0.0.1:${port}`;

  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  let stopping = null;
  const server = {
    pid,
    port,
    url,
    stateDir,
    userDataDir: userData,
    extensionsDir,
    logFile,
    paths,
    /** Settles with the exit code (or signal) when the server process ends. */
    exited,
    ownsState: ownState && !process.env.RFT_KEEP_STATE,
    /** vscode-remote:// URI of a path on this server, as URL payloads need. */
    remoteUri: (p) => `vscode-remote://127.0.0.1:${port}${p}`,
    /** Kills the whole process group and waits until every member has exited. */
    stopRequested: false,
    stop() {
      server.stopRequested = true;
      stopping ??= (async () => {
        killGroup(pid, 'SIGTERM');
        const deadline = Date.now() + 5000;
        while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        if (groupAlive(pid)) {
          killGroup(pid, 'SIGKILL');
          while (groupAlive(pid)) await new Promise((r) => setTimeout(r, 50));
        }
        live.delete(server);
        if (ownState && !process.env.RFT_KEEP_STATE) fs.rmSync(stateDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
  live.add(server);
  installExitHooks();
  child.unref();
  try {
    await waitForHttp(url + '/', child, logFile, 60_000);
  } catch (e) {
    await server.stop();
    throw e;
  }
  log(`VS Code server listening on ${url} (pid ${pid}, started in ${Date.now() - t0} ms, log ${logFile})`);
  return server;
}
