// Providers through the real openai SDK against the emulator: OpenAI and Azure request shapes and auth,
// keys never in logs or messages, capabilities by date, and plain error descriptions.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { toFile } from 'openai';
import type { Logger } from '../../../../src/core/log';
import type { ProviderConfig } from '../../../../src/core/providers';
import {
  OPENAI_JOB_CUTOFF,
  capabilitiesOf,
  createClient,
  describeApiError,
} from '../../../../src/core/providers';
import { TRAINING_NOT_AVAILABLE_MESSAGE } from '../../../../src/core/providers/errors';
import type { Emulator } from '../../../../src/emulator/server';
import { startEmulator } from '../../../../src/emulator/server';

const SECRET = 'sk-proj-UnitTestSecretKey0123456789abcdef';
const AZURE_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

let em: Emulator;

function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink =
    (level: string) =>
    (m: string | Error, ...args: unknown[]) => {
      lines.push(
        `${level} ${m instanceof Error ? m.stack : m} ${args.map((a) => (a instanceof Error ? a.stack : JSON.stringify(a))).join(' ')}`,
      );
    };
  return {
    lines,
    logger: {
      trace: sink('trace'),
      debug: sink('debug'),
      info: sink('info'),
      warn: sink('warn'),
      error: sink('error'),
    },
  };
}

/** A server that records request headers and answers an empty job list. */
async function recorder(): Promise<{
  url: string;
  headers: http.IncomingHttpHeaders[];
  urls: string[];
  close: () => Promise<void>;
}> {
  const headers: http.IncomingHttpHeaders[] = [];
  const urls: string[] = [];
  const srv = http.createServer((req, res) => {
    headers.push(req.headers);
    urls.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ object: 'list', data: [], has_more: false }));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    headers,
    urls,
    close: () => new Promise((r) => srv.close(() => r())),
  };
}

before(async () => {
  em = await startEmulator({ speed: 500 });
});
after(async () => {
  await em.close();
});

