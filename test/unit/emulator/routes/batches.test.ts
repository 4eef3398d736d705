// The emulator's Batch API through the real SDK: a batch runs validating → in_progress → finalizing → completed with
// the same answers as the online endpoint; invalid input fails it with errors at their lines; the admin knobs fail
// chosen requests or expire the batch; cancel keeps what is done; list pages with a cursor; Azure's prefix works.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import type { Batch } from 'openai/resources/batches';
import { adjustableClock } from '../../../../src/emulator/clock';
import { startEmulator } from '../../../../src/emulator/server';
import type { BatchKnobs } from '../../../../src/emulator/batchSim';
import { waitFor } from '../../../lib/waitFor';
import { useEmulator } from '../useEmulator';

const KEY = 'sk-batches-test';

function line(customId: string, content: string, extra: Record<string, unknown> = {}) {
  return {
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'gpt-4.1-mini', messages: [{ role: 'user', content }], seed: 1 },
    ...extra,
  };
}

function jsonl(lines: unknown[]): string {
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

async function uploadBatchFile(client: OpenAI, content: string, name = 'in.jsonl') {
  return client.files.create({ file: await toFile(Buffer.from(content), name), purpose: 'batch' });
}

async function settle(client: OpenAI, id: string): Promise<Batch> {
  return waitFor(`batch ${id} to end`, async () => {
    const b = await client.batches.retrieve(id);
    return ['completed', 'failed', 'expired', 'cancelled'].includes(b.status) ? b : undefined;
  });
}

interface OutputLine {
  id: string;
  custom_id: string;
  response: { status_code: number; body: { choices: Array<{ message: { content: string } }> } } | null;
  error: { code: string; message: string } | null;
}

async function fileLines(client: OpenAI, id: string | undefined): Promise<OutputLine[]> {
  if (!id) return [];
  const text = await (await client.files.content(id)).text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as OutputLine);
}

