// Security suite for python graders: what grader code must not reach (other processes' environments,
// sockets, the host network namespace, files outside, the result channel) and what the host must not
// believe (forged, garbled, oversized, non-finite messages). Real python3, real bwrap where it works;
// where it does not, every attack must meet the refusal instead. Each test is bounded and checks that the
// processes it started are gone.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GraderEngine } from '../../../../src/core/graders/engine';
import { PythonWorker, type PythonOutcome } from '../../../../src/core/graders/python/pythonRunner';
import { bindsFor, bwrapArgs, detectSandbox } from '../../../../src/core/graders/python/sandbox';
import { buildSample } from '../../../../src/core/graders/sample';
import { tempDir } from '../../../lib/tempFiles';
import { countingListener, eachProcess, runCliCaptured, waitFor } from './pythonTestKit';

const BOUND = { timeout: 90_000 };
const tag = `${process.pid}-${Date.now() % 1_000_000}`;
const dir = tempDir('rft-sandbox-');
const NO_BWRAP = join(dir, 'no-such-bwrap');

/** `rft-studio grade --allow-python` of `grader` over `data` (model output in the `out` field), run in `dir`. */
function gradeCli(
  grader: string,
  data: string,
  env: Record<string, string | undefined>,
  reporter: string,
  ...extra: string[]
) {
  const args = ['grade', '--grader', grader, '--data', data, '--sample-field', 'out', '--allow-python'];
  return runCliCaptured([...args, '--reporter', reporter, ...extra], dir, env);
}

/** Alive and not a zombie (Linux /proc). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Every process under root (root included), by parent links in /proc. */
function tree(root: number): number[] {
  const children = new Map<number, number[]>();
  eachProcess((pid) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    (children.get(ppid) ?? children.set(ppid, []).get(ppid)!).push(pid);
  });
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

interface Opts {
  unsandboxed?: boolean;
  timeoutMs?: number;
  interpreter?: string;
  env?: Record<string, string | undefined>;
}

function worker(source: string, o: Opts = {}): PythonWorker {
  return new PythonWorker({
    source,
    interpreter: o.interpreter,
    limits: { timeoutMs: o.timeoutMs ?? 10_000 },
    env: o.env ?? process.env,
    ...(o.unsandboxed ? { bwrap: NO_BWRAP, allowUnsandboxed: true } : {}),
  });
}

/** Runs rows on a fresh worker, then disposes it and checks its whole process tree is gone. */
async function runAll(source: string, items: unknown[], o: Opts = {}): Promise<PythonOutcome[]> {
  const w = worker(source, o);
  const spawned = new Set<number>();
  const watch = setInterval(() => {
    if (w.pid !== undefined) for (const p of tree(w.pid)) spawned.add(p);
  }, 20);
  try {
    return await Promise.all(items.map((item) => w.run(buildSample('x'), item)));
  } finally {
    clearInterval(watch);
    if (w.pid !== undefined) for (const p of tree(w.pid)) spawned.add(p);
    w.dispose();
    const left = await waitFor(() => [...spawned].every((p) => !alive(p)), 5_000);
    assert.ok(left, `left behind: ${[...spawned].filter(alive).join(', ')}`);
  }
}

const value = (o: PythonOutcome | undefined) => (o?.ok ? o.value : undefined);
const show = (o: PythonOutcome | undefined) => JSON.stringify(o).slice(0, 600);

let sandboxed = false;
let refusal = '';

/** Without a sandbox the attack must meet the refusal; returns false then (nothing else to check). */
function refusedUnlessSandboxed(outs: PythonOutcome[]): boolean {
  if (sandboxed) return true;
  for (const o of outs) {
    assert.equal(o.ok, false, show(o));
    assert.equal(!o.ok && o.serverType, 'sandbox_unavailable', show(o));
  }
  return false;
}

