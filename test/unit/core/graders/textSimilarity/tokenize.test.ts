// word_tokenize, Punkt and the Porter stemmer on tricky inputs. Expected values were produced by nltk's own
// PunktSentenceTokenizer / NLTKWordTokenizer / PorterStemmer (with the 3.9.1 tokenizer rules and the built-in
// Punkt parameters of punkt.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sentenceBleu } from '../../../../../src/core/graders/textSimilarity/bleu';
import { sentenceGleu } from '../../../../../src/core/graders/textSimilarity/gleu';
import { porterStem } from '../../../../../src/core/graders/textSimilarity/porterStemmer';
import {
  punktSentences,
  wordTokenize,
} from '../../../../../src/core/graders/textSimilarity/tokenize/wordTokenize';

const CASES: readonly [text: string, sentences: string[], tokens: string[]][] = [
  [
    'Good muffins cost $3.88\nin New York.  Please buy me\ntwo of them.\nThanks.',
    ['Good muffins cost $3.88\nin New York.', 'Please buy me\ntwo of them.', 'Thanks.'],
    ['Good', 'muffins', 'cost', '$', '3.88', 'in', 'New', 'York', '.', 'Please', 'buy', 'me', 'two', 'of', 'them', '.', 'Thanks', '.'],
  ],
  [
    'Dr. Smith went to Washington D.C. on Jan. 5th. He arrived at 3 p.m.',
    ['Dr. Smith went to Washington D.C. on Jan. 5th.', 'He arrived at 3 p.m.'],
    ['Dr.', 'Smith', 'went', 'to', 'Washington', 'D.C.', 'on', 'Jan.', '5th', '.', 'He', 'arrived', 'at', '3', 'p.m', '.'],
  ],
  [
    '"Quoted" text with \'single\' quotes',
    ['"Quoted" text with \'single\' quotes'],
    ['``', 'Quoted', "''", 'text', 'with', "'single", "'", 'quotes'],
  ],
  [
    "I can't believe it's not butter, they'd said; we're gonna win!",
    ["I can't believe it's not butter, they'd said; we're gonna win!"],
    ['I', 'ca', "n't", 'believe', 'it', "'s", 'not', 'butter', ',', 'they', "'d", 'said', ';', 'we', "'re", 'gon', 'na', 'win', '!'],
  ],
  [
    "'Tis the season... 'twas fun -- right?",
    ["'Tis the season... 'twas fun -- right?"],
    ["'T", 'is', 'the', 'season', '...', "'t", 'was', 'fun', '--', 'right', '?'],
  ],
  [
    // nltk 3.9.1 does not split em dashes (later versions do).
    'The food—which was delicious—reminded me of home.',
    ['The food—which was delicious—reminded me of home.'],
    ['The', 'food—which', 'was', 'delicious—reminded', 'me', 'of', 'home', '.'],
  ],
  [
    '“Curly quotes” and «guillemets» end here.” Next one.',
    ['“Curly quotes” and «guillemets» end here.” Next one.'],
    ['“', 'Curly', 'quotes', '”', 'and', '«', 'guillemets', '»', 'end', 'here.', '”', 'Next', 'one', '.'],
  ],
  [
    'Tabs\tand\nnewlines\u00a0and NBSP\u2028line sep.',
    ['Tabs\tand\nnewlines\u00a0and NBSP\u2028line sep.'],
    ['Tabs', 'and', 'newlines', 'and', 'NBSP', 'line', 'sep', '.'],
  ],
  [
    'Emoji 😀👍🏽 and ZWJ 👨\u200d👩\u200d👧 family. café vs cafe\u0301.',
    ['Emoji 😀👍🏽 and ZWJ 👨\u200d👩\u200d👧 family.', 'café vs cafe\u0301.'],
    ['Emoji', '😀👍🏽', 'and', 'ZWJ', '👨\u200d👩\u200d👧', 'family', '.', 'café', 'vs', 'cafe\u0301', '.'],
  ],
  [
    'Fox customer in small delivered to a. Fox is shipped.',
    ['Fox customer in small delivered to a.', 'Fox is shipped.'],
    ['Fox', 'customer', 'in', 'small', 'delivered', 'to', 'a', '.', 'Fox', 'is', 'shipped', '.'],
  ],
  [
    '(Parenthesised [bracketed] {braced} <angled>) *starred* @home #tag 50% & more',
    ['(Parenthesised [bracketed] {braced} <angled>) *starred* @home #tag 50% & more'],
    ['(', 'Parenthesised', '[', 'bracketed', ']', '{', 'braced', '}', '<', 'angled', '>', ')', '*', 'starred', '*', '@', 'home', '#', 'tag', '50', '%', '&', 'more'],
  ],
  [
    'Numbers: 1,000.50 and 3:30, ratio 2:1.',
    ['Numbers: 1,000.50 and 3:30, ratio 2:1.'],
    ['Numbers', ':', '1,000.50', 'and', '3:30', ',', 'ratio', '2:1', '.'],
  ],
]; // prettier-ignore

for (const [text, sentences, tokens] of CASES) {
  test(`word_tokenize ${JSON.stringify(text).slice(0, 60)}`, () => {
    assert.deepEqual(punktSentences(text), sentences);
    assert.deepEqual(wordTokenize(text), tokens);
  });
}

test('word_tokenize of empty and whitespace-only text is empty', () => {
  assert.deepEqual(wordTokenize(''), []);
  assert.deepEqual(wordTokenize(' \t\n\u00a0'), []);
});

const STEMS: readonly [string, string][] = [
  ['caresses', 'caress'], ['ponies', 'poni'], ['ties', 'tie'], ['cats', 'cat'], ['feed', 'feed'],
  ['agreed', 'agre'], ['plastered', 'plaster'], ['motoring', 'motor'], ['sing', 'sing'], ['conflated', 'conflat'],
  ['troubled', 'troubl'], ['sized', 'size'], ['hopping', 'hop'], ['falling', 'fall'], ['hissing', 'hiss'],
  ['failing', 'fail'], ['filing', 'file'], ['happy', 'happi'], ['sky', 'sky'], ['relational', 'relat'],
  ['conditional', 'condit'], ['validiti', 'valid'], ['generously', 'gener'], ['analogi', 'analog'], ['dying', 'die'],
  ['news', 'news'], ['innings', 'inning'], ['proceed', 'proceed'], ['generalizations', 'gener'], ['running', 'run'],
  ['analyses', 'analys'], ['CAPITALS', 'capit'], ['yelling', 'yell'], ['café', 'café'], ['😀ing', '😀ing'],
]; // prettier-ignore

test('porterStem matches nltk PorterStemmer (NLTK_EXTENSIONS)', () => {
  for (const [word, stem] of STEMS) assert.equal(porterStem(word), stem, word);
});

test('BLEU and GLEU keep exact counts when the vocabulary is too large for numeric n-gram keys', () => {
  const L = 12_000;
  const hyp = Array.from({ length: L }, (_, i) => `w${i}`);
  const ref = [...hyp.slice(0, L - 1), 'other'];
  // GLEU: every n-gram matches except the four (one per order) that end with the last token.
  assert.equal(sentenceGleu([ref], hyp), (4 * L - 6 - 4) / (4 * L - 6));
  const p = [(L - 1) / L, (L - 2) / (L - 1), (L - 3) / (L - 2), (L - 4) / (L - 3)];
  const expected = Math.exp(p.reduce((s, x) => s + 0.25 * Math.log(x), 0));
  assert.ok(Math.abs(sentenceBleu([ref], hyp) - expected) <= 1e-12);
  assert.equal(sentenceBleu([hyp], hyp), 1);
});
