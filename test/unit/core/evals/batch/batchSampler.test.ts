// The batch sampler through the real SDK against the emulator's Batch API: every request comes back exactly once
// (answers equal to the online endpoint's, partial failures, expiry and cancellation as retryable failures), batches
// split at small configured limits, a new sampler resumes a stored batch id without submitting again, Azure style.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import type { BatchKnobs } from '../../../../../src/emulator/batchSim';
import { adjustableClock } from '../../../../../src/emulator/clock';
import type { Emulator } from '../../../../../src/emulator/server';
import { startEmulator } from '../../../../../src/emulator/server';
import type { BatchRecord, BatchSamplerOptions } from '../../../../../src/core/evals/batch/batchSampler';
import { BatchSampler } from '../../../../../src/core/evals/batch/batchSampler';
import { customIdOf } from '../../../../../src/core/evals/batch/batchInput';
import { parseAnswer, requestKey } from '../../../../../src/core/evals/requests';
import type { EvalRequest, EvalSampled } from '../../../../../src/core/evals/types';
import { useEmulator } from '../../../emulator/useEmulator';

const KEY = 'sk-batch-sampler';

function requestsFor(candidate: string, model: string, n: number, baseUrl = 'http://x/v1'): EvalRequest[] {
  return Array.from({ length: n }, (_, i) => {
    const body = {
      model,
      messages: [{ role: 'user', content: `Question ${i} for ${candidate}` }],
      seed: i,
    };
    return {
      key: requestKey('/v1/chat/completions', baseUrl, body, 0),
      candidate,
      item: i,
      sample: 0,
      endpoint: '/v1/chat/completions' as const,
      body,
    };
  });
}

async function drain(it: AsyncIterable<EvalSampled>): Promise<EvalSampled[]> {
  const out: EvalSampled[] = [];
  for await (const s of it) out.push(s);
  return out;
}

/** Each given request exactly once, by key. */
function assertExact(given: EvalRequest[], got: EvalSampled[]): void {
  assert.equal(got.length, given.length);
  const byKey = new Map(got.map((s) => [s.request.key, s]));
  assert.equal(byKey.size, given.length, 'a request came back twice');
  for (const r of given) {
    const s = byKey.get(r.key);
    assert.ok(s, `request ${r.candidate}/${r.item} is missing`);
    assert.deepEqual(s.request, r);
  }
}