describe('python grader sandbox', () => {
  const cleanup: Array<() => void> = [];
  before(async () => {
    const s = await detectSandbox({ interpreter: 'python3', env: process.env });
    sandboxed = s.kind === 'bwrap';
    refusal = s.kind === 'none' ? s.reason : '';
  });
  after(() => cleanup.forEach((f) => f()));

  it(
    'without bwrap, graders are refused with the fix named, and run only when unsandboxed is allowed',
    BOUND,
    async () => {
      const w = new PythonWorker({ source: 'def grade(s, i):\n    return 1.0\n', bwrap: NO_BWRAP });
      const r = await w.run({}, {});
      w.dispose();
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.kind, 'server');
      assert.equal(!r.ok && r.serverType, 'sandbox_unavailable');
      assert.match(
        !r.ok ? r.details : '',
        /not found.*apt-get install bubblewrap.*--allow-unsandboxed-python.*rftStudio\.python\.allowUnsandboxed/s,
      );
      const [ok] = await runAll('def grade(s, i):\n    return 0.5\n', [{}], { unsandboxed: true });
      assert.equal(value(ok), 0.5, show(ok));
      if (!sandboxed) assert.ok(refusal, 'no sandbox here, and the probe says why');
    },
  );

  it('binds the interpreter directories read-only, never a directory holding home, the project or host /tmp', () => {
    const venv = join(dir, 'venv');
    const site = join(venv, 'lib', 'site-packages');
    mkdirSync(site, { recursive: true });
    const binds = bindsFor(
      {
        executable: join(venv, 'bin', 'python'),
        prefixes: [venv, '/usr/lib', '/'],
        path: [site, '/tmp', '/home', process.cwd()],
      },
      [],
      [process.cwd()],
    );
    assert.deepEqual(binds, [venv]);
    const args = bwrapArgs(
      { executable: join(venv, 'bin', 'python'), binds, sizedTmp: true },
      { env: { OPENAI_API_KEY: 'sk-x', LANG: 'C.UTF-8' }, tmpBytes: 1024 },
    );
    for (const flag of [
      '--unshare-all',
      '--unshare-user',
      '--clearenv',
      '--die-with-parent',
      '--new-session',
    ])
      assert.ok(args.includes(flag), flag);
    assert.deepEqual(args.slice(args.indexOf('--cap-drop'), args.indexOf('--cap-drop') + 2), [
      '--cap-drop',
      'ALL',
    ]);
    assert.deepEqual(args.slice(args.indexOf('--size'), args.indexOf('--size') + 4), [
      '--size',
      '1024',
      '--tmpfs',
      '/tmp',
    ]);
    const bound = args.flatMap((a, i) => (a === '--ro-bind' || a === '--bind' ? [args[i + 1]!] : []));
    // /bin, /lib… too where they are real directories rather than symlinks into /usr.
    const system = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
    assert.deepEqual(bound.filter((b) => !system.includes(b)).sort(), ['/usr', venv].sort());
    assert.ok(!args.includes('--bind'), 'nothing is bound writable');
    assert.ok(!args.join(' ').includes('sk-x'), 'no variable of the host environment goes in');
  });

  it('(a) cannot read another process environment (an API key canary)', BOUND, async () => {
    const canary = `sk-canary-${tag}`;
    const holder: ChildProcess = spawn('sleep', ['60'], { env: { ...process.env, OPENAI_API_KEY: canary } });
    cleanup.push(() => holder.kill('SIGKILL'));
    const source = `import os
def grade(sample, item):
    hits = 0
    for d in os.listdir("/proc"):
        if d.isdigit():
            for f in ("environ", "cmdline"):
                try:
                    with open("/proc/%s/%s" % (d, f), "rb") as fh:
                        hits += b"${canary}" in fh.read()
                except OSError:
                    pass
    return float(hits + (b"${canary}" in repr(os.environ).encode()))
`;
    const env = { ...process.env, OPENAI_API_KEY: canary };
    // The same grader without the sandbox finds it: the check is able to fail.
    const [control] = await runAll(source, [{}], { unsandboxed: true, env });
    assert.ok((value(control) ?? 0) >= 1, `control run should see the canary: ${show(control)}`);
    const outs = await runAll(source, [{}], { env });
    holder.kill('SIGKILL');
    if (!refusedUnlessSandboxed(outs)) return;
    assert.equal(value(outs[0]), 0, show(outs[0]));
  });

  it('(b) cannot connect to a unix socket or a TCP listener on 127.0.0.1', BOUND, async () => {
    let connections = 0;
    const onConn = (s: { destroy(): void }) => {
      connections++;
      s.destroy();
    };
    const tcp: Server = createServer(onConn);
    const unix: Server = createServer(onConn);
    const sock = join(dir, 's.sock');
    await new Promise<void>((res) => tcp.listen(0, '127.0.0.1', res));
    await new Promise<void>((res) => unix.listen(sock, res));
    const port = (tcp.address() as { port: number }).port;
    try {
      const source = `import socket
def grade(sample, item):
    ok = 0
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(2)
        s.connect(${JSON.stringify(sock)})
        s.sendall(b"leak")
        ok += 1
    except OSError as e:
        print("unix", e)
    try:
        socket.create_connection(("127.0.0.1", ${port}), timeout=2).sendall(b"leak")
        ok += 1
    except OSError as e:
        print("tcp", e)
    return float(ok)
`;
      const outs = await runAll(source, [{}]);
      if (!refusedUnlessSandboxed(outs)) return;
      assert.equal(value(outs[0]), 0, show(outs[0]));
      assert.equal(connections, 0);
    } finally {
      tcp.close();
      unix.close();
    }
  });

  it('(c) cannot setns() into another network namespace and reach 127.0.0.1', BOUND, async () => {
    const listener = await countingListener();
    const { port } = listener;
    try {
      const source = `import ctypes, os, socket
def grade(sample, item):
    libc = ctypes.CDLL(None, use_errno=True)
    joined = 0
    for d in ["1", str(os.getppid()), "${process.pid}"] + [x for x in os.listdir("/proc") if x.isdigit()]:
        try:
            fd = os.open("/proc/%s/ns/net" % d, os.O_RDONLY)
        except OSError:
            continue
        joined += libc.setns(fd, 0x40000000) == 0
        os.close(fd)
    print("setns succeeded", joined)
    try:
        socket.create_connection(("127.0.0.1", ${port}), timeout=2).sendall(b"x")
        return 1.0
    except OSError:
        return 0.0
`;
      const outs = await runAll(source, [{}]);
      if (!refusedUnlessSandboxed(outs)) return;
      assert.equal(value(outs[0]), 0, show(outs[0]));
      assert.equal(listener.connections(), 0);
    } finally {
      listener.close();
    }
  });

  it('(d) cannot read files outside (host /tmp, home, the project, /etc/shadow)', BOUND, async () => {
    const canary = `canary-file-${tag}`;
    const files = [
      join(dir, 'secret.txt'),
      join(homedir(), `.rft-canary-${tag}`),
      join(process.cwd(), `.rft-canary-${tag}`),
    ];
    for (const f of files) {
      writeFileSync(f, canary);
      cleanup.push(() => rmSync(f, { force: true }));
    }
    const source = `def grade(sample, item):
    hits = 0
    for f in ${JSON.stringify(files)} + ["/etc/shadow", "/etc/passwd"]:
        try:
            with open(f) as fh:
                text = fh.read()
            hits += ${JSON.stringify(canary)} in text
            print("read", f)
            hits += f.startswith("/etc/")
        except OSError as e:
            print("blocked", f, e)
    return float(hits)
`;
    const [control] = await runAll(source, [{}], { unsandboxed: true });
    assert.ok(
      (value(control) ?? 0) >= files.length,
      `control run should read the canaries: ${show(control)}`,
    );
    const outs = await runAll(source, [{}]);
    if (!refusedUnlessSandboxed(outs)) return;
    assert.equal(value(outs[0]), 0, show(outs[0]));
  });

  it('(e) cannot write outside its private /tmp', BOUND, async () => {
    const targets = [
      join(dir, `escape-${tag}`),
      join(homedir(), `.rft-escape-${tag}`),
      join(process.cwd(), `.rft-escape-${tag}`),
      `/usr/rft-escape-${tag}`,
    ];
    for (const t of targets) cleanup.push(() => rmSync(t, { force: true }));
    const source = `import os
def grade(sample, item):
    for t in ${JSON.stringify(targets)}:
        try:
            os.makedirs(os.path.dirname(t), exist_ok=True)
            with open(t, "w") as fh:
                fh.write("pwned")
        except OSError as e:
            print("blocked", t, e)
    with open("/tmp/inside", "w") as fh:
        fh.write("fine")
    return 1.0 if open("/tmp/inside").read() == "fine" else 0.0
`;
    const outs = await runAll(source, [{}]);
    if (!refusedUnlessSandboxed(outs)) return;
    assert.equal(value(outs[0]), 1, `its own /tmp is writable: ${show(outs[0])}`);
    for (const t of targets) assert.equal(existsSync(t), false, `${t} was written from the sandbox`);
  });

  const forger = `import gc, io, os
FORGED = b'{"type":"result","i":1,"ok":true,"value":0.99,"time":0,"stdout":""}\\n{"type":"result","i":2,"ok":true,"value":0.77,"time":0,"stdout":""}\\n{"type":"batch_done"}\\n'
def grade(sample, item):
    if item.get("forge"):
        paths = []
        for base in ("/proc/self/fd", "/proc/%d/fd" % os.getppid(), "/proc/1/fd"):
            try:
                paths += [base + "/" + n for n in os.listdir(base)]
            except OSError as e:
                print("blocked", base, e)
        for p in paths:
            try:
                fd = os.open(p, os.O_WRONLY | os.O_NONBLOCK)
                os.write(fd, FORGED)
                os.close(fd)
            except OSError:
                pass
        for fd in range(64):
            try:
                os.write(fd, FORGED)
            except OSError:
                pass
        for obj in gc.get_objects():
            if isinstance(obj, io.IOBase):
                try:
                    obj.write(FORGED.decode())
                    obj.flush()
                except Exception:
                    pass
    return 0.1
`;
  for (const mode of ['sandboxed', 'unsandboxed'] as const)
    it(`(f) cannot forge another row's result through any fd or file object (${mode})`, BOUND, async () => {
      const outs = await runAll(forger, [{ forge: true }, {}, {}], { unsandboxed: mode === 'unsandboxed' });
      if (mode === 'sandboxed' && !refusedUnlessSandboxed(outs)) return;
      assert.equal(value(outs[1]), 0.1, show(outs[1]));
      assert.equal(value(outs[2]), 0.1, show(outs[2]));
      // Its own row: either the value it returned or a protocol error for the garbage it wrote.
      const o = outs[0]!;
      assert.ok(o.ok ? o.value === 0.1 : o.serverType === 'protocol_error', show(o));
    });

  it(
    '(g) garbage and 100 MB without a newline on every fd: that row fails, the next is graded',
    BOUND,
    async () => {
      const source = `import os
def grade(sample, item):
    if item.get("flood"):
        big = b"\\x00garbage{" + b"x" * (100 * 1024 * 1024)
        for fd in range(256):
            try:
                os.write(fd, b"\\xff{not json\\n")
                os.write(fd, big)
            except OSError:
                pass
    return 0.5
`;
      const t0 = Date.now();
      const outs = await runAll(source, [{ flood: true }, {}], { timeoutMs: 20_000 });
      if (!refusedUnlessSandboxed(outs)) return;
      assert.equal(outs[0]!.ok, false, show(outs[0]));
      assert.equal(!outs[0]!.ok && outs[0]!.serverType, 'protocol_error', show(outs[0]));
      assert.equal(value(outs[1]), 0.5, show(outs[1]));
      assert.ok(Date.now() - t0 < 20_000, 'caught by the size cap, not by the time limit');
    },
  );

  it('(h) NaN and Infinity are errors, out-of-range rewards are kept with a warning', BOUND, async () => {
    const source =
      'def grade(sample, item):\n    return {"nan": float("nan"), "inf": float("inf"), "ninf": -float("inf")}.get(item["v"], None) or float(item["v"])\n';
    const outs = await runAll(
      source,
      ['nan', 'inf', 'ninf', '1e308', '-5', '123456', '0.5'].map((v) => ({ v })),
    );
    if (!refusedUnlessSandboxed(outs)) return;
    for (const o of outs.slice(0, 3)) {
      assert.equal(o.ok, false, show(o));
      assert.match(!o.ok ? o.error : '', /not a finite number/);
    }
    for (const [o, v] of [
      [outs[3], 1e308],
      [outs[4], -5],
      [outs[5], 123456],
    ] as const) {
      assert.equal(value(o), v, show(o));
      assert.match((o?.ok && o.warning) || '', /outside the 0 to 1 range/);
    }
    assert.equal(value(outs[6]), 0.5);
    assert.equal(outs[6]!.ok && outs[6]!.warning, undefined);
  });

  it('(h) the CLI never prints NaN or Infinity as a reward, in text or JSON', BOUND, async () => {
    const grader = join(dir, 'nan.grader.json');
    const data = join(dir, 'nan.jsonl');
    writeFileSync(
      grader,
      JSON.stringify({
        type: 'python',
        name: 'nan',
        source: 'def grade(sample, item):\n    return float(item["v"])\n',
      }),
    );
    writeFileSync(data, ['nan', 'inf', '-5'].map((v) => JSON.stringify({ v, out: 'x' })).join('\n') + '\n');
    const cli = (reporter: string) => gradeCli(grader, data, { PATH: process.env.PATH }, reporter);
    const text = await cli('text');
    if (!sandboxed) {
      assert.equal(text.code, 2);
      assert.match(text.err, /only in a sandbox.*--allow-unsandboxed-python/s);
      return;
    }
    assert.doesNotMatch(text.out, /NaN|Infinity/);
    assert.equal((text.out.match(/✘ python_grader_runtime_error/g) ?? []).length, 2, text.out);
    assert.match(text.out, /reward -5[\s\S]*⚠ grade\(\) returned -5, outside the 0 to 1 range/);
    assert.equal(text.code, 1);
    const json = await cli('json');
    const rows = (
      JSON.parse(json.out) as { rows: Array<{ reward: number; errors: string[]; messages?: string[] }> }
    ).rows;
    assert.deepEqual(
      rows.map((r) => r.reward),
      [0, 0, -5],
    );
    assert.ok(rows[0]!.errors.includes('python_grader_runtime_error'));
    assert.ok(rows[1]!.errors.includes('python_grader_runtime_error'));
    assert.deepEqual(rows[2]!.errors, []);
    assert.match(rows[2]!.messages?.join(' ') ?? '', /outside the 0 to 1 range/);
  });

  it(
    'CLI: with no bwrap on PATH, --allow-python stops with the fix; --allow-unsandboxed-python runs',
    BOUND,
    async () => {
      // A PATH holding python3 and nothing else: the sandbox probe cannot find bwrap.
      const bin = join(dir, 'bin-without-bwrap');
      mkdirSync(bin, { recursive: true });
      const real = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
        encoding: 'utf8',
      }).trim();
      symlinkSync(real, join(bin, 'python3'));
      const grader = join(dir, 'half.grader.json');
      const data = join(dir, 'half.jsonl');
      writeFileSync(
        grader,
        JSON.stringify({ type: 'python', name: 'half', source: 'def grade(s, i):\n    return 0.5\n' }),
      );
      writeFileSync(data, `${JSON.stringify({ out: 'x' })}\n`);
      const cli = (...extra: string[]) => gradeCli(grader, data, { PATH: bin }, 'json', ...extra);
      const refused = await cli();
      assert.equal(refused.code, 2, refused.err);
      assert.match(
        refused.err,
        /only in a sandbox, and none is available: bwrap not found.*apt-get install bubblewrap.*--allow-unsandboxed-python/s,
      );
      assert.equal(refused.out, '');
      const allowed = await cli('--allow-unsandboxed-python');
      assert.equal(allowed.code, 0, allowed.err);
      assert.deepEqual(
        (JSON.parse(allowed.out) as { rows: Array<{ reward: number }> }).rows.map((r) => r.reward),
        [0.5],
      );
    },
  );

  it(
    'the engine flags a refused grader as python_grader_server_error sandbox_unavailable or runs it sandboxed',
    BOUND,
    async () => {
      const e = new GraderEngine({ python: { allow: true } });
      try {
        const r = await e.grade(
          { type: 'python', name: 'p', source: 'def grade(s, i):\n    return 0.25\n' },
          {},
          buildSample('x'),
        );
        if (sandboxed) assert.equal(r.reward, 0.25, JSON.stringify(r.metadata));
        else {
          assert.equal(r.metadata.errors.python_grader_server_error, true);
          assert.equal(r.metadata.errors.python_grader_server_error_type, 'sandbox_unavailable');
        }
      } finally {
        e.dispose();
      }
    },
  );
});

