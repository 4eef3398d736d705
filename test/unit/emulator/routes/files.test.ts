// Emulator uploads on disk: the per-file and total caps (413 in the OpenAI error shape, partial files
// removed, space given back on delete), the Uploads API under the same caps, and a large upload streamed to
// disk while other requests are answered. Figures (latency, RSS) are in `npm run bench -- emulator`.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import type { Emulator } from '../../../../src/emulator/server';
import { startEmulator } from '../../../../src/emulator/server';

const MB = 1024 * 1024;
const KEY = 'sk-uploads-test';

interface AdminState {
  files: number;
  storage_bytes: number;
  storage_dir: string;
}

async function adminState(em: Emulator): Promise<AdminState> {
  const r = await fetch(`${em.url.replace(/\/v1$/, '')}/__emulator/state`, {
    headers: { authorization: `Bearer ${KEY}` },
  });
  assert.equal(r.status, 200);
  return (await r.json()) as AdminState;
}

function jsonl(bytes: number): Buffer {
  const line = `${JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(200) }] })}\n`;
  return Buffer.from(line.repeat(Math.ceil(bytes / line.length))).subarray(0, bytes);
}

async function rejectsWith(p: Promise<unknown>, status: number, code: string, param: string) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof OpenAI.APIError, String(e));
    assert.equal(e.status, status);
    const body = e.error as { message?: string; type?: string; code?: string; param?: string };
    assert.equal(body.code, code);
    assert.equal(body.param, param);
    assert.equal(body.type, 'invalid_request_error');
    assert.ok(body.message && body.message.length > 10, body.message);
    return true;
  });
}

describe('upload caps', () => {
  let em: Emulator;
  let client: OpenAI;
  before(async () => {
    em = await startEmulator({ speed: 1000, keys: [KEY], maxFileBytes: 2 * MB, maxStorageBytes: 3 * MB });
    client = new OpenAI({ baseURL: em.url, apiKey: KEY, maxRetries: 0 });
  });
  after(() => em.close());

  test('a file over the per-file cap gets 413 file_too_large and leaves nothing on disk', async () => {
    await rejectsWith(
      client.files.create({ file: await toFile(jsonl(2 * MB + 1), 'big.jsonl'), purpose: 'fine-tune' }),
      413,
      'file_too_large',
      'file',
    );
    const state = await adminState(em);
    assert.equal(state.storage_bytes, 0);
    assert.deepEqual(readdirSync(state.storage_dir), []);
    // The connection and the emulator are fine afterwards.
    const ok = await client.files.create({ file: await toFile(jsonl(MB), 'ok.jsonl'), purpose: 'fine-tune' });
    assert.equal(ok.bytes, MB);
    await client.files.delete(ok.id);
  });

  test('the total cap: 413 storage_limit_exceeded until a file is deleted', async () => {
    const a = await client.files.create({
      file: await toFile(jsonl(1.5 * MB), 'a.jsonl'),
      purpose: 'fine-tune',
    });
    const b = await client.files.create({ file: await toFile(jsonl(MB), 'b.jsonl'), purpose: 'fine-tune' });
    await rejectsWith(
      client.files.create({ file: await toFile(jsonl(MB), 'c.jsonl'), purpose: 'fine-tune' }),
      413,
      'storage_limit_exceeded',
      'file',
    );
    let state = await adminState(em);
    assert.equal(state.storage_bytes, 2.5 * MB);
    assert.equal(readdirSync(state.storage_dir).length, 2, 'the partial file was removed');
    await client.files.delete(a.id);
    const c = await client.files.create({ file: await toFile(jsonl(MB), 'c.jsonl'), purpose: 'fine-tune' });
    const content = Buffer.from(await (await client.files.content(c.id)).arrayBuffer());
    assert.ok(content.equals(jsonl(MB)));
    await client.files.delete(b.id);
    await client.files.delete(c.id);
    state = await adminState(em);
    assert.equal(state.storage_bytes, 0);
    assert.deepEqual(readdirSync(state.storage_dir), []);
  });

  test('the Uploads API: over-cap creation and parts past the total are refused; cancel frees the parts', async () => {
    await rejectsWith(
      client.uploads.create({
        bytes: 3 * MB,
        filename: 'x.jsonl',
        purpose: 'fine-tune',
        mime_type: 'text/jsonl',
      }),
      413,
      'file_too_large',
      'bytes',
    );
    const u = await client.uploads.create({
      bytes: 2 * MB,
      filename: 'x.jsonl',
      purpose: 'fine-tune',
      mime_type: 'text/jsonl',
    });
    const whole = jsonl(2 * MB);
    const p1 = await client.uploads.parts.create(u.id, { data: await toFile(whole.subarray(0, MB), 'p1') });
    const p2 = await client.uploads.parts.create(u.id, { data: await toFile(whole.subarray(MB), 'p2') });
    // Completing needs room for the joined file (2 MB) beside its parts (2 MB): over the 3 MB total.
    await rejectsWith(
      client.uploads.complete(u.id, { part_ids: [p1.id, p2.id] }),
      413,
      'storage_limit_exceeded',
      'part_ids',
    );
    const third = client.uploads.parts.create(u.id, { data: await toFile(jsonl(1.5 * MB), 'p3') });
    await rejectsWith(third, 413, 'storage_limit_exceeded', 'data');
    assert.equal((await adminState(em)).storage_bytes, 2 * MB);
    await client.uploads.cancel(u.id);
    const state = await adminState(em);
    assert.equal(state.storage_bytes, 0);
    assert.deepEqual(readdirSync(state.storage_dir), []);
  });

  test('completing an upload joins its parts on disk and drops them', async () => {
    const whole = jsonl(MB + 123);
    const u = await client.uploads.create({
      bytes: whole.length,
      filename: 'joined.jsonl',
      purpose: 'fine-tune',
      mime_type: 'text/jsonl',
    });
    const p1 = await client.uploads.parts.create(u.id, {
      data: await toFile(whole.subarray(0, 700_000), 'p1'),
    });
    const p2 = await client.uploads.parts.create(u.id, { data: await toFile(whole.subarray(700_000), 'p2') });
    const done = await client.uploads.complete(u.id, { part_ids: [p1.id, p2.id] });
    assert.equal(done.status, 'completed');
    const state = await adminState(em);
    assert.equal(state.storage_bytes, whole.length);
    assert.equal(readdirSync(state.storage_dir).length, 1);
    const content = Buffer.from(await (await client.files.content(done.file!.id)).arrayBuffer());
    assert.ok(content.equals(whole));
    await client.files.delete(done.file!.id);
  });

  test('closing the emulator removes its folder', async () => {
    const other = await startEmulator({ keys: [KEY] });
    const c = new OpenAI({ baseURL: other.url, apiKey: KEY, maxRetries: 0 });
    await c.files.create({ file: await toFile(jsonl(1000), 'a.jsonl'), purpose: 'fine-tune' });
    const { storage_dir } = await adminState(other);
    assert.equal(readdirSync(storage_dir).length, 1);
    await other.close();
    assert.throws(() => readdirSync(storage_dir), /ENOENT/);
  });
});

