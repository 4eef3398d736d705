// score_model / label_model / cosine against a local HTTP server speaking the Chat Completions and
// Embeddings wire format, through the real openai SDK (baseURL): no mocks of our own functions.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { GraderEngine } from '../../../../src/core/graders/engine';
import { removeTempDir, tempDir } from '../../../lib/tempFiles';
import { buildSample } from '../../../../src/core/graders/sample';
import type {
  LabelModelGrader,
  MultiGrader,
  ScoreModelGrader,
  TextSimilarityGrader,
} from '../../../../src/core/graders/types';

interface Seen {
  path: string;
  body: Record<string, unknown>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((res) => {
    let s = '';
    req.on('data', (d: Buffer) => (s += d.toString()));
    req.on('end', () => res(s));
  });
}

describe('model graders over the wire', () => {
  let server: Server;
  let baseURL: string;
  const seen: Seen[] = [];
  const failures = new Map<string, number>();
  let active = 0;
  let maxActive = 0;

  before(async () => {
    server = createServer(async (req, res) => {
      const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      seen.push({ path: req.url ?? '', body });
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 20));
      active--;
      const send = (status: number, obj: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(obj));
      };
      if (req.url?.endsWith('/embeddings')) {
        const input = body.input as string[];
        const vec = (s: string) => [s.length, s.includes('cat') ? 1 : 0, 1];
        send(200, {
          object: 'list',
          model: 'text-embedding-3-large',
          data: input.map((s, i) => ({ object: 'embedding', index: i, embedding: vec(s) })),
          usage: { prompt_tokens: 4, total_tokens: 4 },
        });
        return;
      }
      const messages = body.messages as Array<{ content: unknown }>;
      const text = JSON.stringify(messages);
      const rf = body.response_format as {
        json_schema: { name: string; schema: { properties: { result: { enum?: string[] } } } };
      };
      const directive = /DIRECTIVE:(\w+)(?::([\w.-]+))?/.exec(text);
      const kind = directive?.[1] ?? 'score';
      const arg = directive?.[2];
      const completion = (content: string | null, refusal: string | null = null) =>
        send(200, {
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1,
          model: `${String(body.model)}-served`,
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content, refusal } }],
          usage: {
            prompt_tokens: 100,
            completion_tokens: 20,
            total_tokens: 120,
            prompt_tokens_details: { cached_tokens: 10 },
          },
        });
      if (kind === 'flaky') {
        const n = failures.get(arg ?? '') ?? 0;
        failures.set(arg ?? '', n + 1);
        if (n < 2)
          return send(
            n === 0 ? 429 : 503,
            { error: { message: 'slow down', type: 'rate_limit' } },
            { 'retry-after-ms': '5' },
          );
        return completion(JSON.stringify({ steps: [], result: 0.9 }));
      }
      if (kind === 'down') return send(500, { error: { message: 'boom' } }, { 'retry-after-ms': '1' });
      if (kind === 'bad')
        return send(400, { error: { message: 'model not found', type: 'invalid_request_error' } });
      if (kind === 'refuse') return completion(null, "I can't help with that.");
      if (kind === 'garbage') return completion('definitely a 7');
      if (kind === 'label')
        return completion(JSON.stringify({ steps: [{ description: 'd', conclusion: 'c' }], result: arg }));
      if (kind === 'text') return completion(JSON.stringify({ steps: [], result: 'high' }));
      assert.ok(rf.json_schema.name.startsWith('score_model'));
      return completion(
        JSON.stringify({
          steps: [{ description: 'looked', conclusion: 'fine' }],
          result: Number(arg ?? 0.5),
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseURL = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  });
  after(() => server.close());

  const client = () => new OpenAI({ apiKey: 'test-key', baseURL, maxRetries: 0 });
  const score = (content: string, extra: Partial<ScoreModelGrader> = {}): ScoreModelGrader => ({
    type: 'score_model',
    name: 'rubric',
    model: 'gpt-4.1-2025-04-14',
    input: [
      { role: 'system', content: 'Grade it.' },
      { role: 'user', content },
    ],
    ...extra,
  });
  const sample = buildSample('the answer');

  it('sends rendered messages, the {steps, result} schema and sampling params; clamps to range; records usage', async () => {
    const e = new GraderEngine({ modelClient: client() });
    seen.length = 0;
    const g = score('Ref {{ item.ref }} vs {{sample.output_text}} DIRECTIVE:score:7.5', {
      range: [0, 5],
      sampling_params: { seed: 42, temperature: 0.2, top_p: 1, max_completions_tokens: 300 },
    });
    const r = await e.grade(g, { ref: 'R1' }, sample);
    assert.equal(r.reward, 5);
    const body = seen[0]!.body;
    assert.equal(seen[0]!.path, '/v1/chat/completions');
    assert.equal(body.model, 'gpt-4.1-2025-04-14');
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'Grade it.' },
      { role: 'user', content: 'Ref R1 vs the answer DIRECTIVE:score:7.5' },
    ]);
    assert.equal(body.seed, 42);
    assert.equal(body.temperature, 0.2);
    assert.equal(body.max_completion_tokens, 300);
    const rf = body.response_format as {
      type: string;
      json_schema: { strict: boolean; schema: { required: string[] } };
    };
    assert.equal(rf.type, 'json_schema');
    assert.equal(rf.json_schema.strict, true);
    assert.deepEqual(rf.json_schema.schema.required, ['steps', 'result']);
    assert.deepEqual(r.metadata.token_usage, {
      prompt_tokens: 100,
      completion_tokens: 20,
      total_tokens: 120,
      cached_tokens: 10,
    });
    assert.equal(r.metadata.sampled_model_name, 'gpt-4.1-2025-04-14-served');
    assert.deepEqual(Object.keys(r.model_grader_token_usage_per_model), ['gpt-4.1-2025-04-14-served']);
    const below = await e.grade(score('DIRECTIVE:score:-3', { range: [1, 5] }), {}, sample);
    assert.equal(below.reward, 1);
  });

  it('content parts become chat parts (text, image)', async () => {
    const e = new GraderEngine({ modelClient: client() });
    seen.length = 0;
    await e.grade(
      {
        ...score(''),
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'Look {{item.x}} DIRECTIVE:score:0.3' },
              { type: 'input_image', image_url: '{{item.url}}', detail: 'low' },
            ],
          },
        ],
      },
      { x: 'here', url: 'https://example.com/a.png' },
      sample,
    );
    assert.deepEqual((seen[0]!.body.messages as unknown[])[0], {
      role: 'user',
      content: [
        { type: 'text', text: 'Look here DIRECTIVE:score:0.3' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
      ],
    });
  });

  it('identical requests are answered from the content-hash cache (memory and disk)', async () => {
    const dir = tempDir('rft-cache-');
    try {
      const e = new GraderEngine({ modelClient: client(), cacheDir: dir });
      seen.length = 0;
      const g = score('DIRECTIVE:score:0.4 {{item.q}}');
      const a = await e.grade(g, { q: 'same' }, sample);
      const b = await e.grade(g, { q: 'same' }, sample);
      await e.grade(g, { q: 'other' }, sample);
      assert.equal(seen.length, 2);
      assert.equal(a.reward, 0.4);
      assert.equal(b.reward, 0.4);
      assert.equal((b.metadata.scores as { cached?: boolean }).cached, true);
      assert.equal(readdirSync(dir).filter((f) => f.endsWith('.json')).length, 2);
      const fresh = new GraderEngine({ modelClient: client(), cacheDir: dir });
      await fresh.grade(g, { q: 'same' }, sample);
      assert.equal(seen.length, 2, 'answered from disk');
    } finally {
      removeTempDir(dir);
    }
  });

  it('retries 429 and 5xx with backoff, then succeeds', async () => {
    const e = new GraderEngine({ modelClient: client() });
    seen.length = 0;
    const r = await e.grade(score('DIRECTIVE:flaky:one'), {}, sample);
    assert.equal(r.reward, 0.9);
    assert.equal(seen.length, 3);
  });

  it('server errors, refusals and unparseable answers set the platform flags with reward 0', async () => {
    const e = new GraderEngine({ modelClient: client() });
    const down = await e.grade(score('DIRECTIVE:down'), {}, sample);
    assert.equal(down.metadata.errors.model_grader_server_error, true);
    assert.match(down.metadata.errors.model_grader_server_error_details!, /500/);
    const bad = await e.grade(score('DIRECTIVE:bad'), {}, sample);
    assert.match(bad.metadata.errors.model_grader_server_error_details!, /400.*model not found/);
    const refuse = await e.grade(score('DIRECTIVE:refuse'), {}, sample);
    assert.equal(refuse.metadata.errors.model_grader_refusal_error, true);
    const garbage = await e.grade(score('DIRECTIVE:garbage'), {}, sample);
    assert.equal(garbage.metadata.errors.model_grader_parse_error, true);
    const text = await e.grade(score('DIRECTIVE:text'), {}, sample);
    assert.equal(text.metadata.errors.model_grader_parse_error, true);
    for (const r of [down, bad, refuse, garbage, text]) assert.equal(r.reward, 0);
    const missing = await e.grade(score('{{item.nope}}'), {}, sample);
    assert.equal(missing.metadata.errors.invalid_variable_error, true);
  });

  it('label_model inside multi: passing labels score 1, with per-key sub_rewards and usage summed per model', async () => {
    const e = new GraderEngine({ modelClient: client() });
    const label = (l: string): LabelModelGrader => ({
      type: 'label_model',
      name: 'sentiment',
      model: 'gpt-4o-2024-08-06',
      input: [
        {
          role: 'user',
          content: { type: 'input_text', text: `DIRECTIVE:label:${l} {{sample.output_text}}` },
        },
      ],
      labels: ['positive', 'neutral', 'negative'],
      passing_labels: ['positive', 'neutral'],
    });
    const multi: MultiGrader = {
      type: 'multi',
      name: 'combo',
      graders: { pos: label('positive'), neg: label('negative'), score: score('DIRECTIVE:score:0.5') },
      calculate_output: '(pos + neg + score) / 3',
    };
    const r = await e.grade(multi, {}, sample);
    assert.deepEqual(r.sub_rewards, { pos: 1, neg: 0, score: 0.5 });
    assert.equal(r.reward, 0.5);
    assert.equal(r.model_grader_token_usage_per_model['gpt-4o-2024-08-06-served']!.total_tokens, 240);
    assert.equal(r.model_grader_token_usage_per_model['gpt-4.1-2025-04-14-served']!.total_tokens, 120);
    const off = await e.grade(label('maybe'), {}, sample);
    assert.equal(off.metadata.errors.model_grader_parse_error, true);
  });

  it('bounded concurrency', async () => {
    const e = new GraderEngine({ modelClient: client(), concurrency: 3 });
    maxActive = 0;
    const g = score('DIRECTIVE:score:0.1 {{item.i}}');
    const rs = await e.gradeMany(
      g,
      Array.from({ length: 20 }, (_, i) => ({ item: { i }, sample })),
    );
    assert.equal(rs.length, 20);
    assert.ok(maxActive <= 3 && maxActive >= 2, `max in flight ${maxActive}`);
  });

  it('cosine goes through the embeddings endpoint; without a provider it says it needs the network', async () => {
    const g: TextSimilarityGrader = {
      type: 'text_similarity',
      name: 'cos',
      input: '{{sample.output_text}}',
      reference: 'a cat',
      evaluation_metric: 'cosine',
    };
    const e = new GraderEngine({ modelClient: client() });
    seen.length = 0;
    const r = await e.grade(g, {}, buildSample('a cat'));
    assert.ok(Math.abs(r.reward - 1) < 1e-12);
    assert.equal(seen[0]!.path, '/v1/embeddings');
    assert.equal(seen[0]!.body.model, 'text-embedding-3-large');
    assert.equal(seen[0]!.body.encoding_format, 'float');
    const offline = await new GraderEngine({}).grade(g, {}, sample);
    assert.equal(offline.metadata.errors.model_grader_server_error, true);
    assert.match(offline.metadata.errors.model_grader_server_error_details!, /network/);
  });
});
