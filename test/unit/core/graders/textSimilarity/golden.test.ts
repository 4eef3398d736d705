// Every row of test/fixtures/golden/text_similarity_golden.jsonl (scored by the Python reference libraries) must be
// reproduced within 1e-12 by each local metric, and by the stemmed ROUGE option against the `_stem_` columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  LOCAL_TEXT_SIMILARITY_METRICS,
  METRIC_IMPLEMENTATION,
  textSimilarity,
  type LocalTextSimilarityMetric,
} from '../../../../../src/core/graders/textSimilarity/index';
import { rougeL, rougeN } from '../../../../../src/core/graders/textSimilarity/rouge';

interface GoldenRow {
  id: string;
  input: string;
  reference: string;
  scores: Record<string, number>;
}

const rows: GoldenRow[] = readFileSync(
  join(__dirname, '../../../../fixtures/golden/text_similarity_golden.jsonl'),
  'utf8',
)
  .split('\n')
  .filter((l) => l.trim().length > 0)
  .map((l) => JSON.parse(l) as GoldenRow);

const COLUMN: Record<LocalTextSimilarityMetric, string> = {
  fuzzy_match: 'fuzz_ratio',
  bleu: 'nltk_sentence_bleu_word_tokenize_smooth1',
  gleu: 'nltk_sentence_gleu_word_tokenize',
  meteor: 'nltk_meteor_word_tokenize',
  rouge_1: 'rouge_1_nostem_f',
  rouge_2: 'rouge_2_nostem_f',
  rouge_3: 'rouge_3_nostem_f',
  rouge_4: 'rouge_4_nostem_f',
  rouge_5: 'rouge_5_nostem_f',
  rouge_l: 'rouge_l_nostem_f',
};

function assertAllRows(column: string, score: (input: string, reference: string) => number): void {
  const failures: string[] = [];
  for (const row of rows) {
    const expected = row.scores[column];
    assert.equal(typeof expected, 'number', `${row.id}: golden column ${column} missing`);
    const got = score(row.input, row.reference);
    if (!(Math.abs(got - expected) <= 1e-12)) {
      failures.push(
        `${row.id} input=${JSON.stringify(row.input)} reference=${JSON.stringify(row.reference)} ` +
          `expected=${expected} got=${got}`,
      );
    }
  }
  assert.deepEqual(failures, [], `${failures.length}/${rows.length} rows differ on ${column}`);
}

test('the golden file has the 405 pairs it documents', () => {
  assert.equal(rows.length, 405);
});

for (const metric of LOCAL_TEXT_SIMILARITY_METRICS) {
  test(`${metric} reproduces ${COLUMN[metric]} on every golden row within 1e-12`, () => {
    assertAllRows(COLUMN[metric], (input, reference) => textSimilarity(metric, input, reference));
  });
}

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
});
