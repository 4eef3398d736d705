// The grader schema's evaluation_metric help (hover and completion in the editor) is generated from the
// fidelity table in core. Regenerate the schema block with: UPDATE_SCHEMAS=1 node test/unit/run.mjs metricFidelity
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  FIDELITY_LABEL,
  METRIC_FIDELITY,
  metricSchemaEnum,
} from '../../../../src/core/graders/metricFidelity';
import { TEXT_SIMILARITY_METRICS, type TextSimilarityMetricName } from '../../../../src/core/graders/types';

const file = join(__dirname, '../../../../schemas/grader.schema.json');
const BLOCK = /"evaluation_metric": \{\s*"enum"[\s\S]*?"markdownDescription": "(?:[^"\\]|\\.)*"\s*\}/;

/** Schema order: the RFT metrics first (as the snippets list them), cosine last. */
const ORDER: TextSimilarityMetricName[] = [
  ...TEXT_SIMILARITY_METRICS.filter((m) => m !== 'cosine'),
  'cosine',
];

function metricProperty(schema: unknown): Record<string, unknown> {
  const defs = schema as { definitions?: Record<string, unknown>; $defs?: Record<string, unknown> };
  const all = { ...(defs.definitions ?? {}), ...(defs.$defs ?? {}) };
  for (const d of Object.values(all)) {
    const p = (d as { properties?: Record<string, unknown> }).properties?.evaluation_metric;
    if (p && typeof p === 'object') return p as Record<string, unknown>;
  }
  throw new Error('no evaluation_metric property in the grader schema');
}

describe('metric fidelity', () => {
  it('puts each metric in the level the brief and the golden README give it', () => {
    const by = (f: string) => ORDER.filter((m) => METRIC_FIDELITY[m].fidelity === f).sort();
    assert.deepEqual(by('confirmed'), ['bleu', 'fuzzy_match']);
    // Every other metric is reproduced from the reference implementations.
    const others = ORDER.filter((m) => !['bleu', 'fuzzy_match', 'cosine'].includes(m));
    assert.equal(others.length, 8);
    assert.deepEqual(by('reference-exact'), others.sort());
    assert.deepEqual(by('provider-embeddings'), ['cosine']);
    assert.equal(METRIC_FIDELITY.cosine.rft, false);
  });

  it('the grader schema carries the generated enum descriptions (hover and completion)', () => {
    const text = readFileSync(file, 'utf8');
    const want = metricSchemaEnum(ORDER);
    if (process.env.UPDATE_SCHEMAS) {
      const block = `"evaluation_metric": ${JSON.stringify(want, null, 2).replace(/\n/g, '\n        ')}`;
      assert.match(text, BLOCK, 'cannot find the evaluation_metric block to regenerate');
      writeFileSync(file, text.replace(BLOCK, block));
    }
    const got = metricProperty(JSON.parse(readFileSync(file, 'utf8')));
    assert.deepEqual(
      {
        enum: got.enum,
        markdownEnumDescriptions: got.markdownEnumDescriptions,
        markdownDescription: got.markdownDescription,
      },
      want,
      'schemas/grader.schema.json is stale: regenerate it (see the comment at the top of this test)',
    );
    const cosine = (got.markdownEnumDescriptions as string[])[ORDER.indexOf('cosine')]!;
    assert.match(
      cosine,
      new RegExp(FIDELITY_LABEL['provider-embeddings'].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
    );
    assert.match(cosine, /not allowed in RFT graders/);
    assert.match(
      (got.markdownEnumDescriptions as string[])[ORDER.indexOf('bleu')]!,
      /confirmed against service rewards/,
    );
  });
});
