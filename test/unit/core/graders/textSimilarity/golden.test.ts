// Every row of test/fixtures/golden/text_similarity_golden.jsonl (scored by the Python reference libraries) must be
// reproduced within 1e-12 (absolute or relative) by each local metric, by the tokenizer (its token lists), by the
// `ascii` tokenizer switch (its BLEU column), and by the word_tokenize-only variants of the older columns; and the
// metrics must give the rewards observed from the Azure OpenAI grader service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  LOCAL_TEXT_SIMILARITY_METRICS,
  METRIC_IMPLEMENTATION,
  aievalTokenize,
  meteorScore,
  metricImplementation,
  sentenceBleu,
  sentenceGleu,
  textSimilarity,
  wordTokenize,
  type LocalTextSimilarityMetric,
} from '../../../../../src/core/graders/textSimilarity/index';
import { rougeL, rougeN } from '../../../../../src/core/graders/textSimilarity/rouge';

interface GoldenRow {
  id: string;
  input: string;
  reference: string;
  scores: Record<string, number>;
  tok_aieval_input: string[];
  tok_aieval_reference: string[];
}

interface ObservedReward {
  metric: string;
  input: string;
  reference: string;
  observed: number;
}

const GOLDEN = join(__dirname, '../../../../fixtures/golden');
const rows: GoldenRow[] = readFileSync(join(GOLDEN, 'text_similarity_golden.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim().length > 0)
  .map((l) => JSON.parse(l) as GoldenRow);
const observed = JSON.parse(
  readFileSync(join(GOLDEN, 'observed_azure_rewards.json'), 'utf8'),
) as ObservedReward[];

const COLUMN: Record<LocalTextSimilarityMetric, string> = {
  fuzzy_match: 'fuzz_ratio',
  bleu: 'aieval_bleu',
  gleu: 'aieval_gleu',
  meteor: 'aieval_meteor',
  rouge_1: 'rouge_1_nostem_f',
  rouge_2: 'rouge_2_nostem_f',
  rouge_3: 'rouge_3_nostem_f',
  rouge_4: 'rouge_4_nostem_f',
  rouge_5: 'rouge_5_nostem_f',
  rouge_l: 'rouge_l_nostem_f',
};

/** The golden README's comparison: nine BLEU values are tiny, so a relative tolerance is needed as well. */
function close(got: number, expected: number): boolean {
  const d = Math.abs(got - expected);
  return d <= 1e-12 || d <= 1e-12 * Math.abs(expected);
}

function assertAllRows(column: string, score: (input: string, reference: string) => number): void {
  const failures: string[] = [];
  for (const row of rows) {
    const expected = row.scores[column];
    assert.equal(typeof expected, 'number', `${row.id}: golden column ${column} missing`);
    const got = score(row.input, row.reference);
    if (!close(got, expected)) {
      failures.push(
        `${row.id} input=${JSON.stringify(row.input)} reference=${JSON.stringify(row.reference)} ` +
          `expected=${expected} got=${got}`,
      );
    }
  }
  assert.deepEqual(failures, [], `${failures.length}/${rows.length} rows differ on ${column}`);
}

// The golden README says 555 pairs; the file it describes holds 405 (all with the aieval columns).
test('the golden file has its 405 pairs, each with the aieval columns and token lists', () => {
  assert.equal(rows.length, 405);
  for (const row of rows) {
    for (const c of ['aieval_bleu', 'aieval_bleu_isascii', 'aieval_gleu', 'aieval_meteor'])
      assert.equal(typeof row.scores[c], 'number', `${row.id} ${c}`);
    assert.ok(Array.isArray(row.tok_aieval_input) && Array.isArray(row.tok_aieval_reference), row.id);
  }
});

for (const metric of LOCAL_TEXT_SIMILARITY_METRICS) {
  test(`${metric} reproduces ${COLUMN[metric]} on every golden row within 1e-12`, () => {
    assertAllRows(COLUMN[metric], (input, reference) => textSimilarity(metric, input, reference));
  });
}

test('the tokenizer reproduces tok_aieval_input and tok_aieval_reference exactly on every row', () => {
  const failures: string[] = [];
  let nist = 0;
  for (const row of rows) {
    for (const side of ['input', 'reference'] as const) {
      const text = row[side];
      if (!/^[\x20-\x7e\xa0-\xff]*$/.test(text)) nist++;
      const got = aievalTokenize(text);
      const expected = row[`tok_aieval_${side}`];
      if (JSON.stringify(got) !== JSON.stringify(expected))
        failures.push(`${row.id} ${side}: expected ${JSON.stringify(expected)} got ${JSON.stringify(got)}`);
    }
  }
  assert.deepEqual(failures, []);
  // Both tokenizers are exercised: the NIST one by every text outside printable Latin-1.
  assert.ok(nist >= 40, `only ${nist} texts go through the NIST tokenizer`);
});

test('the ascii tokenizer switch reproduces aieval_bleu_isascii on every row', () => {
  assertAllRows('aieval_bleu_isascii', (input, reference) =>
    textSimilarity('bleu', input, reference, { tokenizerSwitch: 'ascii' }),
  );
  // The column differs from aieval_bleu on some rows, so the switch is really tested.
  assert.ok(rows.some((r) => !close(r.scores.aieval_bleu_isascii, r.scores.aieval_bleu)));
});

test('bleu and fuzzy_match give the rewards observed from the Azure OpenAI grader service exactly', () => {
  const byMetric = (m: string) => observed.filter((o) => o.metric === m);
  assert.equal(byMetric('bleu').length, 5);
  assert.equal(byMetric('fuzzy_match').length, 5);
  for (const o of observed) {
    const got = textSimilarity(o.metric as LocalTextSimilarityMetric, o.input, o.reference);
    assert.equal(got, o.observed, `${o.metric} ${JSON.stringify(o.input.slice(0, 50))}`);
  }
});

// The older columns score plain word_tokenize on every text (no NIST branch), so they keep testing Punkt and the
// Treebank tokenizer on the texts the aieval tokenizer sends elsewhere.
test('word_tokenize variants reproduce the older nltk_*_word_tokenize columns', () => {
  const tok = (t: string) => wordTokenize(t);
  assertAllRows('nltk_sentence_bleu_word_tokenize_smooth1', (i, r) =>
    sentenceBleu([tok(r)], tok(i), 'method1'),
  );
  assertAllRows('nltk_sentence_gleu_word_tokenize', (i, r) => sentenceGleu([tok(r)], tok(i)));
  assertAllRows('nltk_meteor_word_tokenize', (i, r) => meteorScore([tok(r)], tok(i)));
});

for (const n of [1, 2, 3, 4, 5]) {
  test(`rouge_${n} with useStemmer reproduces rouge_${n}_stem_f`, () => {
    assertAllRows(`rouge_${n}_stem_f`, (input, reference) =>
      rougeN(n, input, reference, { useStemmer: true }),
    );
  });
}

test('rouge_l with useStemmer reproduces rouge_l_stem_f', () => {
  assertAllRows('rouge_l_stem_f', (input, reference) => rougeL(input, reference, { useStemmer: true }));
});

test('cosine has no local score and every metric is described', () => {
  assert.throws(() => textSimilarity('cosine' as LocalTextSimilarityMetric, 'a', 'b'), /embeddings/);
  for (const m of [...LOCAL_TEXT_SIMILARITY_METRICS, 'cosine' as const]) {
    assert.ok(METRIC_IMPLEMENTATION[m].length > 10, m);
  }
  assert.match(metricImplementation('bleu'), /method4.*U\+00A0–U\+00FF/);
  assert.match(metricImplementation('bleu', { tokenizerSwitch: 'ascii' }), /isascii/);
  assert.equal(metricImplementation('rouge_1', { tokenizerSwitch: 'ascii' }), METRIC_IMPLEMENTATION.rouge_1);
});
