// Contract tests: the emulator's wire responses validate against the component schemas of the OpenAI
// OpenAPI document in test/fixtures/openapi, with only the extras docs/rft-reference.md documents
// (status `paused` §4.2, object-shaped grader `token_usage` §3.1).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import type { Emulator } from '../../../src/emulator/server';
import { startEmulator } from '../../../src/emulator/server';

// js-yaml ships with the toolchain (eslint's config loader) without type declarations; the repository has
// no YAML parser of its own.
const loadYaml = (createRequire(__filename)('js-yaml') as { load: (text: string) => unknown }).load;

const SPEC = path.resolve(__dirname, '../../fixtures/openapi/openai-openapi.yaml');

type Json = Record<string, unknown>;

/**
 * OpenAPI 3.0 leftovers in the 3.1 document → JSON Schema 2020-12: `nullable: true` becomes anyOf with null,
 * boolean `exclusiveMinimum`/`exclusiveMaximum` become numbers.
 */
function normalise(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalise);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) out[k] = normalise(v);
  for (const [ex, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[ex] === 'boolean') {
      if (out[ex] === true && typeof out[bound] === 'number') {
        out[ex] = out[bound];
        delete out[bound];
      } else delete out[ex];
    }
  }
  if (out.nullable === true) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  delete out.nullable;
  return out;
}

let validatorOf: (name: string) => ValidateFunction;
let em: Emulator;
let origin: string;
const KEY = { authorization: 'Bearer sk-contract-test' };

async function call(method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { ...KEY, ...headers } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(`${origin}${p}`, init);
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as Json };
}

function conforms(schema: string, value: unknown): void {
  const v = validatorOf(schema);
  const ok = v(value);
  assert.ok(
    ok,
    `${schema}: ${JSON.stringify(v.errors?.slice(0, 5), null, 1)}\nvalue: ${JSON.stringify(value).slice(0, 600)}`,
  );
}

const JSONL = `${[1, 2, 3].map((i) => JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }], answer: `a${i}` })).join('\n')}\n`;
const GRADER = {
  type: 'string_check',
  name: 'g',
  input: '{{sample.output_text}}',
  reference: '{{item.answer}}',
  operation: 'eq',
};

