// The emulator through the real openai SDK: job lifecycle over (sped-up) time, pagination, pause/resume,
// files and uploads, graders, the fake model, both path/auth styles, idempotency and every fault kind.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Ajv from 'ajv';
import OpenAI, { toFile } from 'openai';
import type { Emulator } from '../../../src/emulator/server';
import { startEmulator } from '../../../src/emulator/server';

const line = (answer: string) =>
  JSON.stringify({ messages: [{ role: 'user', content: `Say ${answer}` }], answer });
const JSONL = `${['yes', 'no', 'maybe', 'yes'].map(line).join('\n')}\n`;
const GRADER = {
  type: 'string_check',
  name: 'exact',
  input: '{{sample.output_text}}',
  reference: '{{item.answer}}',
  operation: 'eq',
};

let em: Emulator;
let client: OpenAI;

async function until<T>(fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function uploadProcessed(c: OpenAI, content = JSONL, name = 'train.jsonl') {
  const f = await c.files.create({ file: await toFile(Buffer.from(content), name), purpose: 'fine-tune' });
  return until(async () => {
    const r = await c.files.retrieve(f.id);
    return r.status === 'processed' || r.status === 'error' ? r : undefined;
  });
}

async function createJob(c: OpenAI, extra: Record<string, unknown> = {}) {
  const f = await uploadProcessed(c);
  return c.fineTuning.jobs.create({
    model: 'o4-mini-2025-04-16',
    training_file: f.id,
    validation_file: f.id,
    method: { type: 'reinforcement', reinforcement: { grader: GRADER } },
    ...extra,
  } as OpenAI.FineTuning.JobCreateParams);
}

before(async () => {
  em = await startEmulator({ speed: 200 });
  client = new OpenAI({ baseURL: em.url, apiKey: 'sk-test-emulator-key', maxRetries: 0 });
});
after(async () => {
  await em.close();
});

describe('fine-tuning jobs', () => {
  test('a job moves validating_files → queued → running → succeeded with rising rewards', async () => {
    const job = await createJob(client, { suffix: 'demo', metadata: { project: 'p1' } });
    assert.equal(job.status, 'validating_files');
    assert.equal(job.object, 'fine_tuning.job');
    const seen = new Set<string>([job.status]);
    const done = await until(async () => {
      const j = await client.fineTuning.jobs.retrieve(job.id);
      seen.add(j.status);
      return j.status === 'succeeded' ? j : undefined;
    });
    assert.ok(seen.has('running') || seen.has('queued'), `statuses seen: ${[...seen]}`);
    assert.match(done.fine_tuned_model ?? '', /^ft:o4-mini-2025-04-16:emulator:demo:/);
    assert.ok(done.finished_at && done.finished_at >= done.created_at);
    assert.equal(done.result_files.length, 1);
    const csv = await (await client.files.content(done.result_files[0]!)).text();
    assert.match(csv, /^step,train_reward_mean,valid_reward_mean\n1,/);

    const events = [];
    for await (const ev of client.fineTuning.jobs.listEvents(job.id, { limit: 7 })) events.push(ev);
    // Newest first: the completion message leads, creation-time validation messages come last.
    assert.equal(events[0]!.message, 'The job has successfully completed');
    assert.match(events[events.length - 1]!.message, /^Validating/);
    const times = events.map((e) => e.created_at);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    assert.equal(new Set(events.map((e) => e.id)).size, events.length);

    const metrics = events.filter((e) => e.type === 'metrics').reverse();
    const total = (metrics[0]!.data as { total_steps: number }).total_steps;
    assert.equal(metrics.length, total);
    const rewards = metrics.map(
      (e) => (e.data as { scores: { train_reward_mean: number } }).scores.train_reward_mean,
    );
    const firstQuarter = rewards.slice(0, Math.ceil(total / 4));
    const lastQuarter = rewards.slice(-Math.ceil(total / 4));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(mean(lastQuarter) > mean(firstQuarter) + 0.2, `rewards should rise: ${rewards.join(', ')}`);
    assert.match(
      metrics[metrics.length - 1]!.message,
      new RegExp(`^Step ${total}/${total} , train mean reward=`),
    );

    const ckpts = await client.fineTuning.jobs.checkpoints.list(job.id);
    assert.ok(ckpts.data.length >= 1 && ckpts.data.length <= 3, `best three kept, got ${ckpts.data.length}`);
    for (const c of ckpts.data) {
      assert.match(c.fine_tuned_model_checkpoint, new RegExp(`:ckpt-step-${c.step_number}$`));
      assert.equal(c.fine_tuning_job_id, job.id);
    }
  });

  test('list filters by metadata and pages with after/limit, newest first', async () => {
    const a = await createJob(client, { metadata: { batch: 'x' } });
    const b = await createJob(client, { metadata: { batch: 'x' } });
    await createJob(client, { metadata: { batch: 'y' } });
    const page = await client.fineTuning.jobs.list({ metadata: { batch: 'x' }, limit: 1 });
    assert.deepEqual(
      page.data.map((j) => j.id),
      [b.id],
    );
    assert.equal(page.has_more, true);
    const next = await page.getNextPage();
    assert.deepEqual(
      next.data.map((j) => j.id),
      [a.id],
    );
    assert.equal(next.has_more, false);
  });

  test('pause keeps a job paused with a checkpoint; resume continues from that step', async () => {
    const slowEm = await startEmulator({ speed: 20 });
    try {
      const c = new OpenAI({ baseURL: slowEm.url, apiKey: 'k', maxRetries: 0 });
      const job = await createJob(c);
      await assert.rejects(
        c.fineTuning.jobs.pause(job.id),
        (e: unknown) => e instanceof OpenAI.BadRequestError && /only running jobs/.test(e.message),
      );
      await until(async () => {
        const evs = await c.fineTuning.jobs.listEvents(job.id, { limit: 1 });
        return evs.data[0]?.type === 'metrics' ? true : undefined;
      });
      const paused = await c.fineTuning.jobs.pause(job.id);
      assert.equal(paused.status, 'paused');
      const stepAtPause = (await c.fineTuning.jobs.checkpoints.list(job.id)).data[0]!.step_number;
      await new Promise((r) => setTimeout(r, 400));
      const still = await c.fineTuning.jobs.retrieve(job.id);
      assert.equal(still.status, 'paused');
      const evs = await c.fineTuning.jobs.listEvents(job.id, { limit: 1 });
      assert.equal(evs.data[0]!.message, 'Fine-tuning job paused');
      const resumed = await c.fineTuning.jobs.resume(job.id);
      assert.equal(resumed.status, 'queued');
      const firstAfter = await until(async () => {
        const e = await c.fineTuning.jobs.listEvents(job.id, { limit: 1 });
        return e.data[0]?.type === 'metrics' &&
          e.data[0].created_at >= 0 &&
          /resumed|Step/.test(e.data[0].message)
          ? e.data[0]
          : undefined;
      });
      assert.equal((firstAfter.data as { step: number }).step, stepAtPause + 1);
      const cancelled = await c.fineTuning.jobs.cancel(job.id);
      assert.equal(cancelled.status, 'cancelled');
      await assert.rejects(c.fineTuning.jobs.cancel(job.id), OpenAI.BadRequestError);
    } finally {
      await slowEm.close();
    }
  });

  test('a training file that is not RFT data fails the job with a file error', async () => {
    const bad = await uploadProcessed(
      client,
      `${JSON.stringify({ messages: [{ role: 'assistant', content: 'x' }] })}\n`,
      'bad.jsonl',
    );
    const good = await uploadProcessed(client);
    const job = await client.fineTuning.jobs.create({
      model: 'o4-mini-2025-04-16',
      training_file: bad.id,
      validation_file: good.id,
      method: { type: 'reinforcement', reinforcement: { grader: GRADER } },
    } as OpenAI.FineTuning.JobCreateParams);
    const failed = await until(async () => {
      const j = await client.fineTuning.jobs.retrieve(job.id);
      return j.status === 'failed' ? j : undefined;
    });
    assert.equal(failed.error?.param, 'training_file');
    assert.match(failed.error?.message ?? '', /last message must be from the user/);
  });

  test('create refuses bad requests with 400 and the offending param', async () => {
    const f = await uploadProcessed(client);
    const base = { model: 'o4-mini-2025-04-16', training_file: f.id, validation_file: f.id };
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        {
          ...base,
          training_file: 'file-missing',
          method: { type: 'reinforcement', reinforcement: { grader: GRADER } },
        },
        'training_file',
      ],
      [
        {
          ...base,
          method: { type: 'reinforcement', reinforcement: { grader: { type: 'label_model', name: 'x' } } },
        },
        'method.reinforcement.grader',
      ],
      [
        {
          ...base,
          method: {
            type: 'reinforcement',
            reinforcement: { grader: GRADER, hyperparameters: { n_epochs: 99 } },
          },
        },
        'method.reinforcement.hyperparameters.n_epochs',
      ],
      [
        {
          ...base,
          suffix: 'x'.repeat(65),
          method: { type: 'reinforcement', reinforcement: { grader: GRADER } },
        },
        'suffix',
      ],
    ];
    for (const [body, param] of cases) {
      await assert.rejects(
        client.fineTuning.jobs.create(body as unknown as OpenAI.FineTuning.JobCreateParams),
        (e: unknown) => {
          assert.ok(e instanceof OpenAI.BadRequestError, String(e));
          assert.equal(e.param, param);
          return true;
        },
      );
    }
    const nf = client.fineTuning.jobs.retrieve('ftjob-nope');
    await assert.rejects(nf, OpenAI.NotFoundError);
  });

  test('a file still being processed is refused, and a job on it can be created once processed', async () => {
    const slow = await startEmulator({ speed: 1 });
    try {
      const c = new OpenAI({ baseURL: slow.url, apiKey: 'k', maxRetries: 0 });
      const f = await c.files.create({
        file: await toFile(Buffer.from(JSONL), 't.jsonl'),
        purpose: 'fine-tune',
      });
      assert.equal(f.status, 'uploaded');
      await assert.rejects(
        c.fineTuning.jobs.create({
          model: 'o4-mini-2025-04-16',
          training_file: f.id,
          validation_file: f.id,
          method: { type: 'reinforcement', reinforcement: { grader: GRADER } },
        } as OpenAI.FineTuning.JobCreateParams),
        (e: unknown) => e instanceof OpenAI.BadRequestError && e.code === 'file_not_ready',
      );
      const processed = await c.files.waitForProcessing(f.id, { pollInterval: 50 });
      assert.equal(processed.status, 'processed');
    } finally {
      await slow.close();
    }
  });
});

