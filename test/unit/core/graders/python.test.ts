// Hostile python graders are contained, reported as python_grader_runtime_error, and leave no process behind.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { GraderEngine } from '../../../../src/core/graders/engine';
import { PythonWorker } from '../../../../src/core/graders/python/pythonRunner';
import { buildSample } from '../../../../src/core/graders/sample';
import type { PythonGrader } from '../../../../src/core/graders/types';
import { countingListener, eachProcess, waitFor } from './pythonTestKit';

const py = (source: string): PythonGrader => ({ type: 'python', name: 'hostile', source });
const sample = buildSample('x');

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Processes whose command line contains a marker (Linux /proc). */
function processesWith(marker: string): number[] {
  const out: number[] = [];
  eachProcess((pid) => {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) out.push(pid);
  });
  return out;
}

describe('python graders', () => {
  const engines: GraderEngine[] = [];
  const mk = (timeoutMs = 2_000) => {
    const e = new GraderEngine({ python: { allow: true, timeoutMs } });
    engines.push(e);
    return e;
  };
  after(() => engines.forEach((e) => e.dispose()));

  it('grades, coerces ints, and reports exceptions and non-finite results with the traceback', async () => {
    const e = mk();
    const ok = await e.grade(
      py('def grade(sample, item):\n    return 1 if sample["output_text"] == item["label"] else 0\n'),
      { label: 'x' },
      sample,
    );
    assert.equal(ok.reward, 1);
    assert.equal(ok.metadata.errors.python_grader_runtime_error, false);
    const boom = await e.grade(
      py('def helper(d):\n    return d["nope"]\n\ndef grade(sample, item):\n    return helper(item)\n'),
      {},
      sample,
    );
    assert.equal(boom.reward, 0);
    assert.equal(boom.metadata.errors.python_grader_runtime_error, true);
    assert.match(boom.metadata.errors.python_grader_runtime_error_details!, /KeyError: 'nope'/);
    assert.match(boom.metadata.errors.python_grader_runtime_error_details!, /line 2, in helper/);
    for (const bad of ['float("nan")', 'float("inf")', '"0.5"', 'True', 'None', '[1]']) {
      const r = await e.grade(py(`def grade(sample, item):\n    return ${bad}\n`), {}, sample);
      assert.equal(r.reward, 0, bad);
      assert.equal(r.metadata.errors.python_grader_runtime_error, true, bad);
    }
  });

  it('a syntax error or a missing grade() is a runtime error on every row', async () => {
    const e = mk();
    const r = await e.grade(py('def grade(sample, item)\n    return 1\n'), {}, sample);
    assert.equal(r.metadata.errors.python_grader_runtime_error, true);
    assert.match(r.metadata.errors.python_grader_runtime_error_details!, /SyntaxError/);
    const r2 = await e.grade(py('def score(a, b):\n    return 1\n'), {}, sample);
    assert.match(r2.metadata.errors.python_grader_runtime_error_details!, /no grade\(sample, item\)/);
  });

  it('refuses to run unless allowed', async () => {
    const e = new GraderEngine({});
    const r = await e.grade(py('def grade(s, i):\n    return 1\n'), {}, sample);
    assert.equal(r.reward, 0);
    assert.equal(r.metadata.errors.python_grader_server_error, true);
    assert.equal(r.metadata.errors.python_grader_server_error_type, 'not_allowed');
  });

  it('an infinite loop hits the time limit; the worker keeps serving the next rows', async () => {
    const e = mk(1_000);
    const g = py(
      'import time\ndef grade(sample, item):\n    if item.get("loop"):\n        while True:\n            pass\n    return 0.5\n',
    );
    const t0 = Date.now();
    const [a, b] = await e.gradeMany(g, [
      { item: { loop: true }, sample },
      { item: {}, sample },
    ]);
    assert.ok(Date.now() - t0 < 8_000);
    assert.equal(a!.reward, 0);
    assert.match(a!.metadata.errors.python_grader_runtime_error_details!, /time limit/);
    assert.equal(b!.reward, 0.5);
  });

  it('a loop that swallows the alarm is killed with its process group and the worker restarts', async () => {
    const w = new PythonWorker({
      source:
        'def grade(sample, item):\n    if item.get("stubborn"):\n        while True:\n            try:\n                while True:\n                    pass\n            except BaseException:\n                pass\n    return 0.25\n',
      limits: { timeoutMs: 500 },
    });
    try {
      const p1 = w.run({}, { stubborn: true });
      const p2 = w.run({}, {});
      await waitFor(() => w.pid !== undefined, 5_000);
      const pid1 = w.pid;
      const first = await p1;
      assert.ok(await waitFor(() => !alive(pid1), 3_000), 'the stubborn worker is gone');
      assert.equal(first.ok, false);
      assert.match(first.ok ? '' : first.error, /did not return within 0.5 s/);
      const second = await p2;
      assert.deepEqual(second.ok && second.value, 0.25);
      assert.equal(w.spawnCount, 2);
      assert.notEqual(w.pid, pid1);
    } finally {
      w.dispose();
    }
  });

  it('allocating 10 GB fails inside the 2 GB limit and is reported', async () => {
    // Touching 2 GB takes 10 to 40 s on a loaded 2-core VM (before and after the sandbox alike): the time
    // limit here only has to stay out of the way of the MemoryError.
    const e = mk(90_000);
    const r = await e.grade(
      py('def grade(sample, item):\n    x = bytearray(10 * 1024 ** 3)\n    return 1.0\n'),
      {},
      sample,
    );
    assert.equal(r.reward, 0);
    assert.equal(r.metadata.errors.python_grader_runtime_error, true);
    assert.match(r.metadata.errors.python_grader_runtime_error_details!, /MemoryError/);
    const grow = await e.grade(
      py(
        'def grade(sample, item):\n    chunks = []\n    while True:\n        chunks.append(b"x" * (256 * 1024 ** 2))\n',
      ),
      {},
      sample,
    );
    assert.match(grow.metadata.errors.python_grader_runtime_error_details!, /MemoryError/);
    const after = await e.grade(py('def grade(sample, item):\n    return 1.0\n'), {}, sample);
    assert.equal(after.reward, 1);
  });

  it('printing 1 GB is capped and does not corrupt the protocol', async () => {
    const e = mk(60_000);
    const r = await e.grade(
      py(
        'import os\ndef grade(sample, item):\n    line = "x" * (1024 * 1024)\n    for _ in range(1024):\n        print(line)\n    os.write(1, b"{not protocol}\\n" * 1000)\n    return 0.75\n',
      ),
      {},
      sample,
    );
    assert.equal(r.reward, 0.75, JSON.stringify(r.metadata.scores).slice(0, 300));
    const out = (r.metadata.scores as { stdout?: string }).stdout ?? '';
    assert.ok(out.length <= (1 << 20) + 200, `captured ${out.length}`);
    assert.match(out, /more characters dropped/);
  });

  it('forked children (even setsid ones) die with the worker', async () => {
    const marker = `600.${process.pid}${Date.now() % 100000}`;
    const e = mk(10_000);
    const r = await e.grade(
      py(
        `import os\ndef grade(sample, item):\n    for _ in range(20):\n        if os.fork() == 0:\n            os.setsid()\n            os.execvp("sleep", ["sleep", "${marker}"])\n    return 1.0\n`,
      ),
      {},
      sample,
    );
    assert.equal(r.reward, 1, r.metadata.errors.python_grader_runtime_error_details ?? '');
    assert.ok(
      await waitFor(() => processesWith(marker).length === 20, 5_000),
      `children started: ${processesWith(marker).length}`,
    );
    e.dispose();
    assert.ok(
      await waitFor(() => processesWith(marker).length === 0, 5_000),
      `left behind: ${processesWith(marker).join(', ')}`,
    );
  });

  it('cannot reach the network', async () => {
    const listener = await countingListener();
    const { port } = listener;
    try {
      const e = mk(10_000);
      const r = await e.grade(
        py(
          `import socket\ndef grade(sample, item):\n    s = socket.create_connection(("127.0.0.1", ${port}), timeout=3)\n    s.sendall(b"leak")\n    return 1.0\n`,
        ),
        {},
        sample,
      );
      assert.equal(r.reward, 0);
      assert.equal(r.metadata.errors.python_grader_runtime_error, true);
      assert.match(r.metadata.errors.python_grader_runtime_error_details!, /Error/);
      assert.equal(listener.connections(), 0);
    } finally {
      listener.close();
    }
  });

  it('does not pass secrets from the environment to grader code', async () => {
    const e = new GraderEngine({
      python: { allow: true, env: { PATH: process.env.PATH, OPENAI_API_KEY: 'sk-secret-value-123' } },
    });
    engines.push(e);
    const r = await e.grade(
      py('import os\ndef grade(sample, item):\n    return 1.0 if "OPENAI_API_KEY" in os.environ else 0.0\n'),
      {},
      sample,
    );
    assert.equal(r.metadata.errors.python_grader_runtime_error, false);
    assert.equal(r.reward, 0);
  });

  it('cancelling kills the worker process group promptly', async () => {
    const w = new PythonWorker({
      source: 'def grade(sample, item):\n    while True:\n        pass\n',
      limits: { timeoutMs: 60_000 },
    });
    const ac = new AbortController();
    const p = w.run({}, {}, ac.signal);
    assert.ok(await waitFor(() => w.busy, 10_000));
    await new Promise((r) => setTimeout(r, 200));
    const pid = w.pid;
    assert.ok(alive(pid));
    ac.abort();
    await assert.rejects(p, /cancelled/);
    assert.ok(await waitFor(() => !alive(pid), 3_000), 'worker still alive after cancel');
    w.dispose();
  });

  it('dispose leaves no worker behind', async () => {
    const w = new PythonWorker({ source: 'def grade(s, i):\n    return 1.0\n' });
    const r = await w.run({}, {});
    assert.ok(r.ok);
    const pid = w.pid;
    assert.ok(alive(pid));
    w.dispose();
    assert.ok(await waitFor(() => !alive(pid), 3_000));
  });
});
