// Which isolation python graders get on this machine: a bubblewrap (`bwrap`) sandbox built around the
// interpreter's own directories, probed once per (bwrap, interpreter) pair, or none (Windows, macOS, no
// bwrap, user namespaces disabled), in which case graders run only when the user allows it explicitly.
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

export interface SandboxLayout {
  /** sys.executable: what runs inside the sandbox (the pyenv/venv shim outside is not visible there). */
  executable: string;
  /** Directories bound read-only at the same path (interpreter prefix, stdlib, site-packages, NLTK data). */
  binds: string[];
  /** This bwrap takes `--size` for the /tmp tmpfs (bubblewrap 0.5 and later). */
  sizedTmp: boolean;
}

export type PythonSandbox =
  | { kind: 'bwrap'; bwrap: string; layout: SandboxLayout; description: string }
  | { kind: 'none'; reason: string }
  /** The interpreter itself could not be run: not a sandbox question, the worker start reports it. */
  | { kind: 'no-interpreter'; reason: string };

export const SANDBOX_DESCRIPTION =
  'bubblewrap: own user, PID, network, IPC, UTS and mount namespaces; read-only interpreter and system ' +
  'libraries; private /proc, minimal /dev, private size-limited /tmp; empty environment; all capabilities dropped';

/** Never bound, nor any directory that contains one of them: user data, the project, host /tmp, sockets. */
const DENIED_ROOTS = [
  '/root',
  '/home',
  '/work',
  '/tmp',
  '/run',
  '/var',
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/mnt',
];

const LAYOUT_SCRIPT = `import json, os, sys
print(json.dumps({"executable": sys.executable, "prefixes": [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix], "path": sys.path}))`;

interface LayoutReport {
  executable: string;
  prefixes: string[];
  path: string[];
}

function run(
  cmd: string,
  args: string[],
  timeoutMs: number,
  pathVar: string | undefined,
): Promise<{ code: number | null; stdout: string; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { timeout: timeoutMs, maxBuffer: 1 << 20, env: { PATH: pathVar ?? '/usr/bin:/bin' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr), error: error ?? undefined });
      },
    );
  });
}

function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith('/') ? parent : `${parent}/`);
}

/**
 * The read-only binds for an interpreter: its prefixes and import path, minus anything /usr already
 * covers, anything that would expose a denied root (binding `/home` to reach `/home/me/.venv` is refused,
 * binding `/home/me/.venv` itself is fine), and entries nested in another bind.
 */
export function bindsFor(report: LayoutReport, extra: string[], denied: string[]): string[] {
  const candidates = new Set<string>();
  const add = (p: string | undefined) => {
    if (!p || !path.isAbsolute(p) || !existsSync(p)) return;
    const norm = path.normalize(p);
    candidates.add(norm);
    try {
      const real = realpathSync(norm);
      if (real !== norm) candidates.add(real);
    } catch {
      /* unreadable: bwrap reports it */
    }
  };
  for (const p of report.prefixes) add(p);
  for (const p of report.path) add(p);
  add(path.dirname(report.executable));
  try {
    add(path.dirname(realpathSync(report.executable)));
  } catch {
    /* the probe reports a missing interpreter */
  }
  for (const p of extra) add(p);
  const roots = [...DENIED_ROOTS, ...denied].map((d) => path.normalize(d));
  const kept: string[] = [];
  for (const c of [...candidates].sort((a, b) => a.length - b.length)) {
    if (c === '/' || isInside(c, '/usr')) continue;
    if (roots.some((r) => isInside(r, c))) continue;
    if (kept.some((k) => isInside(c, k))) continue;
    kept.push(c);
  }
  return kept;
}

export interface SandboxEnvInput {
  /** Host environment: only LANG/TZ/NLTK_DATA are looked at. */
  env: Readonly<Record<string, string | undefined>>;
  tmpBytes: number;
}