describe('files and uploads', () => {
  test('upload, list, content and delete', async () => {
    const f = await uploadProcessed(client, JSONL, 'listed.jsonl');
    assert.equal(f.bytes, Buffer.byteLength(JSONL));
    const listed = await client.files.list({ purpose: 'fine-tune' });
    assert.ok(listed.data.some((x) => x.id === f.id));
    assert.equal(await (await client.files.content(f.id)).text(), JSONL);
    const del = await client.files.delete(f.id);
    assert.equal(del.deleted, true);
    await assert.rejects(client.files.retrieve(f.id), OpenAI.NotFoundError);
  });

  test('a fine-tune file that is not JSONL is refused or marked error', async () => {
    await assert.rejects(
      client.files.create({ file: await toFile(Buffer.from('a,b'), 'data.csv'), purpose: 'fine-tune' }),
      OpenAI.BadRequestError,
    );
    const f = await uploadProcessed(client, '{"messages": [}\n', 'broken.jsonl');
    assert.equal(f.status, 'error');
    assert.match(f.status_details ?? '', /line 1 is not valid JSON/);
  });

  test('the uploads API assembles parts in the given order', async () => {
    const content = Buffer.from(JSONL.repeat(50));
    const up = await client.uploads.create({
      bytes: content.length,
      filename: 'big.jsonl',
      mime_type: 'text/jsonl',
      purpose: 'fine-tune',
    });
    assert.equal(up.status, 'pending');
    const cut = [0, 1000, 2500, content.length];
    const parts = [];
    for (let i = 0; i < cut.length - 1; i++) {
      parts.push(
        await client.uploads.parts.create(up.id, {
          data: await toFile(content.subarray(cut[i], cut[i + 1]), `p${i}`),
        }),
      );
    }
    await assert.rejects(client.uploads.complete(up.id, { part_ids: [parts[0]!.id] }), /bytes/);
    const done = await client.uploads.complete(up.id, { part_ids: parts.map((p) => p.id) });
    assert.equal(done.status, 'completed');
    assert.ok(done.file);
    assert.equal(
      Buffer.from(await (await client.files.content(done.file.id)).arrayBuffer()).equals(content),
      true,
    );
  });
});

