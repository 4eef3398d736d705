// Runs python grader source in a long-lived worker per grader: a bubblewrap sandbox (sandbox.ts) holding a
// supervisor that owns the channel to us and a separate grader process that runs the user's grade()
// (worker.py). Rows queue up and go to the worker in batches. Every message from the worker is checked
// here: the row due next and no other, finite rewards, a size cap per line, a deadline per row; anything
// else is a python_grader_server_error for the row concerned, never a hang. Limits: per-call time limit
// (SIGALRM in the grader process plus a hard kill of the whole sandbox from here), RLIMIT_AS 2 GiB,
// RLIMIT_FSIZE 1 GiB, RLIMIT_NPROC, a cap on captured prints, an environment without the parent's secrets.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Logger } from '../../log';
import { nullLogger } from '../../log';
import { bwrapArgs, detectSandbox, type PythonSandbox } from './sandbox';
import { pythonWorkerSource } from './workerSource';

export interface PythonLimits {
  /** Per-call time limit (ms); the platform's is 2 minutes. */
  timeoutMs: number;
  /** Address-space limit in bytes (platform: 2 GB). */
  memoryBytes: number;
  /** Largest file the grader may write, and the size of the sandbox's /tmp (platform: 1 GB disk). */
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

const STDERR_TAIL = 16 * 1024;
const HARD_KILL_GRACE_MS = 2_000;
/** Sandbox and interpreter start-up on top of the module's own time limit. */
const START_GRACE_MS = 15_000;
const MAX_BATCH = 256;

/** `python_grader_server_error_type` values this runner produces. */
export type PythonServerErrorType = 'worker_start_failed' | 'sandbox_unavailable' | 'protocol_error';

export type PythonOutcome =
  | { ok: true; value: number; time: number; stdout: string; warning?: string }
  | {
      ok: false;
      kind: 'runtime' | 'server';
      serverType?: PythonServerErrorType;
      error: string;
      details: string;
      time: number;
      stdout: string;
    };

/**
 * A warning for a finite reward outside 0..1, or undefined. rft-reference.md §2.0 "Reward range": graders
 * "return a grade in the range from 0 to 1", but what the platform does with a python grader's 1.7 or -5
 * (clamp, reject, keep) is not documented; §2.4 only calls non-finite and non-float results invalid. So a
 * non-finite result is an error (worker.py and the checks below) and an out-of-range one is kept and
 * warned about, not guessed into an error or a clamp.
 */
export function rewardRangeWarning(value: number): string | undefined {
  if (value >= 0 && value <= 1) return undefined;
  return `grade() returned ${value}, outside the 0 to 1 range graders are documented to return; the platform's handling of such a reward is unconfirmed`;
}

const ENV_KEEP =
  /^(PATH|HOME|USER|LANG|LC_[A-Z]+|TZ|TMPDIR|TEMP|TMP|SYSTEMROOT|VIRTUAL_ENV|CONDA_PREFIX|PYTHONPATH|PYTHONHOME|NLTK_DATA)$/;

/** The parent's environment minus anything that could carry a secret (the sandbox clears even that). */
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
  /** Run graders even where no sandbox is available (the user said so: CLI flag or setting). */
  allowUnsandboxed?: boolean;
  /** bubblewrap executable (default `bwrap` on PATH). */
  bwrap?: string;
}

export class AbortedError extends Error {
  constructor() {
    super('grading was cancelled');
    this.name = 'AbortError';
  }
}

type StartError = Error & {
  kind?: 'runtime' | 'server';
  serverType?: PythonServerErrorType;
  details?: string;
};

function startError(
  message: string,
  kind: 'runtime' | 'server',
  details: string,
  serverType?: PythonServerErrorType,
): StartError {
  return Object.assign(new Error(message), { kind, details, serverType });
}

/** One grader's worker process; restarts itself after a crash or a kill. */
export class PythonWorker {
  private readonly limits: PythonLimits;
  private readonly interpreter: string;
  private readonly log: Logger;
  private readonly lineCap: number;
  private child: ChildProcessWithoutNullStreams | undefined;
  private ready: Promise<void> | undefined;
  private initFailure: { error: string; details: string } | undefined;
  private queue: Pending[] = [];
  /** The batch with the worker; rows before `next` are settled, `next` is the one due. */
  private batch: Pending[] = [];
  private next = 0;
  /** A batch was sent and its batch_done has not come back. */
  private open = false;
  private rowStart = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private disposed = false;
  private pumping = false;
  /** Processes started over the worker's life (1 unless it had to be restarted). */
  spawnCount = 0;
  pid: number | undefined;
  /** What the last start ran under. */
  sandbox: PythonSandbox | undefined;

