// Emulator admin endpoints (/__emulator/*): they need the API key like the API routes, in either header
// style; reset forgets files, jobs and faults and removes file content from disk.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import type { Emulator } from '../../../../src/emulator/server';
import { startEmulator } from '../../../../src/emulator/server';

const KEY = 'sk-admin-test';
let em: Emulator;
let origin: string;

before(async () => {
  em = await startEmulator({ speed: 1000, keys: [KEY] });
  origin = em.url.replace(/\/v1$/, '');
});
after(() => em.close());

describe('admin endpoints', () => {
  for (const [method, path] of [
    ['POST', '/__emulator/reset'],
    ['GET', '/__emulator/state'],
    ['GET', '/__emulator/faults'],
    ['POST', '/__emulator/faults'],
    ['DELETE', '/__emulator/faults'],
    ['GET', '/__emulator/nothing-here'],
  ] as const) {
    test(`${method} ${path} without the key (or with a wrong one) is 401`, async () => {
      const variants: Array<Record<string, string>> = [
        {},
        { authorization: 'Bearer wrong' },
        { 'api-key': 'wrong' },
      ];
      for (const headers of variants) {
        const r = await fetch(`${origin}${path}`, {
          method,
          headers,
          body: method === 'POST' ? '{}' : undefined,
        });
        assert.equal(r.status, 401);
        const body = (await r.json()) as { error: { code: string; message: string } };
        assert.equal(body.error.code, 'invalid_api_key');
      }
    });
  }

  test('with the key (bearer or api-key) they work; reset forgets files and removes their content', async () => {
    const client = new OpenAI({ baseURL: em.url, apiKey: KEY, maxRetries: 0 });
    const line = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] });
    await client.files.create({
      file: await toFile(Buffer.from(`${line}\n`), 'a.jsonl'),
      purpose: 'fine-tune',
    });
    const state = async () => {
      const r = await fetch(`${origin}/__emulator/state`, { headers: { 'api-key': KEY } });
      assert.equal(r.status, 200);
      return (await r.json()) as { files: number; storage_bytes: number; storage_dir: string };
    };
    const before = await state();
    assert.equal(before.files, 1);
    assert.equal(readdirSync(before.storage_dir).length, 1);
    const reset = await fetch(`${origin}/__emulator/reset`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
    });
    assert.equal(reset.status, 200);
    const afterReset = await state();
    assert.equal(afterReset.files, 0);
    assert.equal(afterReset.storage_bytes, 0);
    assert.deepEqual(readdirSync(afterReset.storage_dir), []);
    assert.equal((await client.files.list()).data.length, 0);
    const unknown = await fetch(`${origin}/__emulator/nothing-here`, { headers: { 'api-key': KEY } });
    assert.equal(unknown.status, 404);
  });
});
