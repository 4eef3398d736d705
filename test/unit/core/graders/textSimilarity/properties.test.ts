// Every local metric returns a finite score in [0, 1] and neither throws nor hangs on arbitrary Unicode text,
// including long inputs, astral characters, lone surrogates and sentence punctuation.
import { test } from 'node:test';
import fc from 'fast-check';
import {
  LOCAL_TEXT_SIMILARITY_METRICS,
  textSimilarity,
} from '../../../../../src/core/graders/textSimilarity/index';

const pieces = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom(
    ' ',
    '. ',
    '? ',
    '! ',
    '\n',
    '\t',
    '\u00a0',
    "n't ",
    "'s ",
    '"',
    '``',
    "''",
    'Dr. ',
    'a. ',
    '...',
  ),
  fc.constantFrom('the', 'cat', 'sat', 'on', 'mat', 'running', 'dogs', 'better', 'geese', 'Quick', 'fox'),
);
const text = fc.array(pieces, { maxLength: 30 }).map((a) => a.join(''));
const longText = fc.array(pieces, { minLength: 200, maxLength: 600 }).map((a) => a.join(' '));

function inUnitInterval(metric: string, a: string, b: string): boolean {
  const s = textSimilarity(metric as (typeof LOCAL_TEXT_SIMILARITY_METRICS)[number], a, b);
  return Number.isFinite(s) && s >= 0 && s <= 1;
}

for (const metric of LOCAL_TEXT_SIMILARITY_METRICS) {
  test(`${metric} is a finite score in [0, 1] on random Unicode text`, () => {
    fc.assert(
      fc.property(text, text, (a, b) => inUnitInterval(metric, a, b)),
      { numRuns: 300 },
    );
  });

  test(`${metric} stays in [0, 1] and finishes quickly on long text`, () => {
    fc.assert(
      fc.property(longText, longText, (a, b) => {
        const t0 = performance.now();
        const ok = inUnitInterval(metric, a, b);
        return ok && performance.now() - t0 < 2000;
      }),
      { numRuns: 5 },
    );
  });

  test(`${metric} scores identical non-empty texts at least as high as unrelated ones`, () => {
    fc.assert(
      fc.property(text, (a) => {
        const same = textSimilarity(metric, a, a);
        const other = textSimilarity(metric, a, a + ' zzzqqq');
        return same + 1e-12 >= other || a.trim() === '';
      }),
      { numRuns: 100 },
    );
  });
}

test('long whitespace runs after a period tokenize in linear time (nltk backtracks quadratically here)', () => {
  const text = 'a. ' + ' '.repeat(50_000) + 'x';
  const t0 = performance.now();
  for (const metric of LOCAL_TEXT_SIMILARITY_METRICS) textSimilarity(metric, text, 'a. x');
  const elapsed = performance.now() - t0;
  if (elapsed > 5000) throw new Error(`took ${Math.round(elapsed)} ms`);
  if (textSimilarity('gleu', text, 'a. x') !== 1) throw new Error('expected identical tokens a . x');
});