describe('graders', () => {
  test('run grades with the grader engine; validate echoes; invalid graders get 400', async () => {
    const hit = await client.fineTuning.alpha.graders.run({
      grader: GRADER as never,
      model_sample: 'yes',
      item: { answer: 'yes' },
    });
    assert.equal(hit.reward, 1);
    assert.equal(hit.metadata.type, 'string_check');
    const miss = await client.fineTuning.alpha.graders.run({
      grader: GRADER as never,
      model_sample: 'no',
      item: { answer: 'yes' },
    });
    assert.equal(miss.reward, 0);
    const v = await client.fineTuning.alpha.graders.validate({ grader: GRADER as never });
    assert.deepEqual(v.grader, GRADER);
    await assert.rejects(
      client.fineTuning.alpha.graders.validate({ grader: { ...GRADER, operation: 'contains' } as never }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && /operation/.test(e.message),
    );
    await assert.rejects(
      client.fineTuning.alpha.graders.run({
        grader: {
          type: 'multi',
          name: 'm',
          graders: { a: { type: 'multi', name: 'n', graders: {}, calculate_output: 'a' } },
          calculate_output: 'a',
        } as never,
        model_sample: 'x',
      }),
      /nested multigrader/,
    );
  });

  test('python graders run only when the emulator allows them', async () => {
    const grader = {
      type: 'python',
      name: 'py',
      source:
        'def grade(sample, item):\n    return 1.0 if sample["output_text"] == item["answer"] else 0.25\n',
    };
    const refused = await client.fineTuning.alpha.graders.run({
      grader: grader as never,
      model_sample: 'yes',
      item: { answer: 'yes' },
    });
    assert.equal(refused.metadata.errors.python_grader_server_error, true);
    assert.equal(refused.metadata.errors.python_grader_server_error_type, 'not_allowed');
    const trusting = await startEmulator({ allowPython: true });
    try {
      const c = new OpenAI({ baseURL: trusting.url, apiKey: 'k', maxRetries: 0 });
      const hit = await c.fineTuning.alpha.graders.run({
        grader: grader as never,
        model_sample: 'yes',
        item: { answer: 'yes' },
      });
      assert.equal(hit.reward, 1, JSON.stringify(hit.metadata));
      const miss = await c.fineTuning.alpha.graders.run({
        grader: grader as never,
        model_sample: 'no',
        item: { answer: 'yes' },
      });
      assert.equal(miss.reward, 0.25);
    } finally {
      await trusting.close();
    }
  });

  test('a score_model grader is graded by the fake model through the engine', async () => {
    const r = await client.fineTuning.alpha.graders.run({
      grader: {
        type: 'score_model',
        name: 'judge',
        model: 'gpt-4o-2024-08-06',
        input: [{ role: 'user', content: 'Score {{sample.output_text}} against {{item.answer}}' }],
        range: [0, 1],
      } as never,
      model_sample: 'yes',
      item: { answer: 'yes' },
    });
    assert.ok(r.reward >= 0 && r.reward <= 1, `reward ${r.reward}`);
    assert.equal(r.metadata.errors.model_grader_server_error, false);
    assert.equal(r.metadata.errors.model_grader_parse_error, false);
  });
});

describe('fake model', () => {
  test('chat completions honour json_schema and are deterministic', async () => {
    const schema = {
      type: 'object',
      properties: {
        labels: { type: 'array', items: { type: 'string', enum: ['A', 'B', 'C'] }, minItems: 1, maxItems: 2 },
        score: { type: 'integer', minimum: 1, maximum: 5 },
        note: { anyOf: [{ type: 'string', maxLength: 12 }, { type: 'null' }] },
      },
      required: ['labels', 'score', 'note'],
      additionalProperties: false,
    };
    const ask = () =>
      client.chat.completions.create({
        model: 'gpt-4o-2024-08-06',
        messages: [{ role: 'user', content: 'classify this' }],
        response_format: { type: 'json_schema', json_schema: { name: 'x', strict: true, schema } },
      });
    const [a, b] = [await ask(), await ask()];
    const content = a.choices[0]!.message.content!;
    assert.equal(content, b.choices[0]!.message.content);
    const validate = new Ajv().compile(schema);
    assert.ok(validate(JSON.parse(content)), JSON.stringify(validate.errors));
    assert.ok(a.usage!.total_tokens > 0);
  });

  test('streaming chat, responses with text.format, and embeddings (float and base64)', async () => {
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    const plain = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(text, plain.choices[0]!.message.content);

    const r = await client.responses.create({
      model: 'gpt-4.1-mini',
      input: 'give json',
      text: {
        format: {
          type: 'json_schema',
          name: 'o',
          strict: true,
          schema: {
            type: 'object',
            properties: { ok: { type: 'boolean' } },
            required: ['ok'],
            additionalProperties: false,
          },
        },
      },
    });
    assert.equal(typeof JSON.parse(r.output_text).ok, 'boolean');

    const viaSdk = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['alpha', 'beta'],
      dimensions: 64,
    });
    const raw = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['alpha', 'beta'],
      dimensions: 64,
      encoding_format: 'float',
    });
    assert.equal(viaSdk.data[0]!.embedding.length, 64);
    const norm = Math.hypot(...raw.data[0]!.embedding);
    assert.ok(Math.abs(norm - 1) < 1e-9);
    // The SDK asks for base64 by default and decodes float32: same vector within float32 precision.
    viaSdk.data[0]!.embedding.forEach((x, i) => assert.ok(Math.abs(x - raw.data[0]!.embedding[i]!) < 1e-6));
    assert.notDeepEqual(raw.data[0]!.embedding, raw.data[1]!.embedding);
  });
});

