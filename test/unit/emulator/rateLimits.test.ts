// Emulator rate limits on the model endpoints: x-ratelimit-* headers in OpenAI's formats, 429 with
// retry-after / retry-after-ms past the request or token limit (per model), refill over the minute on the
// emulator's clock, and the `rft-studio emulator` flags that set the limits.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import { runCli } from '../../../src/cli/app';
import type { CliIO } from '../../../src/cli/command';
import { emulatorCommand } from '../../../src/cli/commands/emulatorCommand';
import { formatResetDuration } from '../../../src/emulator/rateLimits';
import { startEmulator } from '../../../src/emulator/server';

const KEY = 'sk-rate-test';

function chat(url: string, model: string, extra: Record<string, unknown> = {}) {
  return fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra }),
  });
}

describe('rate limits', () => {
  test('reset durations read like OpenAI\u2019s (Go durations)', () => {
    assert.equal(formatResetDuration(0), '0s');
    assert.equal(formatResetDuration(120), '120ms');
    assert.equal(formatResetDuration(1000), '1s');
    assert.equal(formatResetDuration(8640), '8.64s');
    assert.equal(formatResetDuration(360_000), '6m0s');
    assert.equal(formatResetDuration(90_500), '1m30.5s');
    assert.equal(formatResetDuration(3_600_000), '1h0m0s');
  });

  test('requests per minute: headers count down, the next one is 429 with retry-after, time refills', async () => {
    let t = 1_000_000;
    const em = await startEmulator({ keys: [KEY], now: () => t, rateLimits: { requestsPerMinute: 3 } });
    try {
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await chat(em.url, 'gpt-4.1-mini');
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('x-ratelimit-limit-requests'), '3');
        assert.equal(r.headers.get('x-ratelimit-limit-tokens'), '10000000');
        assert.match(r.headers.get('x-ratelimit-remaining-tokens') ?? '', /^\d+$/);
        assert.match(r.headers.get('x-ratelimit-reset-tokens') ?? '', /^\d+(\.\d+)?(ms|s)$/);
        remaining.push(r.headers.get('x-ratelimit-remaining-requests')!);
      }
      assert.deepEqual(remaining, ['2', '1', '0']);
      const limited = await chat(em.url, 'gpt-4.1-mini');
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '20');
      assert.equal(limited.headers.get('retry-after-ms'), '20000');
      assert.equal(limited.headers.get('x-ratelimit-reset-requests'), '1m0s');
      const body = (await limited.json()) as { error: { type: string; code: string; message: string } };
      assert.equal(body.error.type, 'requests');
      assert.equal(body.error.code, 'rate_limit_exceeded');
      assert.match(
        body.error.message,
        /requests per min \(RPM\): Limit 3, Requested 1\. Please try again in 20s/,
      );
      // Limits are per model.
      assert.equal((await chat(em.url, 'o4-mini-2025-04-16')).status, 200);
      t += 20_000;
      const again = await chat(em.url, 'gpt-4.1-mini');
      assert.equal(again.status, 200);
      assert.equal(again.headers.get('x-ratelimit-remaining-requests'), '0');
      assert.equal(again.headers.get('x-ratelimit-reset-requests'), '1m0s');
      // The SDK reads the 429 as a RateLimitError.
      const client = new OpenAI({ baseURL: em.url, apiKey: KEY, maxRetries: 0 });
      await assert.rejects(
        client.embeddings.create({ model: 'gpt-4.1-mini', input: 'x' }),
        (e: unknown) => e instanceof OpenAI.RateLimitError,
      );
    } finally {
      await em.close();
    }
  });

  test('tokens per minute count the prompt and the output maximum; too large for the limit says so', async () => {
    let t = 5_000_000;
    const em = await startEmulator({ keys: [KEY], now: () => t, rateLimits: { tokensPerMinute: 1000 } });
    try {
      const first = await chat(em.url, 'gpt-4.1-mini', { max_tokens: 600 });
      assert.equal(first.status, 200);
      const left = Number(first.headers.get('x-ratelimit-remaining-tokens'));
      assert.ok(left < 400 && left > 300, `remaining tokens ${left}`);
      const second = await chat(em.url, 'gpt-4.1-mini', { max_tokens: 600 });
      assert.equal(second.status, 429);
      assert.equal(((await second.json()) as { error: { type: string } }).error.type, 'tokens');
      const wait = Number(second.headers.get('retry-after-ms'));
      assert.ok(wait > 10_000 && wait < 20_000, `retry-after-ms ${wait}`);
      t += wait;
      assert.equal((await chat(em.url, 'gpt-4.1-mini', { max_tokens: 600 })).status, 200);
      const huge = await chat(em.url, 'gpt-4.1-mini', { max_tokens: 5000 });
      assert.equal(huge.status, 429);
      assert.match(
        ((await huge.json()) as { error: { message: string } }).error.message,
        /Request too large/,
      );
    } finally {
      await em.close();
    }
  });

  test('`rft-studio emulator --requests-per-minute --tokens-per-minute` sets the limits; bad values are usage errors', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const ac = new AbortController();
    const io = (signal: AbortSignal): CliIO => ({
      stdout: (s) => out.push(s),
      stderr: (s) => err.push(s),
      cwd: process.cwd(),
      env: {},
      signal,
    });
    const done = runCli(
      ['emulator', '--port', '0', '--quiet', '--requests-per-minute', '1', '--tokens-per-minute', '500'],
      io(ac.signal),
      [emulatorCommand],
    );
    let url: string | undefined;
    for (let i = 0; i < 200 && !url; i++) {
      url = /OpenAI base URL: (\S+)/.exec(out.join(''))?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(url, out.join(''));
    const ok = await chat(url, 'm');
    assert.equal(ok.headers.get('x-ratelimit-limit-requests'), '1');
    assert.equal(ok.headers.get('x-ratelimit-limit-tokens'), '500');
    assert.equal((await chat(url, 'm')).status, 429);
    ac.abort();
    assert.equal(await done, 0);
    for (const bad of [
      ['--requests-per-minute', '0'],
      ['--tokens-per-minute', 'lots'],
      ['--requests-per-minute', '1.5'],
    ]) {
      err.length = 0;
      assert.equal(
        await runCli(['emulator', '--port', '0', ...bad], io(new AbortController().signal), [
          emulatorCommand,
        ]),
        2,
      );
      assert.match(err.join(''), new RegExp(bad[0]!));
    }
  });
});
