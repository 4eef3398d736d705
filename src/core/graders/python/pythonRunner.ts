// Runs python grader source in a long-lived worker process per grader. Rows queue up and go to the
// worker in batches over stdin/stdout. Limits: per-call time limit (SIGALRM in the worker plus a hard
// kill of the process group from here), RLIMIT_AS 2 GiB, RLIMIT_FSIZE 1 GiB, RLIMIT_NPROC (non-root),
// a cap on captured prints and on protocol lines, no network (Linux: a fresh network namespace via
// `unshare -n`, and a PID namespace so every child dies with the worker; elsewhere socket creation is
// blocked inside the worker), and an environment without the parent's secrets.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Logger } from '../../log';
import { nullLogger } from '../../log';
import { pythonWorkerSource } from './workerSource';

export interface PythonLimits {
  /** Per-call time limit (ms); the platform's is 2 minutes. */
  timeoutMs: number;
  /** Address-space limit in bytes (platform: 2 GB). */
  memoryBytes: number;
  /** Largest file the grader may write (platform: 1 GB disk). */
  fileSizeBytes: number;
  /** Characters of print output kept per call. */
  outputCap: number;
  /** Max processes for the worker's user (ignored by Linux for root). */
  maxProcesses: number;
}

export const DEFAULT_PYTHON_LIMITS: PythonLimits = {
  timeoutMs: 120_000,
  memoryBytes: 2 * 1024 ** 3,
  fileSizeBytes: 1024 ** 3,
  outputCap: 1 << 20,
  maxProcesses: 256,
};

/** Largest protocol line accepted from a worker (a result is small; anything bigger is hostile). */
const MAX_PROTOCOL_LINE = 64 * 1024 * 1024;
const STDERR_TAIL = 16 * 1024;
const HARD_KILL_GRACE_MS = 2_000;
const MAX_BATCH = 256;

export type PythonOutcome =
  | { ok: true; value: number; time: number; stdout: string }
  | { ok: false; kind: 'runtime' | 'server'; error: string; details: string; time: number; stdout: string };

export type SandboxKind = 'unshare' | 'unshare-user' | 'in-process';

export interface SandboxInfo {
  kind: SandboxKind;
  /** What is enforced, for logs and docs. */
  description: string;
}

const sandboxCache = new Map<string, SandboxInfo>();

/** Finds the strongest isolation this OS allows for the interpreter (probed once per interpreter). */
export function detectSandbox(interpreter: string): SandboxInfo {
  const hit = sandboxCache.get(interpreter);
  if (hit) return hit;
  let info: SandboxInfo = {
    kind: 'in-process',
    description: 'socket creation blocked inside the worker; children killed with the process group',
  };
  if (process.platform === 'linux') {
    for (const [kind, flags] of [
      ['unshare', ['-n', '-p', '-f', '--kill-child']],
      ['unshare-user', ['-r', '-n', '-p', '-f', '--kill-child']],
    ] as const) {
      const r = spawnSync('unshare', [...flags, interpreter, '-c', 'import socket'], {
        timeout: 10_000,
        stdio: 'ignore',
      });
      if (r.status === 0) {
        info = {
          kind,
          description:
            'own network namespace (no interfaces up) and PID namespace (children die with the worker)',
        };
        break;
      }
    }
  }
  sandboxCache.set(interpreter, info);
  return info;
}

const ENV_KEEP =
  /^(PATH|HOME|USER|LANG|LC_[A-Z]+|TZ|TMPDIR|TEMP|TMP|SYSTEMROOT|VIRTUAL_ENV|CONDA_PREFIX|PYTHONPATH|PYTHONHOME|NLTK_DATA)$/;

/** The parent's environment minus anything that could carry a secret. */
export function graderEnv(base: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && ENV_KEEP.test(k)) env[k] = v;
  env.PYTHONUNBUFFERED = '1';
  env.PYTHONDONTWRITEBYTECODE = '1';
  env.PYTHONIOENCODING = 'utf-8';
  // Thread pools of numeric libraries reserve address space per thread; the platform gives 2 CPUs.
  env.OPENBLAS_NUM_THREADS = env.OMP_NUM_THREADS = env.MKL_NUM_THREADS = '2';
  return env;
}

