// The ASCII pre-split against o200k_base's own pattern (js-tiktoken's copy of tiktoken's), and the piece table
// against a plain map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  asciiPieceEnd,
  countAsciiPieces,
  isAscii,
  PieceCountTable,
} from '../../../../src/core/tokens/asciiPieces';
import { countTokens, libraryOrdinaryCount } from '../../../../src/core/tokens/tokenizer';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ranks = require('js-tiktoken/ranks/o200k_base') as { default?: { pat_str: string }; pat_str?: string };
const PATTERN = (ranks.default ?? ranks).pat_str!;

function regexPieces(text: string): string[] {
  return [...text.matchAll(new RegExp(PATTERN, 'gu'))].map((m) => m[0]);
}

function scannedPieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length;) {
    const e = asciiPieceEnd(text, i);
    assert.ok(e > i, `no progress at ${i} of ${JSON.stringify(text)}`);
    out.push(text.slice(i, e));
    i = e;
  }
  return out;
}

// Where the alternatives meet: capitals and small letters (the contraction letters among them), digits, every ASCII
// space, the apostrophe, slash and other punctuation, control characters.
const BOUNDARY = [
  ...'aAsStTdDmMlLvVeErRxZ019',
  "'",
  '/',
  ' ',
  ' ',
  '\t',
  '\n',
  '\r',
  '\v',
  '\f',
  '.',
  ',',
  '"',
  '(',
  '$',
  '-',
  '\u0000',
  '\u001f',
  '\u007f',
];
const asciiText = fc
  .array(fc.oneof(fc.constantFrom(...BOUNDARY), fc.string({ unit: 'binary-ascii', maxLength: 4 })), {
    maxLength: 40,
  })
  .map((parts) => parts.join(''));

test('known splits: words with their space, contractions, digit triples, punctuation runs, line breaks', () => {
  const cases: Record<string, string[]> = {
    "Hello world, it's 12345!": ['Hello', ' world', ',', " it's", ' ', '123', '45', '!'],
    "DON'T they'RE": ["DON'T", " they'RE"],
    'ABCdef GHI': ['ABCdef', ' GHI'],
    'a  b\n\n  c': ['a', ' ', ' b', '\n\n', ' ', ' c'],
    ' ..//\n/x': [' ..//\n/', 'x'],
    '\t.end  ': ['\t', '.end', '  '],
  };
  for (const [text, pieces] of Object.entries(cases)) {
    assert.deepEqual(regexPieces(text), pieces, `the pattern itself on ${JSON.stringify(text)}`);
    assert.deepEqual(scannedPieces(text), pieces, JSON.stringify(text));
  }
});

test('property: on any ASCII text the scanner cuts exactly where the o200k_base pattern does', () => {
  fc.assert(
    fc.property(asciiText, (t) => {
      assert.ok(isAscii(t));
      assert.deepEqual(scannedPieces(t), regexPieces(t));
    }),
    { numRuns: 5000 },
  );
});

test('property: counts through the piece table equal gpt-tokenizer, in a table small enough to refill', () => {
  const table = new PieceCountTable(4);
  const stored = new Map<string, number>();
  let calls = 0;
  const countPiece = (piece: string) => {
    calls++;
    const n = libraryOrdinaryCount(piece);
    stored.set(piece, n);
    return n;
  };
  fc.assert(
    fc.property(asciiText, (t) => {
      assert.equal(countAsciiPieces(t, table, countPiece, 64), libraryOrdinaryCount(t));
    }),
    { numRuns: 2000 },
  );
  assert.ok(calls > stored.size, 'the small table was refilled (pieces counted again after a clear)');
  // A table large enough counts each distinct piece once.
  const big = new PieceCountTable();
  calls = 0;
  stored.clear();
  for (let round = 0; round < 3; round++)
    assert.equal(
      countAsciiPieces('the cat and the hat and the bat', big, countPiece, 64),
      libraryOrdinaryCount('the cat and the hat and the bat'),
    );
  assert.equal(calls, stored.size);
});

test('a piece longer than the limit is left to the caller; non-ASCII text is not for the scanner', () => {
  const table = new PieceCountTable();
  const long = `x ${'a'.repeat(65)} y`;
  assert.equal(countAsciiPieces(long, table, libraryOrdinaryCount, 64), -1);
  assert.equal(countTokens(long), libraryOrdinaryCount(long));
  assert.equal(isAscii('naïve'), false);
  assert.equal(countTokens('naïve café'), libraryOrdinaryCount('naïve café'));
});

test('pieces up to 8 characters are keyed by their packed characters: one character or the length apart, apart', () => {
  // Pieces of 1 to 9 characters that share prefixes and differ at each position, counted by a stand-in that tells
  // them apart (its length times 10 plus the code of the last character).
  const pieces: string[] = [];
  for (let len = 1; len <= 9; len++)
    for (let at = 0; at < len; at++)
      pieces.push(
        'abcdefghi'
          .slice(0, len)
          .split('')
          .map((c, i) => (i === at ? 'z' : c))
          .join(''),
      );
  const stand = (p: string) => p.length * 1000 + p.charCodeAt(p.length - 1);
  for (const bits of [3, 17]) {
    const table = new PieceCountTable(bits);
    for (let round = 0; round < 2; round++)
      for (const p of pieces)
        assert.equal(table.get(` ${p} `, 1, 1 + p.length, stand), stand(p), `${p} (${bits} bits)`);
  }
});