describe('a large upload streams to disk', () => {
  let em: Emulator;
  before(async () => {
    em = await startEmulator({ speed: 1000, keys: [KEY] });
  });
  after(() => em.close());

  test('64 MB (about) arrive on disk as they are sent; other requests are answered meanwhile; content round-trips', async () => {
    const boundary = '----rftStudioUploadTest';
    // Whole lines in each chunk, so the joined file is valid JSONL.
    const line = `${JSON.stringify({ messages: [{ role: 'user', content: 'y'.repeat(500) }] })}\n`;
    const chunk = Buffer.from(line.repeat(Math.floor(MB / line.length)));
    const chunks = 64;
    let releaseSecondHalf!: () => void;
    const secondHalf = new Promise<void>((r) => (releaseSecondHalf = r));
    let halfSent!: () => void;
    const half = new Promise<void>((r) => (halfSent = r));
    const expected = createHash('sha256');
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nfine-tune\r\n` +
              `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jsonl"\r\n` +
              'Content-Type: application/octet-stream\r\n\r\n',
          ),
        );
        for (let i = 0; i < chunks; i++) {
          if (i === chunks / 2) {
            halfSent();
            await secondHalf;
          }
          expected.update(chunk);
          controller.enqueue(chunk);
        }
        controller.enqueue(Buffer.from(`\r\n--${boundary}--\r\n`));
        controller.close();
      },
    });
    const upload = fetch(`${em.url}/files`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${KEY}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      body,
      duplex: 'half',
    } as RequestInit);
    await half;
    // Half the body is on the wire and the rest held back: the server already answers others, and what
    // arrived is on disk, not waiting in memory for the end of the body.
    const client = new OpenAI({ baseURL: em.url, apiKey: KEY, maxRetries: 0 });
    const models = await client.models.list();
    assert.ok(models.data.length > 0);
    let state = await adminState(em);
    for (let i = 0; i < 200 && state.storage_bytes < 16 * chunk.length; i++) {
      await new Promise((r) => setTimeout(r, 10));
      state = await adminState(em);
    }
    assert.ok(state.storage_bytes >= 16 * chunk.length, `bytes on disk mid-upload: ${state.storage_bytes}`);
    releaseSecondHalf();
    const res = await upload;
    assert.equal(res.status, 200, await res.clone().text());
    const file = (await res.json()) as { id: string; bytes: number; status: string };
    assert.equal(file.bytes, chunks * chunk.length);
    const processed = await client.files.retrieve(file.id);
    assert.equal(processed.status, 'processed');
    const got = createHash('sha256');
    const download = await client.files.content(file.id);
    for await (const piece of download.body as unknown as AsyncIterable<Uint8Array>) got.update(piece);
    assert.equal(got.digest('hex'), expected.digest('hex'));
  });
});