describe('auth, Azure style and idempotency', () => {
  test('OpenAI style needs a bearer key; Azure style takes api-key and ignores api-version', async () => {
    const res = await fetch(`${em.url}/fine_tuning/jobs`);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_api_key');
    const azure = new OpenAI({
      baseURL: em.azureUrl,
      apiKey: 'unused',
      defaultHeaders: { 'api-key': 'azure-key', Authorization: null },
      defaultQuery: { 'api-version': 'preview' },
      maxRetries: 0,
    });
    const job = await createJob(azure);
    const again = await client.fineTuning.jobs.retrieve(job.id);
    assert.equal(again.id, job.id, 'both styles reach the same store');
    const rec = em.requests().filter((r) => r.style === 'azure');
    assert.ok(rec.length > 0 && rec.every((r) => r.auth === 'api-key'));
    // Azure's documented (buggy) POST for events is tolerated on the Azure path only.
    const posted = await fetch(`${em.azureUrl}/fine_tuning/jobs/${job.id}/events?api-version=preview`, {
      method: 'POST',
      headers: { 'api-key': 'k' },
    });
    assert.equal(posted.status, 200);
    assert.ok(((await posted.json()) as { data: unknown[] }).data.length > 0);
    const postedOpenAI = await fetch(`${em.url}/fine_tuning/jobs/${job.id}/events`, {
      method: 'POST',
      headers: { authorization: 'Bearer k' },
    });
    assert.equal(postedOpenAI.status, 404);
    const f = await azure.files.create({
      file: await toFile(Buffer.from(JSONL), 'z.jsonl'),
      purpose: 'fine-tune',
    });
    assert.equal(f.status as string, 'pending', 'Azure reports pending while processing');
  });

  test('a restricted emulator rejects unknown keys', async () => {
    const strict = await startEmulator({ keys: ['good-key'] });
    try {
      const bad = new OpenAI({ baseURL: strict.url, apiKey: 'bad-key', maxRetries: 0 });
      await assert.rejects(bad.models.list(), OpenAI.AuthenticationError);
      const good = new OpenAI({ baseURL: strict.url, apiKey: 'good-key', maxRetries: 0 });
      assert.ok((await good.models.list()).data.some((m) => m.id === 'o4-mini-2025-04-16'));
    } finally {
      await strict.close();
    }
  });

  test('the same Idempotency-Key replays the first job instead of creating another', async () => {
    const f = await uploadProcessed(client);
    const body = {
      model: 'o4-mini-2025-04-16',
      training_file: f.id,
      validation_file: f.id,
      method: { type: 'reinforcement', reinforcement: { grader: GRADER } },
      metadata: { idem: 'k1' },
    } as OpenAI.FineTuning.JobCreateParams;
    const one = await client.fineTuning.jobs.create(body, { headers: { 'Idempotency-Key': 'launch-1' } });
    const two = await client.fineTuning.jobs.create(body, { headers: { 'Idempotency-Key': 'launch-1' } });
    assert.equal(two.id, one.id);
    const listed = await client.fineTuning.jobs.list({ metadata: { idem: 'k1' } });
    assert.equal(listed.data.length, 1);
  });
});

