import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type * as Lite from 'js-tiktoken/lite';
import {
  contentText,
  countMessagesTokens,
  countTokens,
  libraryOrdinaryCount,
} from '../../../../src/core/tokens/tokenizer';

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

// The reference: js-tiktoken's own encoder, unchanged (quadratic on long pieces, so only short inputs here).
function referenceCount(text: string): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Tiktoken } = require('js-tiktoken/lite') as typeof Lite;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ranks = require('js-tiktoken/ranks/o200k_base') as { default?: unknown };
  referenceEncoder ??= new Tiktoken((ranks.default ?? ranks) as never);
  return referenceEncoder.encode(text, 'all').length;
}
let referenceEncoder: Lite.Tiktoken | undefined;

test('countTokens equals js-tiktoken on every line of the real fixtures (first 25 lines of each file)', () => {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.jsonl')) files.push(join(d, e.name));
    }
  };
  walk(join(__dirname, '../../../fixtures/real'));
  assert.ok(files.length > 5);
  let checked = 0;
  for (const f of files)
    for (const line of readFileSync(f, 'utf8').split('\n').slice(0, 25)) {
      if (!line.trim() || line.length > 8000) continue;
      assert.equal(countTokens(line), referenceCount(line), `${f}: ${line.slice(0, 80)}`);
      checked++;
    }
  assert.ok(checked > 100, `only ${checked} lines`);
});

test('property: long pieces (merged with the heap) count exactly as js-tiktoken', () => {
  const piece = fc.oneof(
    fc.stringMatching(/^[a-zA-Z]{65,400}$/),
    fc.stringMatching(/^[A-Za-z0-9+/]{65,400}$/),
    fc.stringMatching(/^[!-/:-@[-`{-~]{65,300}$/),
    fc.stringMatching(/^[ \t]{65,300}$/),
    fc.string({ unit: 'grapheme', minLength: 65, maxLength: 200 }),
  );
  fc.assert(
    fc.property(piece, fc.string({ maxLength: 40 }), (p, around) => {
      const text = `${around}${p} ${around}`;
      assert.equal(countTokens(text), referenceCount(text));
    }),
    { numRuns: 150 },
  );
});

test('a run of letters far over the exact-merge size is counted in linear time, close to the exact count', () => {
  const exact = 'abcdefghij'.repeat(300); // 3,000 letters: js-tiktoken still manages this one
  assert.equal(countTokens(exact), referenceCount(exact));
  const huge = 'abcdefghij'.repeat(30_000); // 300,000 letters: 5 slices of 64 Ki characters
  const n = countTokens(huge);
  assert.ok(Math.abs(n - 60_000) <= 10, `got ${n}`);
});

test('special tokens count as tiktoken counts them: its two o200k_base ones as one token anywhere, others as text', () => {
  for (const text of [
    'hello <|endoftext|> world',
    '<|endoftext|>x',
    'x<|endoftext|><|endoftext|>y',
    'a<|im_start|>b<|endofprompt|>c',
    '<|fim_prefix|>',
    '<|endoftext',
  ])
    assert.equal(countTokens(text), referenceCount(text), text);
});

test('property: any text counts exactly as js-tiktoken, and again the same from the per-string cache', () => {
  const special = fc.constantFrom('<|endoftext|>', '<|endofprompt|>', '<|im_start|>', '<|', '|>');
  const text = fc
    .array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ maxLength: 30 }), special), {
      maxLength: 8,
    })
    .map((parts) => parts.join(''));
  fc.assert(
    fc.property(text, (t) => {
      const expected = referenceCount(t);
      assert.equal(countTokens(t), expected);
      assert.equal(countTokens(t), expected);
    }),
    { numRuns: 300 },
  );
});

test('the per-piece cache counts ordinary text exactly as gpt-tokenizer does, on fixtures and random text', () => {
  const dir = join(__dirname, '../../../fixtures/real/openai-build-hours');
  const texts: string[] = [
    'Hello world',
    "don't WORRY, it's 12345678 ok",
    'tabs\tand\r\nCRLF  and   spaces   \n\n',
    'émigré naïve 東京 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👍🏽',
    'e\u0301\u0301 combining',
    '\u00a0nbsp\u00a0',
  ];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.jsonl')) texts.push(...readFileSync(p, 'utf8').split('\n').slice(0, 10));
    }
  };
  walk(dir);
  // Twice: once filling the cache, once answering from it.
  for (let round = 0; round < 2; round++)
    for (const t of texts)
      assert.equal(countTokens(`${t} round${round}`), libraryOrdinaryCount(`${t} round${round}`));
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (t) => {
      const plain = t.replaceAll('<|', '<');
      assert.equal(countTokens(plain), libraryOrdinaryCount(plain));
    }),
    { numRuns: 1000 },
  );
});