async function setKnobs(client: OpenAI, knobs: BatchKnobs): Promise<void> {
  const origin = client.baseURL.replace(/\/(openai\/)?v1$/, '');
  const r = await fetch(`${origin}/__emulator/batches/knobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(knobs),
  });
  assert.equal(r.status, 200, await r.text());
}

describe('emulator batches', () => {
  const h = useEmulator({ speed: 1000, keys: [KEY] });
  const client = () => new OpenAI({ baseURL: h.em.url, apiKey: KEY, maxRetries: 0 });

  test('a batch completes with the answers the online endpoint gives for the same bodies', async () => {
    const c = client();
    const lines = [line('a', 'What is 2+2?'), line('b', 'Name a colour.'), line('c', 'Say hi.')];
    const file = await uploadBatchFile(c, jsonl(lines));
    const created = await c.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { run: 'test' },
    });
    assert.equal(created.status, 'validating');
    assert.deepEqual(created.metadata, { run: 'test' });
    const seen = new Set<string>([created.status]);
    const done = await waitFor('completed', async () => {
      const b = await c.batches.retrieve(created.id);
      seen.add(b.status);
      return b.status === 'completed' ? b : undefined;
    });
    assert.ok(seen.has('validating') && seen.has('completed'), [...seen].join());
    assert.deepEqual(done.request_counts, { total: 3, completed: 3, failed: 0 });
    assert.equal(done.model, 'gpt-4.1-mini');
    assert.ok(done.completed_at! >= done.finalizing_at! && done.finalizing_at! >= done.in_progress_at!);
    assert.ok(done.usage!.output_tokens > 0);
    assert.equal(done.error_file_id, undefined);
    const out = await fileLines(c, done.output_file_id);
    assert.deepEqual(out.map((l) => l.custom_id).sort(), ['a', 'b', 'c']);
    for (const l of out) {
      assert.equal(l.error, null);
      assert.equal(l.response!.status_code, 200);
      assert.match(l.id, /^batch_req_/);
      const online = await c.chat.completions.create(
        lines.find((x) => x.custom_id === l.custom_id)!.body as never,
      );
      assert.equal(l.response!.body.choices[0]!.message.content, online.choices[0]!.message.content);
    }
    const outFile = await c.files.retrieve(done.output_file_id!);
    assert.equal(outFile.purpose, 'batch_output');
  });

  test('invalid input fails the batch with errors at their lines', async () => {
    const c = client();
    const file = await uploadBatchFile(
      c,
      jsonl([
        line('a', 'x'),
        line('a', 'y'),
        line('b', 'z', { url: '/v1/responses' }),
        line('c', 'w', { method: 'GET' }),
        { ...line('d', 'v'), body: { model: 'gpt-4o-2024-08-06', messages: [] } },
      ]) + 'not json\n',
    );
    const b = await c.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    const failed = await settle(c, b.id);
    assert.equal(failed.status, 'failed');
    assert.ok(failed.failed_at);
    const errors = failed.errors!.data!.map((e) => [e.code, e.line]);
    assert.deepEqual(errors, [
      ['duplicate_custom_id', 2],
      ['invalid_url', 3],
      ['invalid_method', 4],
      ['mismatched_model', 5],
      ['invalid_json_line', 6],
    ]);
  });

  test('create refuses a file of another purpose, an unknown endpoint and a window other than 24h', async () => {
    const c = client();
    const ft = await c.files.create({
      file: await toFile(Buffer.from(jsonl([{ messages: [{ role: 'user', content: 'q' }] }])), 'ft.jsonl'),
      purpose: 'fine-tune',
    });
    const good = await uploadBatchFile(c, jsonl([line('a', 'x')]));
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ input_file_id: ft.id, endpoint: '/v1/chat/completions', completion_window: '24h' }, 'input_file_id'],
      [{ input_file_id: good.id, endpoint: '/v1/moderations', completion_window: '24h' }, 'endpoint'],
      [
        { input_file_id: good.id, endpoint: '/v1/chat/completions', completion_window: '48h' },
        'completion_window',
      ],
      [{ input_file_id: 'file-nope', endpoint: '/v1/chat/completions', completion_window: '24h' }, 'id'],
    ];
    for (const [body, param] of cases)
      await assert.rejects(c.batches.create(body as never), (e: unknown) => {
        assert.ok(e instanceof OpenAI.APIError);
        assert.equal((e.error as { param: string }).param, param);
        return true;
      });
    await assert.rejects(
      c.files.create({ file: await toFile(Buffer.from('{}'), 'in.txt'), purpose: 'batch' }),
      /Must be \.jsonl/,
    );
  });

  test('the knobs fail chosen requests (500 in the error file) and a fraction of them', async () => {
    const c = client();
    await setKnobs(c, { fail_custom_ids: ['r3'], fail_fraction: 0.3 });
    try {
      const lines = Array.from({ length: 40 }, (_, i) => line(`r${i}`, `question ${i}`));
      const file = await uploadBatchFile(c, jsonl(lines));
      const b = await c.batches.create({
        input_file_id: file.id,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      });
      const done = await settle(c, b.id);
      assert.equal(done.status, 'completed');
      const ok = await fileLines(c, done.output_file_id);
      const bad = await fileLines(c, done.error_file_id);
      assert.equal(ok.length + bad.length, 40);
      assert.ok(bad.some((l) => l.custom_id === 'r3'));
      assert.ok(bad.length >= 5 && bad.length <= 25, `${bad.length} failed`);
      for (const l of bad) assert.equal(l.response!.status_code, 500);
      assert.deepEqual(done.request_counts, { total: 40, completed: ok.length, failed: bad.length });
    } finally {
      await setKnobs(c, {});
    }
  });

  test('expiry: requests past the window are batch_expired in the error file', async () => {
    const c = client();
    await setKnobs(c, { expire_after: 2 });
    try {
      const file = await uploadBatchFile(
        c,
        jsonl([line('a', '1'), line('b', '2'), line('c', '3'), line('d', '4')]),
      );
      const b = await c.batches.create({
        input_file_id: file.id,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      });
      const done = await settle(c, b.id);
      assert.equal(done.status, 'expired');
      assert.ok(done.expired_at);
      assert.deepEqual(
        (await fileLines(c, done.output_file_id)).map((l) => l.custom_id),
        ['a', 'b'],
      );
      const expired = await fileLines(c, done.error_file_id);
      assert.deepEqual(
        expired.map((l) => [l.custom_id, l.error!.code, l.response]),
        [
          ['c', 'batch_expired', null],
          ['d', 'batch_expired', null],
        ],
      );
      assert.deepEqual(done.request_counts, { total: 4, completed: 2, failed: 2 });
    } finally {
      await setKnobs(c, {});
    }
  });

  test('list pages newest first with an after cursor; the Azure prefix and endpoint form work', async () => {
    const c = client();
    const az = new OpenAI({ baseURL: h.em.azureUrl, apiKey: KEY, maxRetries: 0 });
    const file = await uploadBatchFile(az, jsonl([{ ...line('a', 'x'), url: '/chat/completions' }]));
    const mine = await az.batches.create({
      input_file_id: file.id,
      endpoint: '/chat/completions' as never,
      completion_window: '24h',
    });
    assert.equal((await settle(az, mine.id)).status, 'completed');
    const first = await c.batches.list({ limit: 2 });
    assert.equal(first.data[0]!.id, mine.id);
    assert.equal(first.data.length, 2);
    assert.ok(first.has_more);
    const all: string[] = [];
    for await (const b of c.batches.list({ limit: 2 })) all.push(b.id);
    assert.equal(new Set(all).size, all.length);
    assert.ok(all.length >= 5);
    await assert.rejects(c.batches.list({ limit: 101 }), /between 1 and 100/);
    await assert.rejects(c.batches.retrieve('batch_nope'), (e: unknown) => e instanceof OpenAI.NotFoundError);
  });
});

test('cancel keeps the answers done so far; the rest never run', async () => {
  const clock = adjustableClock();
  const em = await startEmulator({ speed: 10, keys: [KEY], now: clock.now });
  try {
    const c = new OpenAI({ baseURL: em.url, apiKey: KEY, maxRetries: 0 });
    const file = await uploadBatchFile(
      c,
      jsonl(Array.from({ length: 10 }, (_, i) => line(`r${i}`, `q${i}`))),
    );
    const b = await c.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    // At speed 10 the batch validates for 0.3 s and runs for 2 s: hold the clock once some requests are done.
    await waitFor(
      '3 requests done',
      async () => (await c.batches.retrieve(b.id)).request_counts!.completed >= 3,
    );
    clock.setRate(0);
    const at = await c.batches.retrieve(b.id);
    assert.equal(at.status, 'in_progress');
    const cancelling = await c.batches.cancel(b.id);
    assert.equal(cancelling.status, 'cancelling');
    await assert.rejects(c.batches.cancel(b.id), /Cannot cancel a batch with status 'cancelling'/);
    clock.setRate(1000);
    const done = await settle(c, b.id);
    assert.equal(done.status, 'cancelled');
    const out = await fileLines(c, done.output_file_id);
    assert.ok(out.length >= at.request_counts!.completed && out.length < 10, `${out.length} kept`);
    assert.deepEqual(
      out.map((l) => l.custom_id),
      Array.from({ length: out.length }, (_, i) => `r${i}`),
    );
    assert.equal(done.request_counts!.completed, out.length);
    assert.equal(done.request_counts!.total, 10);
  } finally {
    await em.close();
  }
});

test('cancel while validating: cancelled with nothing run and no files', async () => {
  const em = await startEmulator({ speed: 1, keys: [KEY] });
  try {
    const c = new OpenAI({ baseURL: em.url, apiKey: KEY, maxRetries: 0 });
    const file = await uploadBatchFile(c, jsonl([line('a', '1'), line('b', '2')]));
    const b = await c.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    assert.equal((await c.batches.cancel(b.id)).status, 'cancelling');
    const done = await settle(c, b.id);
    assert.equal(done.status, 'cancelled');
    assert.equal(done.output_file_id, undefined);
    assert.equal(done.error_file_id, undefined);
    assert.equal(done.request_counts!.completed, 0);
  } finally {
    await em.close();
  }
});