/**
 * The host side's own checks, against a worker that breaks the protocol on purpose: a stand-in
 * interpreter that answers the layout question like python3 and then runs a misbehaving supervisor.
 */
describe('python worker protocol checks', () => {
  const fake = (mode: string): string => {
    const script = join(dir, `fake-${mode}.py`);
    writeFileSync(
      script,
      `import json, sys, time
MODE = ${JSON.stringify(mode)}
sys.stdin.readline()
print(json.dumps({"type": "ready"}), flush=True)
for line in sys.stdin:
    n = len(json.loads(line)["rows"])
    r0 = json.dumps({"type": "result", "i": 0, "ok": True, "value": 0.3, "time": 0, "stdout": ""})
    if MODE == "inf":
        out = ['{"type":"result","i":0,"ok":true,"value":1e999,"time":0,"stdout":""}']
    elif MODE == "nan":
        out = ['{"type":"result","i":0,"ok":true,"value":NaN,"time":0,"stdout":""}']
    elif MODE == "other-row":
        out = [json.dumps({"type": "result", "i": n, "ok": True, "value": 0.99, "time": 0, "stdout": ""})]
    elif MODE == "duplicate":
        out = [r0, r0]
    elif MODE == "early-done":
        out = ['{"type":"batch_done"}']
    elif MODE == "stray-byte":
        out = []
        sys.stdout.write("x")
    elif MODE == "huge":
        out = []
        sys.stdout.write("x" * (100 * 1024 * 1024))
    elif MODE == "no-done":
        out = [json.dumps({"type": "result", "i": i, "ok": True, "value": 0.4, "time": 0, "stdout": ""}) for i in range(n)]
    for o in out:
        sys.stdout.write(o + "\\n")
    sys.stdout.flush()
    time.sleep(600)
`,
    );
    const wrapper = join(dir, `fake-${mode}.sh`);
    writeFileSync(
      wrapper,
      `#!/bin/sh\ncase "$3" in *prefixes*) exec python3 "$@";; esac\nexec python3 ${script}\n`,
    );
    chmodSync(wrapper, 0o755);
    return wrapper;
  };
  const outcomes = async (mode: string, rows: number, timeoutMs = 1_000) => {
    const marker = `fake-${mode}.py`;
    const outs = await runAll(
      'unused',
      Array.from({ length: rows }, () => ({})),
      {
        unsandboxed: true,
        interpreter: fake(mode),
        timeoutMs,
      },
    );
    const left = () =>
      readdirSync('/proc').filter((d) => {
        try {
          return (
            /^\d+$/.test(d) && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(marker) && alive(Number(d))
          );
        } catch {
          return false;
        }
      });
    assert.ok(await waitFor(() => left().length === 0, 5_000), `left behind: ${left().join(', ')}`);
    return outs;
  };
  const protocolError = (o: PythonOutcome | undefined) => {
    assert.equal(o?.ok, false, show(o));
    assert.equal(!o?.ok && o?.serverType, 'protocol_error', show(o));
  };

  for (const mode of ['inf', 'nan', 'other-row', 'early-done'])
    it(`${mode}: every row is a protocol error, none takes a value`, BOUND, async () => {
      const outs = await outcomes(mode, 2);
      outs.forEach(protocolError);
    });

  it('duplicate: the first answer stands, the row due next gets the error', BOUND, async () => {
    const [a, b] = await outcomes('duplicate', 2);
    assert.equal(value(a), 0.3);
    protocolError(b);
  });

  it('huge: 100 MB without a newline is cut at the line cap', BOUND, async () => {
    const t0 = Date.now();
    const [a] = await outcomes('huge', 1, 60_000);
    protocolError(a);
    assert.match(!a!.ok ? a!.error : '', /longer than/);
    assert.ok(Date.now() - t0 < 30_000);
  });

  it('a stray byte and silence: the row deadline fires', BOUND, async () => {
    const [a] = await outcomes('stray-byte', 1, 500);
    assert.equal(a!.ok, false);
    assert.match(!a!.ok ? a!.error : '', /did not return within 0.5 s/);
  });

  it(
    'answers without batch_done: rows keep their values and the worker is replaced, not waited on',
    BOUND,
    async () => {
      const w = worker('unused', { unsandboxed: true, interpreter: fake('no-done'), timeoutMs: 500 });
      try {
        const first = await Promise.all([w.run({}, {}), w.run({}, {})]);
        assert.deepEqual(first.map(value), [0.4, 0.4]);
        const second = await w.run({}, {});
        assert.equal(value(second), 0.4);
        assert.equal(w.spawnCount, 2);
      } finally {
        w.dispose();
      }
    },
  );
});