/** bwrap arguments up to (not including) the interpreter. */
export function bwrapArgs(layout: SandboxLayout, input: SandboxEnvInput): string[] {
  const args = [
    '--unshare-all',
    '--unshare-user',
    '--uid',
    '65534',
    '--gid',
    '65534',
    '--hostname',
    'rft-grader',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--clearenv',
    '--ro-bind',
    '/usr',
    '/usr',
  ];
  // Merged-/usr systems have /bin, /lib… as symlinks into /usr; older ones have real directories.
  for (const dir of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    try {
      const st = lstatSync(dir);
      if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
      else if (st.isDirectory()) args.push('--ro-bind', dir, dir);
    } catch {
      /* absent on this system */
    }
  }
  // The dynamic loader's cache and Debian's alternatives symlinks; nothing else of /etc.
  for (const f of ['/etc/ld.so.cache', '/etc/alternatives', '/etc/localtime'])
    args.push('--ro-bind-try', f, f);
  args.push('--proc', '/proc', '--dev', '/dev');
  if (layout.sizedTmp) args.push('--size', String(input.tmpBytes));
  args.push('--tmpfs', '/tmp');
  // After the tmpfs, so an interpreter that lives under /tmp (a throwaway venv) is still visible.
  for (const b of layout.binds) args.push('--ro-bind', b, b);
  args.push('--chdir', '/tmp');
  const bin = path.dirname(layout.executable);
  const env: Record<string, string> = {
    PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
    HOME: '/tmp',
    TMPDIR: '/tmp',
    LANG: /^[\w.@-]+$/.test(input.env.LANG ?? '') ? input.env.LANG! : 'C.UTF-8',
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONIOENCODING: 'utf-8',
    // Thread pools of numeric libraries reserve address space per thread; the platform gives 2 CPUs.
    OPENBLAS_NUM_THREADS: '2',
    OMP_NUM_THREADS: '2',
    MKL_NUM_THREADS: '2',
  };
  if (input.env.TZ && /^[\w/+:-]+$/.test(input.env.TZ)) env.TZ = input.env.TZ;
  const nltk = nltkDirs(input.env).filter((d) => layout.binds.some((b) => isInside(d, b)));
  if (nltk.length) env.NLTK_DATA = nltk.join(path.delimiter);
  for (const [k, v] of Object.entries(env)) args.push('--setenv', k, v);
  return args;
}

function nltkDirs(env: Readonly<Record<string, string | undefined>>): string[] {
  return (env.NLTK_DATA ?? '').split(path.delimiter).filter((d) => d && path.isAbsolute(d));
}

const cache = new Map<string, Promise<PythonSandbox>>();

export interface DetectOptions {
  interpreter: string;
  /** bwrap executable (default `bwrap` on PATH). */
  bwrap?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/** Probes once per (bwrap, interpreter): asks the interpreter for its layout, then runs it under bwrap. */
export function detectSandbox(opts: DetectOptions): Promise<PythonSandbox> {
  const bwrap = opts.bwrap ?? 'bwrap';
  // PATH decides which python3 and which bwrap a bare name means.
  const key = `${bwrap}\0${opts.interpreter}\0${opts.env?.PATH ?? process.env.PATH}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = probe(bwrap, opts.interpreter, opts.env ?? process.env);
    cache.set(key, hit);
  }
  return hit;
}

const FIX =
  'Install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`) on Linux with user namespaces enabled, ' +
  'or accept running graders without a sandbox: `--allow-unsandboxed-python` in the CLI, ' +
  '`rftStudio.python.allowUnsandboxed` in the editor.';

async function probe(
  bwrap: string,
  interpreter: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<PythonSandbox> {
  if (process.platform !== 'linux')
    return {
      kind: 'none',
      reason: `no python sandbox on ${process.platform} (bubblewrap is Linux-only). ${FIX}`,
    };
  const layoutRun = await run(interpreter, ['-I', '-c', LAYOUT_SCRIPT], 15_000, env.PATH);
  let report: LayoutReport;
  try {
    report = JSON.parse(layoutRun.stdout) as LayoutReport;
    if (typeof report.executable !== 'string' || !Array.isArray(report.path)) throw new Error('bad layout');
  } catch {
    return {
      kind: 'no-interpreter',
      reason: `cannot ask ${interpreter} for its layout (${(layoutRun.error?.message ?? layoutRun.stderr).trim().slice(0, 300)})`,
    };
  }
  const denied = [env.HOME, process.cwd()].filter((d): d is string => !!d && path.isAbsolute(d));
  const layout: SandboxLayout = {
    executable: report.executable,
    binds: bindsFor(report, nltkDirs(env), denied),
    sizedTmp: true,
  };
  const attempt = () =>
    run(
      bwrap,
      [...bwrapArgs(layout, { env, tmpBytes: 1 << 20 }), report.executable, '-I', '-c', 'pass'],
      15_000,
      env.PATH,
    );
  let r = await attempt();
  if (r.code !== 0 && /--size/.test(r.stderr)) {
    // An older bubblewrap: the same sandbox with an unsized /tmp (still private; RLIMIT_FSIZE caps each file).
    layout.sizedTmp = false;
    r = await attempt();
  }
  if (r.code === 0) return { kind: 'bwrap', bwrap, layout, description: SANDBOX_DESCRIPTION };
  const why =
    (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
      ? `${bwrap} not found`
      : `${bwrap} cannot start a sandbox here: ${(r.stderr || r.error?.message || '').trim().slice(0, 300)}`;
  return { kind: 'none', reason: `${why}. ${FIX}` };
}