describe('createClient', () => {
  test('OpenAI shape: bearer key, organization and project headers, /v1 paths', async () => {
    const rec = await recorder();
    try {
      const cfg: ProviderConfig = {
        id: 'o',
        kind: 'openai',
        label: 'OpenAI',
        baseURL: `${rec.url}/v1/`,
        auth: 'apiKey',
        organization: 'org-1',
        project: 'proj-1',
      };
      await createClient(cfg, { apiKey: SECRET }).fineTuning.jobs.list();
      const h = rec.headers[0]!;
      assert.equal(h.authorization, `Bearer ${SECRET}`);
      assert.equal(h['openai-organization'], 'org-1');
      assert.equal(h['openai-project'], 'proj-1');
      assert.equal(h['api-key'], undefined);
      assert.equal(rec.urls[0], '/v1/fine_tuning/jobs');
    } finally {
      await rec.close();
    }
  });

  test('Azure shape: api-key header and no bearer; Entra: bearer token from getToken; /openai/v1 paths', async () => {
    const rec = await recorder();
    try {
      const base = {
        id: 'a',
        kind: 'azure' as const,
        label: 'Azure',
        baseURL: `${rec.url}/openai/v1/`,
        organization: 'ignored',
      };
      await createClient({ ...base, auth: 'apiKey' }, { apiKey: AZURE_SECRET }).fineTuning.jobs.list();
      let calls = 0;
      await createClient(
        { ...base, auth: 'entra' },
        { getToken: async () => `entra-token-${++calls}` },
      ).fineTuning.jobs.list();
      const [keyed, entra] = rec.headers;
      assert.equal(keyed!['api-key'], AZURE_SECRET);
      assert.equal(keyed!.authorization, undefined);
      assert.equal(keyed!['openai-organization'], undefined, 'organization is an OpenAI header only');
      assert.equal(entra!.authorization, 'Bearer entra-token-1');
      assert.equal(entra!['api-key'], undefined);
      assert.deepEqual(rec.urls, ['/openai/v1/fine_tuning/jobs', '/openai/v1/fine_tuning/jobs']);
    } finally {
      await rec.close();
    }
  });

  test('no auth for a local compatible server; missing credentials are a clear error', async () => {
    const rec = await recorder();
    try {
      await createClient(
        { id: 'c', kind: 'compatible', label: 'Local', baseURL: `${rec.url}/v1`, auth: 'none' },
        {},
      ).models.list();
      assert.equal(rec.headers[0]!.authorization, undefined);
    } finally {
      await rec.close();
    }
    assert.throws(
      () =>
        createClient(
          { id: 'o', kind: 'openai', label: 'OpenAI', baseURL: 'https://api.openai.com/v1', auth: 'apiKey' },
          {},
        ),
      /No API key is stored for provider "OpenAI"/,
    );
    assert.throws(
      () =>
        createClient(
          {
            id: 'a',
            kind: 'azure',
            label: 'Az',
            baseURL: 'https://x.openai.azure.com/openai/v1/',
            auth: 'entra',
          },
          {},
        ),
      /Microsoft Entra/,
    );
  });

  test('works end to end against the emulator in both styles', async () => {
    const openai = createClient(
      { id: 'o', kind: 'openai', label: 'OpenAI', baseURL: em.url, auth: 'apiKey' },
      { apiKey: SECRET },
    );
    const azure = createClient(
      { id: 'a', kind: 'azure', label: 'Azure', baseURL: `${em.azureUrl}/`, auth: 'apiKey' },
      { apiKey: AZURE_SECRET },
    );
    const before = em.requests().length;
    const f = await openai.files.create({
      file: await toFile(Buffer.from('{"messages":[{"role":"user","content":"x"}]}\n'), 'x.jsonl'),
      purpose: 'fine-tune',
    });
    const viaAzure = await azure.files.retrieve(f.id);
    assert.equal(viaAzure.id, f.id);
    const recs = em.requests().slice(before);
    assert.deepEqual(
      recs.map((r) => [r.style, r.auth, r.status]),
      [
        ['openai', 'bearer', 200],
        ['azure', 'api-key', 200],
      ],
    );
  });

  test('the key never appears in logs, even with retries and errors', async () => {
    const { logger, lines } = captureLogger();
    const client = createClient(
      { id: 'o', kind: 'openai', label: 'OpenAI', baseURL: em.url, auth: 'apiKey' },
      { apiKey: SECRET },
      { logger, maxRetries: 2 },
    );
    em.addFault({ path: '/models', kind: '429', retryAfterMs: 5, retryAfter: 0 });
    em.addFault({ path: '/models', kind: '500', retryAfterMs: 5 });
    await client.models.list();
    em.addFault({ path: '/fine_tuning/jobs', method: 'GET', kind: '500', count: 3, retryAfterMs: 5 });
    const err = await client.fineTuning.jobs.list().catch((e: unknown) => e);
    const info = describeApiError(err);
    const azure = createClient(
      { id: 'a', kind: 'azure', label: 'Azure', baseURL: em.azureUrl, auth: 'apiKey' },
      { apiKey: AZURE_SECRET },
      { logger },
    );
    await azure.fineTuning.jobs.list();
    assert.ok(lines.length > 3, `the SDK logged through our logger (${lines.length} lines)`);
    assert.ok(
      lines.some((l) => /retrying/i.test(l)),
      'retries are logged',
    );
    // Request headers are logged (masked), so the checks below do look at where a key would show up.
    assert.ok(lines.some((l) => l.includes('"authorization":"***"')));
    assert.ok(
      lines.some((l) => /"api-key":"(\*\*\*|\[REDACTED\])"/.test(l)),
      'Azure api-key header logged masked',
    );
    const all = lines.join('\n') + info.message;
    assert.ok(!all.includes(SECRET), 'OpenAI key leaked');
    assert.ok(!all.includes(AZURE_SECRET), 'Azure key leaked');
    assert.ok(!all.includes(SECRET.slice(8, 30)), 'part of the key leaked');
  });
});

describe('capabilitiesOf', () => {
  const openai: ProviderConfig = {
    id: 'o',
    kind: 'openai',
    label: 'OpenAI',
    baseURL: 'https://api.openai.com/v1',
    auth: 'apiKey',
  };
  test('OpenAI accepts jobs until the cutoff and says so', () => {
    const before = capabilitiesOf(openai, new Date('2026-12-27T12:00:00Z'));
    assert.equal(before.rftJobs, true);
    assert.equal(before.jobCutoff, OPENAI_JOB_CUTOFF);
    assert.ok(
      before.notes.some((n) => n.includes('10 days left')),
      before.notes.join(' | '),
    );
    assert.ok(before.notes.some((n) => n.includes('training_not_available')));
    const afterCutoff = capabilitiesOf(openai, new Date('2027-01-06T00:00:00Z'));
    assert.equal(afterCutoff.rftJobs, false);
    assert.ok(afterCutoff.notes.some((n) => n.includes('stopped accepting')));
  });
  test('Azure keeps RFT, without the uploads API; compatible servers are described by URL', () => {
    const az = capabilitiesOf(
      {
        id: 'a',
        kind: 'azure',
        label: 'A',
        baseURL: 'https://r.openai.azure.com/openai/v1/',
        auth: 'apiKey',
      },
      new Date('2030-01-01'),
    );
    assert.equal(az.rftJobs, true);
    assert.equal(az.uploadsApi, false);
    assert.equal(az.jobCutoff, undefined);
    const local = capabilitiesOf({ id: 'l', kind: 'compatible', label: 'L', baseURL: em.url, auth: 'none' });
    assert.match(local.notes[0]!, /local OpenAI-compatible server/);
  });
});