interface Pending {
  sample: unknown;
  item: unknown;
  resolve: (o: PythonOutcome) => void;
  reject: (e: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export interface PythonWorkerOptions {
  source: string;
  interpreter?: string;
  limits?: Partial<PythonLimits>;
  log?: Logger;
  env?: Readonly<Record<string, string | undefined>>;
}

export class AbortedError extends Error {
  constructor() {
    super('grading was cancelled');
    this.name = 'AbortError';
  }
}

/** One grader's worker process; restarts itself after a crash or a kill. */
export class PythonWorker {
  private readonly limits: PythonLimits;
  private readonly interpreter: string;
  private readonly log: Logger;
  private child: ChildProcessWithoutNullStreams | undefined;
  private ready: Promise<void> | undefined;
  private initFailure: { error: string; details: string } | undefined;
  private queue: Pending[] = [];
  private inFlight: Pending[] = [];
  private inFlightStart = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private disposed = false;
  private pumping = false;
  /** Processes started over the worker's life (1 unless it had to be restarted). */
  spawnCount = 0;
  pid: number | undefined;

  constructor(private readonly opts: PythonWorkerOptions) {
    this.limits = { ...DEFAULT_PYTHON_LIMITS, ...opts.limits };
    this.interpreter = opts.interpreter || 'python3';
    this.log = opts.log ?? nullLogger;
  }

  /** A batch is with the worker process right now. */
  get busy(): boolean {
    return this.inFlight.some(Boolean);
  }

  run(sample: unknown, item: unknown, signal?: AbortSignal): Promise<PythonOutcome> {
    if (this.disposed) return Promise.reject(new Error('python worker disposed'));
    if (signal?.aborted) return Promise.reject(new AbortedError());
    return new Promise<PythonOutcome>((resolve, reject) => {
      const p: Pending = { sample, item, resolve, reject, signal };
      if (signal) {
        p.onAbort = () => this.abortOne(p);
        signal.addEventListener('abort', p.onAbort, { once: true });
      }
      this.queue.push(p);
      void this.pump();
    });
  }

  private settle(p: Pending, outcome: PythonOutcome | Error): void {
    if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  private abortOne(p: Pending): void {
    const qi = this.queue.indexOf(p);
    if (qi >= 0) {
      this.queue.splice(qi, 1);
      this.settle(p, new AbortedError());
      return;
    }
    if (this.inFlight.includes(p)) {
      // The worker is busy with this row (or a batch holding it): stop it hard; the rest are re-queued.
      const others = this.inFlight.filter((x) => x && x !== p);
      this.inFlight = [];
      this.killChild('cancelled');
      this.settle(p, new AbortedError());
      this.queue.unshift(...others);
      void this.pump();
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.inFlight.length || !this.queue.length || this.disposed) return;
    this.pumping = true;
    try {
      if (this.initFailure) {
        const f = this.initFailure;
        for (const p of this.queue.splice(0))
          this.settle(p, {
            ok: false,
            kind: 'runtime',
            error: f.error,
            details: f.details,
            time: 0,
            stdout: '',
          });
        return;
      }
      try {
        await this.ensureStarted();
      } catch (e) {
        const err = e as Error & { kind?: 'runtime' | 'server'; details?: string };
        for (const p of this.queue.splice(0))
          this.settle(p, {
            ok: false,
            kind: err.kind ?? 'server',
            error: err.message,
            details: err.details ?? err.message,
            time: 0,
            stdout: '',
          });
        return;
      }
      if (!this.queue.length || !this.child) return;
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight = batch;
      const rows = batch.map((p, i) => ({ i, sample: p.sample, item: p.item }));
      this.armWatchdog();
      this.child.stdin.write(`${JSON.stringify({ type: 'batch', rows })}\n`);
    } finally {
      this.pumping = false;
    }
  }

  private armWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.inFlightStart = Date.now();
    this.watchdog = setTimeout(() => this.onHardTimeout(), this.limits.timeoutMs + HARD_KILL_GRACE_MS);
  }

  private onHardTimeout(): void {
    const [first, ...rest] = this.inFlight.filter(Boolean);
    if (!first) return;
    this.inFlight = [];
    this.killChild('time limit');
    const secs = this.limits.timeoutMs / 1000;
    this.settle(first, {
      ok: false,
      kind: 'runtime',
      error: `TimeoutError: grade() did not return within ${secs} s`,
      details: `TimeoutError: grade() did not return within ${secs} s; the worker ignored the in-process alarm and was killed with its process group`,
      time: (Date.now() - this.inFlightStart) / 1000,
      stdout: '',
    });
    this.queue.unshift(...rest);
    void this.pump();
  }

  private ensureStarted(): Promise<void> {
    if (this.child && this.ready) return this.ready;
    const sandbox = detectSandbox(this.interpreter);
    const script = pythonWorkerSource();
    const pyArgs = ['-I', '-c', script];
    let cmd = this.interpreter;
    let args = pyArgs;
    if (sandbox.kind === 'unshare') {
      cmd = 'unshare';
      args = ['-n', '-p', '-f', '--kill-child', this.interpreter, ...pyArgs];
    } else if (sandbox.kind === 'unshare-user') {
      cmd = 'unshare';
      args = ['-r', '-n', '-p', '-f', '--kill-child', this.interpreter, ...pyArgs];
    }
    this.spawnCount++;
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      env: graderEnv(this.opts.env ?? process.env),
      windowsHide: true,
    });
    this.child = child;
    this.pid = child.pid;
    let stderrTail = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderrTail = (stderrTail + d).slice(-STDERR_TAIL);
    });
    child.stdin.on('error', () => {
      /* EPIPE after the worker died: the exit handler reports it */
    });
    let buf = '';
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    let started = false;
    this.ready = new Promise<void>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (this.child !== child) return; // a killed worker's last words
      buf += d;
      if (buf.length > MAX_PROTOCOL_LINE && !buf.includes('\n')) {
        this.log.warn('python worker wrote an oversized protocol line; killing it');
        this.failInFlight(child, 'runtime', 'the grader produced more output than the protocol accepts', '');
        return;
      }
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(line) as Record<string, unknown>;
        } catch {
          this.log.warn(`python worker: unreadable protocol line ${line.slice(0, 200)}`);
          continue;
        }
        this.onMessage(
          msg,
          () => {
            started = true;
            readyResolve();
          },
          (e) => readyReject(e),
        );
      }
    });
    child.on('error', (e) => {
      const err = Object.assign(new Error(`cannot start python (${this.interpreter}): ${e.message}`), {
        kind: 'server' as const,
        details: `${e.message}. Set rftStudio.python.interpreter (or --python) to a Python 3 interpreter.`,
      });
      if (this.child === child) this.child = undefined;
      readyReject(err);
    });
    child.on('exit', (code, sig) => {
      const wasCurrent = this.child === child;
      if (wasCurrent) {
        this.child = undefined;
        this.ready = undefined;
      }
      const why = sig ? `signal ${sig}` : `exit code ${code}`;
      if (!started) {
        readyReject(
          Object.assign(new Error(`python worker exited during start-up (${why})`), {
            kind: 'server' as const,
            details: stderrTail || `python worker exited during start-up (${why})`,
          }),
        );
        return;
      }
      if (wasCurrent && this.inFlight.some(Boolean) && !this.disposed) {
        const memoryHint = sig === 'SIGKILL' ? ' (killed: out of memory or a hard limit?)' : '';
        this.failInFlight(
          child,
          'runtime',
          `python worker exited while grading (${why})${memoryHint}`,
          stderrTail,
        );
      }
    });
    this.ready.catch(() => undefined);
    const initMsg = {
      type: 'init',
      source: this.opts.source,
      limits: {
        timeout_s: this.limits.timeoutMs / 1000,
        as_bytes: this.limits.memoryBytes,
        fsize_bytes: this.limits.fileSizeBytes,
        nproc: this.limits.maxProcesses,
        output_cap: this.limits.outputCap,
        block_network: sandbox.kind === 'in-process',
      },
    };
    child.stdin.write(`${JSON.stringify(initMsg)}\n`);
    return this.ready;
  }

  /** The first in-flight row gets the failure, the rest go back to the queue for a fresh worker. */
  private failInFlight(
    child: ChildProcessWithoutNullStreams,
    kind: 'runtime' | 'server',
    error: string,
    details: string,
  ): void {
    if (this.child === child) this.killChild(error);
    const [first, ...rest] = this.inFlight.filter(Boolean);
    this.inFlight = [];
    if (this.watchdog) clearTimeout(this.watchdog);
    if (first)
      this.settle(first, {
        ok: false,
        kind,
        error,
        details: details || error,
        time: (Date.now() - this.inFlightStart) / 1000,
        stdout: '',
      });
    this.queue.unshift(...rest);
    void this.pump();
  }

  private onMessage(
    msg: Record<string, unknown>,
    onReady: () => void,
    onInitError: (e: Error) => void,
  ): void {
    switch (msg.type) {
      case 'ready':
        this.log.debug(
          `python worker ${String(msg.pid)} ready; limits applied: ${JSON.stringify(msg.limits)}`,
        );
        onReady();
        break;
      case 'init_error': {
        this.initFailure = { error: String(msg.error), details: String(msg.traceback ?? msg.error) };
        onInitError(
          Object.assign(new Error(String(msg.error)), {
            kind: 'runtime' as const,
            details: this.initFailure.details,
          }),
        );
        this.killChild('init error');
        break;
      }
      case 'result': {
        const idx = Number(msg.i);
        const p = this.inFlight[idx];
        if (!p) break;
        this.inFlight[idx] = undefined as unknown as Pending; // keep indexes stable until batch_done
        this.armWatchdog();
        const time = Number(msg.time) || 0;
        const stdout = typeof msg.stdout === 'string' ? msg.stdout : '';
        if (msg.ok === true) this.settle(p, { ok: true, value: Number(msg.value), time, stdout });
        else
          this.settle(p, {
            ok: false,
            kind: 'runtime',
            error: String(msg.error),
            details: String(msg.traceback || msg.error),
            time,
            stdout,
          });
        break;
      }
      case 'batch_done':
        if (this.watchdog) clearTimeout(this.watchdog);
        this.inFlight = [];
        void this.pump();
        break;
    }
  }

  private killChild(reason: string): void {
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (this.watchdog) clearTimeout(this.watchdog);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.log.debug(`killing python worker ${child.pid} (${reason})`);
    killProcessTree(child);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.killChild('disposed');
    for (const p of [...this.inFlight.filter(Boolean), ...this.queue.splice(0)])
      this.settle(p, new Error('python worker disposed'));
    this.inFlight = [];
  }
}

export function killProcessTree(child: { pid?: number; kill: (s?: NodeJS.Signals) => boolean }): void {
  if (child.pid === undefined) return;
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore' });
    return;
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