async function setKnobs(em: Emulator, knobs: BatchKnobs): Promise<void> {
  const r = await fetch(`${em.url.replace(/\/v1$/, '')}/__emulator/batches/knobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(knobs),
  });
  assert.equal(r.status, 200, await r.text());
}

function posts(em: Emulator, path: string): number {
  return em.requests().filter((r) => r.method === 'POST' && r.path === path).length;
}

describe('batch sampler', () => {
  const h = useEmulator({ speed: 1000, keys: [KEY] });
  const client = () => new OpenAI({ baseURL: h.em.url, apiKey: KEY, maxRetries: 0 });
  const sampler = (extra: Partial<BatchSamplerOptions> = {}) =>
    new BatchSampler({ clientFor: () => client(), poll: { initialMs: 10, maxMs: 50 }, ...extra });

  test('two candidates: one batch each, answers as online, a chosen request fails (retryable 500)', async () => {
    const given = [
      ...requestsFor('base', 'o4-mini-2025-04-16', 6),
      ...requestsFor('tuned', 'ft:o4-mini-2025-04-16:org:x:1', 6),
    ];
    const failing = given[3]!;
    await setKnobs(h.em, { fail_custom_ids: [customIdOf(failing.key)] });
    const records = new Map<string, BatchRecord>();
    const s = sampler({ onBatch: (r) => void records.set(r.id, r) });
    try {
      const got = await drain(s.sample(given));
      assertExact(given, got);
      const failed = got.filter((x) => 'failure' in x);
      assert.equal(failed.length, 1);
      const f = failed[0] as Extract<EvalSampled, { failure: unknown }>;
      assert.equal(f.request.key, failing.key);
      assert.equal(f.failure.status, 500);
      assert.equal(f.failure.retryable, true);
      for (const x of got.filter((y) => 'response' in y).slice(0, 3)) {
        const online = await client().chat.completions.create(x.request.body as never);
        const expected = parseAnswer(x.request, online, 0);
        assert.equal((x as { response: { output_text: string } }).response.output_text, expected.output_text);
      }
      assert.equal(records.size, 2);
      assert.deepEqual([...records.values()].map((r) => [r.candidate, r.status]).sort(), [
        ['base', 'completed'],
        ['tuned', 'completed'],
      ]);
      assert.deepEqual(
        { ...s.stats },
        {
          batches: 2,
          resumed: 0,
          answered: 11,
          failed: 1,
          missing: 0,
          unknownLines: 0,
          duplicateLines: 0,
          skippedLines: 0,
        },
      );
    } finally {
      await setKnobs(h.em, {});
    }
  });

  test('splits at the configured limits (requests and bytes) so the provider never refuses a file', async () => {
    await setKnobs(h.em, { max_requests: 4 });
    try {
      const before = posts(h.em, '/batches');
      const given = requestsFor('base', 'gpt-4.1-mini', 10);
      const s = sampler({ limits: { maxRequests: 4 } });
      const got = await drain(s.sample(given));
      assertExact(given, got);
      assert.ok(got.every((x) => 'response' in x));
      assert.equal(posts(h.em, '/batches') - before, 3);
      const lineBytes =
        Buffer.byteLength(
          JSON.stringify({
            custom_id: customIdOf(given[0]!.key),
            method: 'POST',
            url: '/v1/chat/completions',
            body: given[0]!.body,
          }),
        ) + 1;
      const s2 = sampler({ limits: { maxBytes: lineBytes * 2 + 5 } });
      const got2 = await drain(s2.sample(given));
      assertExact(given, got2);
      assert.equal(s2.stats.batches, 5);
      const s3 = sampler({ limits: { maxBytes: 50 } });
      const got3 = await drain(s3.sample(given.slice(0, 2)));
      assert.ok(
        got3.every(
          (x) =>
            'failure' in x && !x.failure.retryable && /more than the 50-byte limit/.test(x.failure.message),
        ),
      );
    } finally {
      await setKnobs(h.em, {});
    }
  });

  test('a batch the provider refuses (over its limit) fails each of its requests, not retryable', async () => {
    await setKnobs(h.em, { max_requests: 2 });
    try {
      const given = requestsFor('base', 'gpt-4.1-mini', 3);
      const got = await drain(sampler().sample(given));
      assertExact(given, got);
      for (const x of got) {
        assert.ok('failure' in x);
        assert.match(
          x.failure.message,
          /failed: The input file holds 3 requests; a batch may hold at most 2/,
        );
        assert.equal(x.failure.retryable, false);
      }
    } finally {
      await setKnobs(h.em, {});
    }
  });

  test('expiry: the requests that did not run come back as retryable batch_expired failures', async () => {
    await setKnobs(h.em, { expire_after: 3 });
    try {
      const given = requestsFor('base', 'gpt-4.1-mini', 8);
      const records: BatchRecord[] = [];
      const got = await drain(sampler({ onBatch: (r) => void records.push(r) }).sample(given));
      assertExact(given, got);
      assert.equal(got.filter((x) => 'response' in x).length, 3);
      const failed = got.filter((x): x is Extract<EvalSampled, { failure: unknown }> => 'failure' in x);
      assert.equal(failed.length, 5);
      for (const f of failed) {
        assert.match(f.failure.message, /^batch_expired: /);
        assert.equal(f.failure.retryable, true);
      }
      assert.equal(records[records.length - 1]!.status, 'expired');
    } finally {
      await setKnobs(h.em, {});
    }
  });

  test('Azure: endpoint and urls without /v1 under /openai/v1', async () => {
    const az = new OpenAI({ baseURL: h.em.azureUrl, apiKey: KEY, maxRetries: 0 });
    const given = requestsFor('base', 'my-global-batch-deployment', 3);
    const records: BatchRecord[] = [];
    const s = new BatchSampler({
      clientFor: () => az,
      poll: { initialMs: 10 },
      onBatch: (r) => void records.push(r),
    });
    const got = await drain(s.sample(given));
    assertExact(given, got);
    assert.ok(got.every((x) => 'response' in x));
    const batch = await az.batches.retrieve(records[0]!.id);
    assert.equal(batch.endpoint, '/chat/completions');
    assert.equal(batch.model, 'my-global-batch-deployment');
  });

  test('Responses requests: /v1/responses batches, answers parsed like the online ones', async () => {
    const given = Array.from({ length: 3 }, (_, i): EvalRequest => {
      const body = { model: 'gpt-4.1-mini', input: [{ role: 'user', content: `Say ${i}` }], store: false };
      return {
        key: requestKey('/v1/responses', h.em.url, body, 0),
        candidate: 'r',
        item: i,
        sample: 0,
        endpoint: '/v1/responses',
        body,
      };
    });
    const got = await drain(sampler().sample(given));
    assertExact(given, got);
    for (const x of got) {
      assert.ok('response' in x);
      const online = await client().responses.create(x.request.body as never);
      assert.equal(x.response.output_text, online.output_text);
      assert.ok(x.response.usage.output_tokens > 0);
    }
  });

  test('the same request given twice is sent once and reported twice', async () => {
    const [a, b] = requestsFor('base', 'gpt-4.1-mini', 2);
    const got = await drain(sampler().sample([a!, b!, a!]));
    assert.equal(got.length, 3);
    assert.equal(got.filter((x) => x.request.key === a!.key).length, 2);
  });
});

/**
 * A provider that breaks the mapping: a proxy to the emulator that rewrites every output file it serves (`edit`
 * gets its lines), everything else passed through as is.
 */
async function brokenProvider(target: string, edit: (lines: string[]) => string[]) {
  const server = http.createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([k]) => !['host', 'content-length', 'connection', 'transfer-encoding'].includes(k),
        ),
      ) as Record<string, string>;
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      const r = await fetch(`${target}${req.url}`, { method: req.method, headers, body });
      let out = Buffer.from(await r.arrayBuffer());
      if (/\/files\/[^/]+\/content$/.test(req.url ?? '') && out.includes('"response"'))
        out = Buffer.from(`${edit(out.toString('utf8').split('\n').filter(Boolean)).join('\n')}\n`);
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
      res.end(out);
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('batch sampler against a provider that breaks the mapping', () => {
  const h = useEmulator({ speed: 1000, keys: [KEY] });

  test('unknown and repeated custom_ids are problems, never answers; a request with no line is missing', async () => {
    const given = requestsFor('base', 'gpt-4.1-mini', 5);
    const p = await brokenProvider(h.em.url.replace(/\/v1$/, ''), (lines) => {
      const first = JSON.parse(lines[0]!) as { custom_id: string };
      const dropped = lines.filter((l) => !l.includes(customIdOf(given[4]!.key)));
      return [...dropped, lines[0]!, JSON.stringify({ ...first, custom_id: 'eval-not-a-request' })];
    });
    try {
      const problems: string[] = [];
      const c = new OpenAI({ baseURL: p.url, apiKey: KEY, maxRetries: 0 });
      const s = new BatchSampler({
        clientFor: () => c,
        poll: { initialMs: 10 },
        onProblem: (m) => problems.push(m),
      });
      const got = await drain(s.sample(given));
      assertExact(given, got);
      const missing = got.filter((x) => 'failure' in x);
      assert.equal(missing.length, 1);
      assert.equal(missing[0]!.request.key, given[4]!.key);
      assert.match(
        (missing[0] as { failure: { message: string } }).failure.message,
        /ended \(completed\) with no line/,
      );
      assert.equal(s.stats.unknownLines, 1);
      assert.equal(s.stats.duplicateLines, 1);
      assert.equal(s.stats.missing, 1);
      assert.equal(problems.length, 2);
      assert.ok(problems.some((m) => /eval-not-a-request, which is not a request of this batch/.test(m)));
      assert.ok(problems.some((m) => /appears more than once/.test(m)));
    } finally {
      await p.close();
    }
  });
});

describe('batch sampler over time', () => {
  test('cancelled: what ran is answered, the rest are retryable failures', async () => {
    const clock = adjustableClock();
    const em = await startEmulator({ speed: 10, keys: [KEY], now: clock.now });
    try {
      const c = new OpenAI({ baseURL: em.url, apiKey: KEY, maxRetries: 0 });
      const given = requestsFor('base', 'gpt-4.1-mini', 10);
      let cancelled = false;
      const s = new BatchSampler({
        clientFor: () => c,
        poll: { initialMs: 20, maxMs: 20 },
        onProgress: (p) => {
          if (!cancelled && p.status === 'in_progress' && p.completed >= 3) {
            cancelled = true;
            clock.setRate(0);
            void c.batches.cancel(p.batch).then(() => clock.setRate(1));
          }
        },
      });
      const got = await drain(s.sample(given));
      assertExact(given, got);
      const ok = got.filter((x) => 'response' in x).length;
      assert.ok(ok >= 3 && ok < 10, `${ok} answered`);
      for (const x of got)
        if ('failure' in x) {
          assert.match(x.failure.message, /was cancelled before this request ran/);
          assert.equal(x.failure.retryable, true);
        }
      assert.equal(s.stats.missing, 10 - ok);
    } finally {
      await em.close();
    }
  });

  test('a batch that vanishes at the provider fails its requests (retryable) instead of polling forever', async () => {
    const em = await startEmulator({ speed: 1, keys: [KEY] });
    try {
      const c = new OpenAI({ baseURL: em.url, apiKey: KEY, maxRetries: 0 });
      const given = requestsFor('base', 'gpt-4.1-mini', 3);
      const s = new BatchSampler({
        clientFor: () => c,
        poll: { initialMs: 20, maxMs: 20 },
        onBatch: (r) => {
          if (r.status === 'validating')
            void fetch(`${em.url.replace(/\/v1$/, '')}/__emulator/reset`, {
              method: 'POST',
              headers: { authorization: `Bearer ${KEY}` },
            });
        },
      });
      const got = await drain(s.sample(given));
      assertExact(given, got);
      for (const x of got) {
        assert.ok('failure' in x);
        assert.match(x.failure.message, /no longer exists at the provider/);
        assert.equal(x.failure.retryable, true);
      }
    } finally {
      await em.close();
    }
  });

  test('resume after a restart: a new sampler given the stored batch id submits nothing again', async () => {
    const clock = adjustableClock();
    const em = await startEmulator({ speed: 50, keys: [KEY], now: clock.now });
    try {
      const c = new OpenAI({ baseURL: em.url, apiKey: KEY, maxRetries: 0 });
      const given = requestsFor('base', 'gpt-4.1-mini', 6);
      // The first run stops (editor closed, CLI killed) as soon as its batch is created.
      const stop = new AbortController();
      const stored: BatchRecord[] = [];
      const first = new BatchSampler({
        clientFor: () => c,
        poll: { initialMs: 20, maxMs: 100 },
        onBatch: (r) => {
          stored.splice(0, stored.length, r);
          stop.abort();
        },
      });
      assert.deepEqual(await drain(first.sample(given, stop.signal)), []);
      assert.equal(stored.length, 1);
      assert.equal(posts(em, '/batches'), 1);
      const uploads = posts(em, '/files');
      // The restarted run has answered two requests from its cache meanwhile: it gives the other four.
      const second = new BatchSampler({
        clientFor: () => c,
        poll: { initialMs: 20, maxMs: 100 },
        resume: stored,
      });
      const rest = given.slice(2);
      const got = await drain(second.sample(rest));
      assertExact(rest, got);
      assert.ok(got.every((x) => 'response' in x));
      assert.equal(posts(em, '/batches'), 1, 'no second batch');
      assert.equal(posts(em, '/files'), uploads, 'no second upload');
      assert.equal(second.stats.resumed, 1);
      assert.equal(second.stats.skippedLines, 2);
      // A batch id the provider no longer knows: its requests go into a new batch.
      const third = new BatchSampler({
        clientFor: () => c,
        poll: { initialMs: 20, maxMs: 100 },
        resume: [{ ...stored[0]!, id: 'batch_gone' }],
      });
      assertExact(rest, await drain(third.sample(rest)));
      assert.equal(posts(em, '/batches'), 2);
    } finally {
      await em.close();
    }
  });
});