describe('describeApiError', () => {
  const client = () =>
    createClient(
      { id: 'o', kind: 'openai', label: 'OpenAI', baseURL: em.url, auth: 'apiKey' },
      { apiKey: SECRET },
      { maxRetries: 0 },
    );

  test('403 training_not_available gets the dedicated plain message', async () => {
    em.addFault({ path: '/fine_tuning/jobs', method: 'POST', kind: 'training_not_available' });
    const e = await client()
      .fineTuning.jobs.create({ model: 'o4-mini-2025-04-16', training_file: 'file-x' })
      .catch((x: unknown) => x);
    const info = describeApiError(e);
    assert.equal(info.trainingNotAvailable, true);
    assert.equal(info.status, 403);
    assert.equal(info.code, 'training_not_available');
    assert.equal(info.retryable, false);
    assert.equal(info.message, TRAINING_NOT_AVAILABLE_MESSAGE);
    assert.match(info.message, /Azure OpenAI/);
  });

  test('retryable: 429, 500, connection refused, timeout; not: 400, 401, 404, abort', async () => {
    const c = client();
    em.addFault({ path: '/models', kind: '429' });
    const r429 = describeApiError(await c.models.list().catch((x: unknown) => x));
    assert.deepEqual([r429.status, r429.retryable], [429, true]);
    assert.ok(r429.requestId?.startsWith('req_'));
    em.addFault({ path: '/models', kind: '500' });
    assert.equal(describeApiError(await c.models.list().catch((x: unknown) => x)).retryable, true);
    const closed = await startEmulator();
    const deadUrl = closed.url;
    await closed.close();
    const refused = describeApiError(
      await createClient(
        { id: 'x', kind: 'compatible', label: 'x', baseURL: deadUrl, auth: 'none' },
        {},
        { maxRetries: 0 },
      )
        .models.list()
        .catch((x: unknown) => x),
    );
    assert.equal(refused.code, 'connection_error');
    assert.equal(refused.retryable, true);
    assert.match(refused.message, /Could not reach the server/);
    em.addFault({ path: '/models', kind: 'slow', delayMs: 300 });
    const slow = describeApiError(
      await createClient(
        { id: 'o', kind: 'openai', label: 'OpenAI', baseURL: em.url, auth: 'apiKey' },
        { apiKey: SECRET },
        { maxRetries: 0, timeoutMs: 50 },
      )
        .models.list()
        .catch((x: unknown) => x),
    );
    assert.deepEqual([slow.code, slow.retryable], ['timeout', true]);
    const bad = describeApiError(
      await c.fineTuning.jobs
        .create({ model: 'o4-mini-2025-04-16', training_file: 'file-missing' })
        .catch((x: unknown) => x),
    );
    assert.deepEqual([bad.status, bad.retryable], [400, false]);
    assert.match(bad.message, /file-missing/);
    const strict = await startEmulator({ keys: ['only-this'] });
    try {
      const denied = describeApiError(
        await createClient(
          { id: 'o', kind: 'openai', label: 'OpenAI', baseURL: strict.url, auth: 'apiKey' },
          { apiKey: SECRET },
          { maxRetries: 0 },
        )
          .models.list()
          .catch((x: unknown) => x),
      );
      assert.equal(denied.status, 401);
      assert.match(denied.message, /rejected the credentials/);
      assert.ok(!denied.message.includes(SECRET));
    } finally {
      await strict.close();
    }
    assert.equal(
      describeApiError(await c.fineTuning.jobs.retrieve('ftjob-none').catch((x: unknown) => x)).status,
      404,
    );
    const ac = new AbortController();
    const p = c.models.list({ signal: ac.signal } as never).catch((x: unknown) => x);
    ac.abort();
    const aborted = describeApiError(await p);
    assert.deepEqual([aborted.code, aborted.retryable], ['cancelled', false]);
    assert.equal(describeApiError(new Error(`boom ${SECRET}`)).message.includes(SECRET), false);
  });
});
