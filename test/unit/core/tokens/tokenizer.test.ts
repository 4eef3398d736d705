import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentText, countMessagesTokens, countTokens } from '../../../../src/core/tokens/tokenizer';

test('countTokens uses o200k_base (known counts)', () => {
  // o200k_base: "hello world" is 2 tokens; the empty string 0.
  assert.equal(countTokens('hello world'), 2);
  assert.equal(countTokens(''), 0);
  // Special-token text is counted as text, not rejected.
  assert.ok(countTokens('<|endoftext|>') >= 1);
});

test('countMessagesTokens adds per-message overhead and priming', () => {
  const one = countMessagesTokens([{ role: 'user', content: 'hello world' }]);
  assert.equal(one, 3 + countTokens('user') + 2 + 3);
  const parts = countMessagesTokens([{ role: 'user', content: [{ type: 'text', text: 'hello world' }] }]);
  assert.equal(parts, one);
});

test('contentText joins text parts and ignores non-text parts', () => {
  assert.equal(
    contentText([{ type: 'text', text: 'a' }, { type: 'image_url', image_url: { url: 'x' } }, 'b']),
    'ab',
  );
  assert.equal(contentText(null), '');
});