describe('faults', () => {
  test('429 carries retry-after and the SDK retries through it', async () => {
    em.addFault({ path: '/v1/models', kind: '429', count: 1, retryAfter: 0, retryAfterMs: 10 });
    const retrying = new OpenAI({ baseURL: em.url, apiKey: 'k', maxRetries: 2 });
    const before = em.requests().length;
    const { data, response } = await retrying.models.list().withResponse();
    assert.ok(data.data.length > 0);
    assert.equal(response.status, 200);
    const recs = em.requests().slice(before);
    assert.deepEqual(
      recs.map((r) => [r.status, r.fault]),
      [
        [429, '429'],
        [200, undefined],
      ],
    );
    em.addFault({ path: '/models', kind: '429', retryAfter: 7 });
    const res = await fetch(`${em.url}/models`, { headers: { authorization: 'Bearer k' } });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '7');
  });

  test('500, slow, reset, drop and training_not_available', async () => {
    em.addFault({ path: '/fine_tuning/jobs', method: 'GET', kind: '500' });
    await assert.rejects(client.fineTuning.jobs.list(), OpenAI.InternalServerError);

    em.addFault({ path: '/models', kind: 'slow', delayMs: 300 });
    const t0 = Date.now();
    await client.models.list();
    assert.ok(Date.now() - t0 >= 280);

    const impatient = new OpenAI({ baseURL: em.url, apiKey: 'k', maxRetries: 0, timeout: 100 });
    em.addFault({ path: '/models', kind: 'slow', delayMs: 400 });
    await assert.rejects(impatient.models.list(), OpenAI.APIConnectionTimeoutError);

    em.addFault({ path: '/models', kind: 'reset' });
    await assert.rejects(client.models.list(), OpenAI.APIConnectionError);

    em.addFault({ path: '/fine_tuning/jobs', method: 'POST', kind: 'training_not_available' });
    await assert.rejects(createJob(client), (e: unknown) => {
      assert.ok(e instanceof OpenAI.PermissionDeniedError);
      assert.equal(e.status, 403);
      assert.equal(e.code, 'training_not_available');
      return true;
    });

    const f = await uploadProcessed(client);
    em.addFault({ path: '/fine_tuning/jobs', method: 'POST', kind: 'drop' });
    await assert.rejects(
      client.fineTuning.jobs.create({
        model: 'o4-mini-2025-04-16',
        training_file: f.id,
        validation_file: f.id,
        method: { type: 'reinforcement', reinforcement: { grader: GRADER } },
        metadata: { dropped: '1' },
      } as OpenAI.FineTuning.JobCreateParams),
      OpenAI.APIConnectionError,
    );
    const created = await client.fineTuning.jobs.list({ metadata: { dropped: '1' } });
    assert.equal(created.data.length, 1, 'a dropped response still created the job');
  });

  test('faults by header, the admin endpoint, and rule counts', async () => {
    const r1 = await fetch(`${em.url}/models`, {
      headers: { authorization: 'Bearer k', 'x-emulator-fault': '500' },
    });
    assert.equal(r1.status, 500);
    const add = await fetch(`${em.url.replace(/\/v1$/, '')}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
      body: JSON.stringify({ path: '/v1/fine_tuning/jobs/*', kind: '500', count: 2 }),
    });
    assert.equal(add.status, 200);
    const job = await createJob(client);
    await assert.rejects(client.fineTuning.jobs.retrieve(job.id), OpenAI.InternalServerError);
    await assert.rejects(client.fineTuning.jobs.retrieve(job.id), OpenAI.InternalServerError);
    assert.equal((await client.fineTuning.jobs.retrieve(job.id)).id, job.id);
    const bad = await fetch(`${em.url.replace(/\/v1$/, '')}/__emulator/faults`, {
      method: 'POST',
      headers: { authorization: 'Bearer k' },
      body: '{"kind":"explode"}',
    });
    assert.equal(bad.status, 400);
    const list = (await (
      await fetch(`${em.url.replace(/\/v1$/, '')}/__emulator/faults`, { headers: { 'api-key': 'k' } })
    ).json()) as {
      faults: Array<{ remaining: number }>;
    };
    assert.ok(list.faults.every((f) => f.remaining === 0));
  });
});