  constructor(private readonly opts: PythonWorkerOptions) {
    this.limits = { ...DEFAULT_PYTHON_LIMITS, ...opts.limits };
    this.interpreter = opts.interpreter || 'python3';
    this.log = opts.log ?? nullLogger;
    // A result line holds at most outputCap characters of prints (JSON may escape each to 6) and a traceback.
    this.lineCap = this.limits.outputCap * 6 + (1 << 20);
  }

  /** A batch is with the worker process right now. */
  get busy(): boolean {
    return this.open;
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

  /** Takes the unsettled rows of the batch off it (the worker is being killed or the batch is over). */
  private takeUnsettled(): Pending[] {
    const rest = this.batch.slice(this.next);
    this.batch = [];
    this.next = 0;
    this.open = false;
    if (this.watchdog) clearTimeout(this.watchdog);
    return rest;
  }

  private abortOne(p: Pending): void {
    const qi = this.queue.indexOf(p);
    if (qi >= 0) {
      this.queue.splice(qi, 1);
      this.settle(p, new AbortedError());
      return;
    }
    const bi = this.batch.indexOf(p);
    if (bi >= this.next) {
      // The worker is busy with this row (or a batch holding it): stop it hard; the rest are re-queued.
      const others = this.takeUnsettled().filter((x) => x !== p);
      this.killChild('cancelled');
      this.settle(p, new AbortedError());
      this.queue.unshift(...others);
      void this.pump();
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.busy || !this.queue.length || this.disposed) return;
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
        const err = e as StartError;
        for (const p of this.queue.splice(0))
          this.settle(p, {
            ok: false,
            kind: err.kind ?? 'server',
            serverType: err.serverType ?? (err.kind === 'runtime' ? undefined : 'worker_start_failed'),
            error: err.message,
            details: err.details ?? err.message,
            time: 0,
            stdout: '',
          });
        return;
      }
      if (!this.queue.length || !this.child || this.disposed) return;
      this.batch = this.queue.splice(0, MAX_BATCH);
      this.next = 0;
      this.open = true;
      const rows = this.batch.map((p, i) => ({ i, sample: p.sample, item: p.item }));
      this.armWatchdog();
      this.child.stdin.write(`${JSON.stringify({ type: 'batch', rows })}\n`);
    } finally {
      this.pumping = false;
      // Rows that arrived while this call was starting the worker.
      if (!this.busy && this.queue.length && !this.disposed) queueMicrotask(() => void this.pump());
    }
  }

  private armWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.rowStart = Date.now();
    this.watchdog = setTimeout(() => this.onHardTimeout(), this.limits.timeoutMs + HARD_KILL_GRACE_MS);
  }

  private onHardTimeout(): void {
    const [first, ...rest] = this.takeUnsettled();
    this.killChild('time limit');
    if (first) {
      const secs = this.limits.timeoutMs / 1000;
      this.settle(first, {
        ok: false,
        kind: 'runtime',
        error: `TimeoutError: grade() did not return within ${secs} s`,
        details: `TimeoutError: grade() did not return within ${secs} s; the worker ignored the in-process alarm and was killed with its process group`,
        time: (Date.now() - this.rowStart) / 1000,
        stdout: '',
      });
    } else {
      this.log.warn('python worker: every row answered but the batch was never closed; restarting it');
    }
    this.queue.unshift(...rest);
    void this.pump();
  }

  private async ensureStarted(): Promise<void> {
    if (this.child && this.ready) return this.ready;
    const env = this.opts.env ?? process.env;
    const sandbox = await detectSandbox({ interpreter: this.interpreter, bwrap: this.opts.bwrap, env });
    this.sandbox = sandbox;
    if (this.disposed) throw startError('python worker disposed', 'server', 'python worker disposed');
    if (sandbox.kind === 'no-interpreter')
      throw startError(
        `cannot start python (${this.interpreter})`,
        'server',
        `${sandbox.reason}. Set rftStudio.python.interpreter (or --python) to a Python 3 interpreter.`,
      );
    if (sandbox.kind === 'none' && !this.opts.allowUnsandboxed)
      throw startError(
        'python graders run only in a sandbox, and none is available',
        'server',
        `python graders run only in a sandbox, and none is available: ${sandbox.reason}`,
        'sandbox_unavailable',
      );
    const script = pythonWorkerSource();
    const pyArgs = ['-I', '-c', script];
    let cmd = this.interpreter;
    let args = pyArgs;
    if (sandbox.kind === 'bwrap') {
      cmd = sandbox.bwrap;
      args = [
        ...bwrapArgs(sandbox.layout, { env, tmpBytes: this.limits.fileSizeBytes }),
        sandbox.layout.executable,
        ...pyArgs,
      ];
    }
    this.spawnCount++;
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      env: graderEnv(env),
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
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    let started = false;
    const ready = new Promise<void>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    this.ready = ready;
    ready.catch(() => undefined);
    const startTimer = setTimeout(() => {
      if (started || this.child !== child) return;
      const secs = (this.limits.timeoutMs + START_GRACE_MS) / 1000;
      const error = `TimeoutError: the grader module did not finish loading within ${secs} s`;
      this.initFailure = { error, details: `${error}; the worker was killed` };
      this.killChild('start-up time limit');
      readyReject(startError(error, 'runtime', this.initFailure.details));
    }, this.limits.timeoutMs + START_GRACE_MS);
    const onLine = (line: string): void => {
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        msg = undefined;
      }
      if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
        this.violation(child, `unreadable message ${JSON.stringify(line.slice(0, 120))}`);
        return;
      }
      const m = msg as Record<string, unknown>;
      if (!started) {
        if (m.type === 'ready') {
          started = true;
          clearTimeout(startTimer);
          this.log.debug(
            `python worker ${String(m.pid)} ready (${sandbox.kind}); limits: ${JSON.stringify(m.limits)}`,
          );
          readyResolve();
        } else if (m.type === 'init_error') {
          clearTimeout(startTimer);
          const error = typeof m.error === 'string' ? m.error : 'the grader failed to load';
          this.initFailure = {
            error,
            details: typeof m.traceback === 'string' && m.traceback ? m.traceback : error,
          };
          this.killChild('init error');
          readyReject(startError(error, 'runtime', this.initFailure.details));
        } else {
          clearTimeout(startTimer);
          this.killChild('protocol violation at start-up');
          readyReject(
            startError(
              'python worker broke the protocol at start-up',
              'server',
              `unexpected ${line.slice(0, 200)}`,
              'protocol_error',
            ),
          );
        }
        return;
      }
      this.onMessage(child, m);
    };
    // Lines are cut as they arrive, and a line longer than the cap is a violation before it is buffered whole.
    let parts: string[] = [];
    let partLen = 0;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      let from = 0;
      for (;;) {
        if (this.child !== child) return; // a killed worker's last words
        const nl = d.indexOf('\n', from);
        if (nl < 0) break;
        if (partLen + (nl - from) > this.lineCap) {
          this.violation(child, `a message longer than ${this.lineCap} characters`);
          return;
        }
        const line = parts.length ? parts.join('') + d.slice(from, nl) : d.slice(from, nl);
        parts = [];
        partLen = 0;
        from = nl + 1;
        onLine(line);
      }
      if (from < d.length) {
        parts.push(from ? d.slice(from) : d);
        partLen += d.length - from;
        if (partLen > this.lineCap) this.violation(child, `a message longer than ${this.lineCap} characters`);
      }
    });
    child.on('error', (e) => {
      clearTimeout(startTimer);
      if (this.child === child) this.child = undefined;
      readyReject(
        startError(
          `cannot start python (${cmd}): ${e.message}`,
          'server',
          `${e.message}. Set rftStudio.python.interpreter (or --python) to a Python 3 interpreter.`,
        ),
      );
    });
    child.on('exit', (code, sig) => {
      clearTimeout(startTimer);
      const wasCurrent = this.child === child;
      if (wasCurrent) {
        this.child = undefined;
        this.ready = undefined;
      }
      const why = sig ? `signal ${sig}` : `exit code ${code}`;
      if (!started) {
        readyReject(
          startError(
            `python worker exited during start-up (${why})`,
            'server',
            stderrTail || `python worker exited during start-up (${why})`,
          ),
        );
        return;
      }
      if (wasCurrent && this.busy && !this.disposed) {
        const memoryHint = sig === 'SIGKILL' ? ' (killed: out of memory or a hard limit?)' : '';
        this.failDue(
          child,
          'runtime',
          `python worker exited while grading (${why})${memoryHint}`,
          stderrTail,
        );
      }
    });
    const initMsg = {
      type: 'init',
      source: this.opts.source,
      child_code: script,
      limits: {
        timeout_s: this.limits.timeoutMs / 1000,
        as_bytes: this.limits.memoryBytes,
        fsize_bytes: this.limits.fileSizeBytes,
        nproc: this.limits.maxProcesses,
        output_cap: this.limits.outputCap,
        block_network: sandbox.kind !== 'bwrap',
      },
    };
    child.stdin.write(`${JSON.stringify(initMsg)}\n`);
    return ready;
  }

  /** The worker said something it must not: the row due gets the error, the others go to a fresh worker. */
  private violation(child: ChildProcessWithoutNullStreams, what: string): void {
    this.log.warn(`python worker broke the protocol: ${what}; killing it`);
    this.failDue(child, 'server', `python worker broke the protocol: ${what}`, '', 'protocol_error');
  }

  /** The row due gets the failure, the rest go back to the queue for a fresh worker. */
  private failDue(
    child: ChildProcessWithoutNullStreams,
    kind: 'runtime' | 'server',
    error: string,
    details: string,
    serverType?: PythonServerErrorType,
  ): void {
    if (this.child === child) this.killChild(error);
    const [first, ...rest] = this.takeUnsettled();
    if (first)
      this.settle(first, {
        ok: false,
        kind,
        serverType,
        error,
        details: details || error,
        time: (Date.now() - this.rowStart) / 1000,
        stdout: '',
      });
    this.queue.unshift(...rest);
    void this.pump();
  }

  private onMessage(child: ChildProcessWithoutNullStreams, msg: Record<string, unknown>): void {
    if (msg.type === 'batch_done') {
      if (this.next < this.batch.length) {
        this.violation(child, `batch closed with ${this.batch.length - this.next} row(s) unanswered`);
        return;
      }
      this.takeUnsettled();
      void this.pump();
      return;
    }
    if (msg.type !== 'result') {
      this.violation(child, `unexpected message type ${JSON.stringify(msg.type)}`);
      return;
    }
    const p = this.batch[this.next];
    if (!p || msg.i !== this.next) {
      this.violation(child, `a result for row ${JSON.stringify(msg.i)} where row ${this.next} was due`);
      return;
    }
    const time = typeof msg.time === 'number' && Number.isFinite(msg.time) && msg.time >= 0 ? msg.time : 0;
    const stdout = typeof msg.stdout === 'string' ? msg.stdout : '';
    let outcome: PythonOutcome;
    if (msg.ok === true) {
      // JSON.parse turns 1e999 into Infinity: a reward is checked here whatever the worker claims.
      if (typeof msg.value !== 'number' || !Number.isFinite(msg.value)) {
        this.violation(child, `a reward that is not a finite number (${JSON.stringify(msg.value)})`);
        return;
      }
      outcome = { ok: true, value: msg.value, time, stdout, warning: rewardRangeWarning(msg.value) };
    } else if (msg.ok === false && typeof msg.error === 'string') {
      const protocol = msg.kind === 'protocol';
      outcome = {
        ok: false,
        kind: protocol ? 'server' : 'runtime',
        serverType: protocol ? 'protocol_error' : undefined,
        error: msg.error,
        details: typeof msg.traceback === 'string' && msg.traceback ? msg.traceback : msg.error,
        time,
        stdout,
      };
    } else {
      this.violation(child, 'a result without a verdict');
      return;
    }
    this.next++;
    // The next row's deadline, or batch_done's once every row is answered (its absence must not hang us).
    this.armWatchdog();
    this.settle(p, outcome);
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
    for (const p of [...this.takeUnsettled(), ...this.queue.splice(0)])
      this.settle(p, new Error('python worker disposed'));
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