async function until<T>(fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function upload(name = 't.jsonl', content = JSONL) {
  const form = new FormData();
  form.append('purpose', 'fine-tune');
  form.append('file', new Blob([content]), name);
  const r = await call('POST', '/v1/files', form);
  assert.equal(r.status, 200);
  return r.json;
}

before(async () => {
  const doc = normalise(loadYaml(readFileSync(SPEC, 'utf8'))) as {
    components: { schemas: Record<string, Json> };
  };
  const schemas = doc.components.schemas;
  // Documented extras (reference §4.2, §3.1).
  const status = (schemas.FineTuningJob!.properties as Record<string, Json>).status!;
  status.enum = [...(status.enum as string[]), 'paused'];
  const meta = (schemas.RunGraderResponse!.properties as Record<string, Json>).metadata!.properties as Record<
    string,
    Json
  >;
  meta.token_usage = {};
  const ajv = new Ajv2020({ strict: false, allErrors: true, allowUnionTypes: true, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('unixtime', { type: 'number', validate: (x: number) => Number.isInteger(x) && x >= 0 });
  ajv.addSchema(doc as Json, 'openapi');
  const cache = new Map<string, ValidateFunction>();
  validatorOf = (name) => {
    let v = cache.get(name);
    if (!v) {
      assert.ok(schemas[name], `no component schema ${name}`);
      v = ajv.compile({ $ref: `openapi#/components/schemas/${name}` });
      cache.set(name, v);
    }
    return v;
  };
  // Compile up front so slow compilation cannot make a test miss a short-lived job state.
  for (const name of [
    'FineTuningJob',
    'ListFineTuningJobEventsResponse',
    'ListFineTuningJobCheckpointsResponse',
    'ListPaginatedFineTuningJobsResponse',
  ])
    validatorOf(name);
  em = await startEmulator({ speed: 40 });
  origin = em.url.replace(/\/v1$/, '');
});
after(async () => {
  await em?.close();
});

describe('contract: files and uploads', () => {
  test('file object, list, delete', async () => {
    const f = await upload();
    conforms('OpenAIFile', f);
    conforms('OpenAIFile', (await call('GET', `/v1/files/${f.id}`)).json);
    conforms('ListFilesResponse', (await call('GET', '/v1/files?purpose=fine-tune')).json);
    conforms('DeleteFileResponse', (await call('DELETE', `/v1/files/${f.id}`)).json);
  });

  test('upload, part, complete', async () => {
    const bytes = Buffer.byteLength(JSONL);
    const up = await call('POST', '/v1/uploads', {
      bytes,
      filename: 'u.jsonl',
      purpose: 'fine-tune',
      mime_type: 'text/jsonl',
    });
    conforms('Upload', up.json);
    const form = new FormData();
    form.append('data', new Blob([JSONL]), 'part');
    const part = await call('POST', `/v1/uploads/${up.json.id}/parts`, form);
    conforms('UploadPart', part.json);
    const done = await call('POST', `/v1/uploads/${up.json.id}/complete`, { part_ids: [part.json.id] });
    assert.equal(done.status, 200);
    conforms('Upload', done.json);
  });
});

describe('contract: fine-tuning jobs', () => {
  test('job, list, events with metrics, checkpoints, pause/resume/cancel, success', async () => {
    const f = await upload();
    await until(async () =>
      (await call('GET', `/v1/files/${f.id}`)).json.status === 'processed' ? true : undefined,
    );
    const body = {
      model: 'o4-mini-2025-04-16',
      training_file: f.id,
      validation_file: f.id,
      suffix: 'contract',
      metadata: { k: 'v' },
      method: {
        type: 'reinforcement',
        reinforcement: { grader: GRADER, hyperparameters: { n_epochs: 2, reasoning_effort: 'low' } },
      },
    };
    const created = await call('POST', '/v1/fine_tuning/jobs', body);
    assert.equal(created.status, 200, JSON.stringify(created.json));
    conforms('FineTuningJob', created.json);
    const id = created.json.id as string;
    const running = await until(async () => {
      const j = (await call('GET', `/v1/fine_tuning/jobs/${id}`)).json;
      return j.status === 'running' ? j : undefined;
    });
    conforms('FineTuningJob', running);
    await until(
      async () =>
        ((await call('GET', `/v1/fine_tuning/jobs/${id}/events?limit=1`)).json.data as Json[])[0]?.type ===
          'metrics' || undefined,
    );
    const paused = await call('POST', `/v1/fine_tuning/jobs/${id}/pause`);
    assert.equal(paused.json.status, 'paused');
    conforms('FineTuningJob', paused.json);
    const resumed = await call('POST', `/v1/fine_tuning/jobs/${id}/resume`);
    conforms('FineTuningJob', resumed.json);
    const done = await until(async () => {
      const j = (await call('GET', `/v1/fine_tuning/jobs/${id}`)).json;
      return j.status === 'succeeded' ? j : undefined;
    });
    conforms('FineTuningJob', done);
    // The schemas do bite: an unknown status or a missing required field is caught.
    assert.equal(validatorOf('FineTuningJob')({ ...done, status: 'exploded' }), false);
    const { created_at: _omit, ...withoutCreated } = done;
    assert.equal(validatorOf('FineTuningJob')(withoutCreated), false);
    const events = (await call('GET', `/v1/fine_tuning/jobs/${id}/events?limit=100`)).json;
    conforms('ListFineTuningJobEventsResponse', events);
    assert.ok((events.data as Json[]).some((e) => e.type === 'metrics'));
    conforms(
      'ListFineTuningJobCheckpointsResponse',
      (await call('GET', `/v1/fine_tuning/jobs/${id}/checkpoints`)).json,
    );
    conforms(
      'ListPaginatedFineTuningJobsResponse',
      (await call('GET', '/v1/fine_tuning/jobs?limit=5&metadata[k]=v')).json,
    );
    const other = await call('POST', '/v1/fine_tuning/jobs', body);
    const cancelled = await call('POST', `/v1/fine_tuning/jobs/${other.json.id}/cancel`);
    conforms('FineTuningJob', cancelled.json);
  });

  test('errors use the error envelope (400, 404, 429, 403 training_not_available)', async () => {
    const bad = await call('POST', '/v1/fine_tuning/jobs', { model: 'o4-mini-2025-04-16' });
    assert.equal(bad.status, 400);
    conforms('ErrorResponse', bad.json);
    const missing = await call('GET', '/v1/fine_tuning/jobs/ftjob-missing');
    assert.equal(missing.status, 404);
    conforms('ErrorResponse', missing.json);
    const limited = await call('GET', '/v1/fine_tuning/jobs', undefined, { 'x-emulator-fault': '429' });
    assert.equal(limited.status, 429);
    conforms('ErrorResponse', limited.json);
    const refused = await call(
      'POST',
      '/v1/fine_tuning/jobs',
      {},
      { 'x-emulator-fault': 'training_not_available' },
    );
    assert.equal(refused.status, 403);
    conforms('ErrorResponse', refused.json);
    assert.equal((refused.json.error as Json).code, 'training_not_available');
  });
});

describe('contract: graders and the fake model', () => {
  test('graders run and validate', async () => {
    const run = await call('POST', '/v1/fine_tuning/alpha/graders/run', {
      grader: GRADER,
      model_sample: 'a1',
      item: { answer: 'a1' },
    });
    assert.equal(run.status, 200);
    conforms('RunGraderResponse', run.json);
    const judged = await call('POST', '/v1/fine_tuning/alpha/graders/run', {
      grader: {
        type: 'score_model',
        name: 'judge',
        model: 'gpt-4o-2024-08-06',
        input: [{ role: 'user', content: 'Rate {{sample.output_text}}' }],
      },
      model_sample: 'an answer',
    });
    conforms('RunGraderResponse', judged.json);
    const valid = await call('POST', '/v1/fine_tuning/alpha/graders/validate', { grader: GRADER });
    conforms('ValidateGraderResponse', valid.json);
  });

  test('chat completions, responses, embeddings, models', async () => {
    const chat = await call('POST', '/v1/chat/completions', {
      model: 'gpt-4o-2024-08-06',
      messages: [{ role: 'user', content: 'hi' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'o',
          strict: true,
          schema: {
            type: 'object',
            properties: { a: { type: 'string' } },
            required: ['a'],
            additionalProperties: false,
          },
        },
      },
    });
    conforms('CreateChatCompletionResponse', chat.json);
    const resp = await call('POST', '/v1/responses', {
      model: 'gpt-4.1-mini',
      input: [{ role: 'user', content: 'hello' }],
      instructions: 'be brief',
    });
    conforms('Response', resp.json);
    const emb = await call('POST', '/v1/embeddings', {
      model: 'text-embedding-3-small',
      input: 'x',
      dimensions: 8,
    });
    conforms('CreateEmbeddingResponse', emb.json);
    conforms('ListModelsResponse', (await call('GET', '/v1/models')).json);
    // Azure path style answers with the same shapes.
    const az = await fetch(`${origin}/openai/v1/embeddings?api-version=preview`, {
      method: 'POST',
      headers: { 'api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'text-embedding-3-small', input: ['x', 'y'], dimensions: 4 }),
    });
    conforms('CreateEmbeddingResponse', await az.json());
  });
});

describe('contract: batches', () => {
  async function batchOf(lines: Array<{ custom_id: string; url: string; body: Json }>, endpoint: string) {
    const form = new FormData();
    form.append('purpose', 'batch');
    const text = lines.map((l) => JSON.stringify({ method: 'POST', ...l })).join('\n');
    form.append('file', new Blob([text]), 'batch.jsonl');
    const f = await call('POST', '/v1/files', form);
    conforms('OpenAIFile', f.json);
    const b = await call('POST', '/v1/batches', {
      input_file_id: f.json.id,
      endpoint,
      completion_window: '24h',
    });
    assert.equal(b.status, 200, JSON.stringify(b.json));
    conforms('Batch', b.json);
    return b.json.id as string;
  }

  /** Every state seen on the way to a terminal one conforms; returns the terminal batch and the states seen. */
  async function follow(id: string, onState?: (b: Json) => Promise<void>) {
    const seen: string[] = [];
    const last = await until(async () => {
      const b = (await call('GET', `/v1/batches/${id}`)).json;
      conforms('Batch', b);
      if (seen[seen.length - 1] !== b.status) {
        seen.push(b.status as string);
        await onState?.(b);
      }
      return ['completed', 'failed', 'expired', 'cancelled'].includes(b.status as string) ? b : undefined;
    });
    return { last, seen };
  }

  async function lines(fileId: unknown): Promise<Json[]> {
    const r = await fetch(`${origin}/v1/files/${String(fileId)}/content`, { headers: KEY });
    return (await r.text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Json);
  }

  const chatLine = (id: string) => ({
    custom_id: id,
    url: '/v1/chat/completions',
    body: { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: `q ${id}` }] },
  });

  test('validating → in_progress → finalizing → completed; output bodies are the endpoint responses', async () => {
    const chat = await batchOf([chatLine('a'), chatLine('b')], '/v1/chat/completions');
    const { last, seen } = await follow(chat);
    // Short states may fall between two polls; the ones seen come in order and end completed.
    const order = ['validating', 'in_progress', 'finalizing', 'completed'];
    assert.deepEqual(
      seen,
      order.filter((st) => seen.includes(st)),
    );
    assert.equal(seen[seen.length - 1], 'completed');
    for (const l of await lines(last.output_file_id)) {
      assert.deepEqual(Object.keys(l).sort(), ['custom_id', 'error', 'id', 'response']);
      conforms('CreateChatCompletionResponse', (l.response as Json).body);
    }
    const resp = await batchOf(
      [{ custom_id: 'r', url: '/v1/responses', body: { model: 'gpt-4.1-mini', input: 'hello' } }],
      '/v1/responses',
    );
    const done = (await follow(resp)).last;
    for (const l of await lines(done.output_file_id)) conforms('Response', (l.response as Json).body);
    const emb = await batchOf(
      [
        {
          custom_id: 'e',
          url: '/v1/embeddings',
          body: { model: 'text-embedding-3-small', input: 'x', dimensions: 4 },
        },
      ],
      '/v1/embeddings',
    );
    const embDone = (await follow(emb)).last;
    for (const l of await lines(embDone.output_file_id))
      conforms('CreateEmbeddingResponse', (l.response as Json).body);
    conforms('ListBatchesResponse', (await call('GET', '/v1/batches?limit=1')).json);
  });

  test('failed, expired, cancelling and cancelled', async () => {
    const failed = await follow(await batchOf([chatLine('a'), chatLine('a')], '/v1/chat/completions'));
    assert.equal(failed.last.status, 'failed');
    assert.equal(((failed.last.errors as Json).data as Json[]).length, 1);
    const knob = (k: unknown) =>
      fetch(`${origin}/__emulator/batches/knobs`, { method: 'POST', headers: KEY, body: JSON.stringify(k) });
    assert.equal((await knob({ expire_after: 1 })).status, 200);
    try {
      const expired = await follow(await batchOf([chatLine('a'), chatLine('b')], '/v1/chat/completions'));
      assert.equal(expired.last.status, 'expired');
    } finally {
      await knob({});
    }
    const id = await batchOf([chatLine('a'), chatLine('b'), chatLine('c')], '/v1/chat/completions');
    const cancelled = await follow(id, async (b) => {
      if (b.status !== 'in_progress') return;
      const c = await call('POST', `/v1/batches/${id}/cancel`);
      assert.equal(c.json.status, 'cancelling');
      conforms('Batch', c.json);
    });
    // `cancelling` (the cancel answer, checked above) may be over before the next poll.
    assert.ok(cancelled.seen.includes('in_progress'));
    assert.equal(cancelled.last.status, 'cancelled');
  });
});
