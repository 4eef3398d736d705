// word_tokenize, Punkt, the NIST international tokenizer and the Porter stemmer on tricky inputs. Expected values were
// produced by nltk's own PunktSentenceTokenizer / NLTKWordTokenizer / NISTTokenizer / PorterStemmer (3.9.1 tokenizer
// rules, nltk_data's English Punkt parameters); the larger reference sets are in test/fixtures/nltk/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sentenceBleu } from '../../../../../src/core/graders/textSimilarity/bleu';
import { sentenceGleu } from '../../../../../src/core/graders/textSimilarity/gleu';
import { readNltkData } from '../../../../../src/core/graders/textSimilarity/data/nltkData';
import { NLTK_DATA_FILES } from '../../../../../src/core/graders/textSimilarity/data/nltkDataFiles';
import { porterStem } from '../../../../../src/core/graders/textSimilarity/porterStemmer';
import { aievalTokenize } from '../../../../../src/core/graders/textSimilarity/tokenize/aievalTokenize';
import { nistInternationalTokenize } from '../../../../../src/core/graders/textSimilarity/tokenize/nist';
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

const NLTK_FIXTURES = join(__dirname, '../../../../fixtures/nltk');
const readCases = <T>(file: string): T[] =>
  (JSON.parse(readFileSync(join(NLTK_FIXTURES, file), 'utf8')) as { cases: T[] }).cases;

test('Punkt with the English punkt_tab parameters splits 425 texts as nltk does', () => {
  const cases = readCases<{ text: string; sentences: string[] }>('punkt_english_reference.json');
  assert.equal(cases.length, 425);
  const failures = cases
    .filter((c) => JSON.stringify(punktSentences(c.text)) !== JSON.stringify(c.sentences))
    .map((c) => `${JSON.stringify(c.text)}: expected ${JSON.stringify(c.sentences)}`);
  assert.deepEqual(failures, []);
});

test('Punkt decisions that need the trained parameters', () => {
  // collocation "##number## colgate"; initial before an always-capitalised word; frequent sentence starter after an
  // abbreviation; the orthographic heuristic after "a.m".
  assert.deepEqual(punktSentences('Prices fell 1. Colgate shares rose.'), [
    'Prices fell 1. Colgate shares rose.',
  ]);
  assert.deepEqual(punktSentences('J. Walter Thompson opened. The firm grew.'), [
    'J. Walter Thompson opened.',
    'The firm grew.',
  ]);
  assert.deepEqual(punktSentences('The model is Calif. based. Thus it works.'), [
    'The model is Calif. based.',
    'Thus it works.',
  ]);
  assert.deepEqual(punktSentences('He left at 3 a.m. The next day he returned.'), [
    'He left at 3 a.m.',
    'The next day he returned.',
  ]);
});

test('NIST international_tokenize matches nltk on hand-picked texts', () => {
  for (const c of readCases<{ text: string; tokens: string[] }>('nist_international_reference.json'))
    assert.deepEqual(nistInternationalTokenize(c.text), c.tokens, JSON.stringify(c.text));
});

test('the aieval tokenizer switches on printable Latin-1 (default) or ASCII', () => {
  // Printable Latin-1 goes through word_tokenize under `latin1`, through NIST under `ascii`.
  assert.deepEqual(aievalTokenize('café in-network.'), ['café', 'in-network', '.']);
  assert.deepEqual(aievalTokenize('café in-network.', 'ascii'), ['caf', 'é', 'in', '-', 'network', '.']);
  // A newline is outside both ranges' word_tokenize test under `latin1`, but ASCII.
  assert.deepEqual(aievalTokenize('a-b\nc.'), ['a', '-', 'b', 'c', '.']);
  assert.deepEqual(aievalTokenize('a-b\nc.', 'ascii'), ['a-b', 'c', '.']);
  assert.deepEqual(aievalTokenize(''), []);
});

test('the shipped nltk_data copy decodes to the source files byte for byte', () => {
  const root = join(__dirname, '../../../../../src/core/graders/textSimilarity/data/nltk_data');
  for (const file of NLTK_DATA_FILES)
    assert.equal(readNltkData(file), readFileSync(join(root, file), 'utf8'), file);
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
