import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogArgs, redact, registerSecret } from '../../../src/core/log';

test('redact masks OpenAI keys, bearer tokens and api-key headers', () => {
  assert.equal(redact('key sk-proj-abcdefghijklmnop1234 used'), 'key [REDACTED] used');
  assert.equal(redact('Authorization: Bearer abc.def.ghi'), 'Authorization: Bearer [REDACTED]');
  assert.equal(redact('{"api-key":"0123456789abcdef"}'), '{"api-key":"[REDACTED]"}');
  assert.equal(redact('nothing secret here'), 'nothing secret here');
});

test('registered secrets are masked wherever they appear', () => {
  registerSecret('azure-key-0123456789');
  assert.equal(redact('x azure-key-0123456789 y azure-key-0123456789'), 'x [REDACTED] y [REDACTED]');
});

test('formatLogArgs redacts objects and errors too', () => {
  const line = formatLogArgs('request', [
    { headers: { authorization: 'Bearer sk-live-1234567890' } },
    new Error('sk-abcdefghijkl failed'),
  ]);
  assert.ok(!line.includes('sk-live-1234567890'), line);
  assert.ok(!line.includes('sk-abcdefghijkl'), line);
  assert.match(line, /\[REDACTED\]/);
});
