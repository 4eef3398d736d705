// Every real JSONL file in test/fixtures/real and every demo dataset, validated with the format it
// really has. The CLI's streaming validator and the editor's in-memory model must agree on each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DatasetDocumentModel } from '../../../../src/core/datasets/documentModel';
import { validateDatasetFile, validateDatasetText } from '../../../../src/core/datasets/validate';
import { brief, comparable } from './helpers';

const root = join(__dirname, '../../../..');
const walk = (d: string): string[] =>
  readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.jsonl') ? [p] : [];
  });
const real = walk(join(root, 'test/fixtures/real')).map((p) => relative(join(root, 'test/fixtures/real'), p));

const MS = 'microsoft-foundry-fine-tuning/';
const BH = 'openai-build-hours/';
/** What each real file is, and the diagnostics it really has (codes, sorted) — empty means clean. */
const EXPECTED: Record<string, { format: string; examples: number; diagnostics: string[] }> = {
  [`${MS}Demos/Agentic_RFT_PrivatePreview/RFT_EndpointGrader/data/countdown_eval_25.jsonl`]: {
    format: 'eval-items',
    examples: 25,
    diagnostics: ['dataset/not-training-data'],
  },
  [`${MS}Demos/Agentic_RFT_PrivatePreview/RFT_EndpointGrader/data/countdown_train_25.jsonl`]: {
    format: 'rft',
    examples: 25,
    diagnostics: [],
  },
  [`${MS}Demos/Agentic_RFT_PrivatePreview/RFT_EndpointGrader/data/countdown_valid_10.jsonl`]: {
    format: 'rft',
    examples: 10,
    diagnostics: [],
  },
  [`${MS}Demos/Agentic_RFT_PrivatePreview/RFT_ToolCall/data/train_tool.jsonl`]: {
    format: 'rft',
    examples: 10,
    diagnostics: [],
  },
  [`${MS}Demos/Agentic_RFT_PrivatePreview/RFT_ToolCall/data/valid_tool.jsonl`]: {
    format: 'rft',
    examples: 10,
    diagnostics: [],
  },
  [`${MS}Demos/RFT_Countdown/data/countdown_eval_100.jsonl`]: {
    format: 'eval-items',
    examples: 100,
    diagnostics: ['dataset/not-training-data'],
  },
  [`${MS}Demos/RFT_Countdown/data/countdown_train_100.jsonl`]: {
    format: 'rft',
    examples: 100,
    diagnostics: [],
  },
  [`${MS}Demos/RFT_Countdown/data/countdown_train_25.jsonl`]: {
    format: 'rft',
    examples: 25,
    diagnostics: [],
  },
  // Raw puzzles before they were turned into prompts: records, explained once.
  [`${MS}Demos/RFT_Countdown/data/countdown_train_raw.jsonl`]: {
    format: 'records',
    examples: 245,
    diagnostics: ['dataset/not-training-data'],
  },
  [`${MS}Demos/RFT_Countdown/data/countdown_valid_15.jsonl`]: {
    format: 'rft',
    examples: 15,
    diagnostics: [],
  },
  [`${MS}Demos/RFT_Countdown/data/countdown_valid_50.jsonl`]: {
    format: 'rft',
    examples: 50,
    diagnostics: [],
  },
  [`${MS}Demos/RFT_Countdown/data/countdown_valid_raw.jsonl`]: {
    format: 'records',
    examples: 256,
    diagnostics: ['dataset/not-training-data'],
  },
  [`${MS}Demos/ZavaRetailAgent/data/rft_test.jsonl`]: { format: 'rft', examples: 10, diagnostics: [] },
  [`${MS}Demos/ZavaRetailAgent/data/rft_test_fixed.jsonl`]: { format: 'rft', examples: 10, diagnostics: [] },
  [`${MS}Demos/ZavaRetailAgent/data/rft_train.jsonl`]: { format: 'rft', examples: 10, diagnostics: [] },
  [`${MS}Sample_Datasets/Direct_Preference_Optimization/orca_dpo_pairs/validation.jsonl`]: {
    format: 'dpo',
    examples: 284,
    diagnostics: [],
  },
  [`${MS}Sample_Datasets/Reinforcement_Fine_Tuning/ClauseMatching/clause_matching_validation.jsonl`]: {
    format: 'rft',
    examples: 40,
    diagnostics: [],
  },
  // The surprise: Microsoft's MedMCQ "validation" file has 6,150 examples (the OpenAI limit for a validation
  // file is 1,000), and no reference fields at all — a grader can only look at the model output.
  [`${MS}Sample_Datasets/Reinforcement_Fine_Tuning/MedMCQ/medmcq_validation.jsonl`]: {
    format: 'rft',
    examples: 6150,
    diagnostics: ['dataset/too-many-examples', 'rft/no-reference-fields'],
  },
  [`${MS}Sample_Datasets/Supervised_Fine_Tuning/Text-GSM8K/chat_train.jsonl`]: {
    format: 'sft',
    examples: 449,
    diagnostics: [],
  },
  [`${MS}Sample_Datasets/Supervised_Fine_Tuning/Text-GSM8K/chat_validation.jsonl`]: {
    format: 'sft',
    examples: 50,
    diagnostics: [],
  },
  [`${MS}Sample_Datasets/Supervised_Fine_Tuning/Tool-Calling/stock_toolcall_training.jsonl`]: {
    format: 'sft',
    examples: 86,
    diagnostics: [],
  },
  [`${MS}Sample_Datasets/Supervised_Fine_Tuning/Tool-Calling/stock_toolcall_validation.jsonl`]: {
    format: 'sft',
    examples: 10,
    diagnostics: [],
  },
  // Source files with CWE labels: records, not training data.
  [`${BH}05-4o_fine_tuning/static-vuln-fixes-eval.jsonl`]: {
    format: 'records',
    examples: 113,
    diagnostics: ['dataset/not-training-data'],
  },
  [`${BH}05-4o_fine_tuning/synth-vuln-fixes-train-coft-commments-0822.jsonl`]: {
    format: 'sft',
    examples: 201,
    diagnostics: [],
  },
  [`${BH}05-4o_fine_tuning/synth-vuln-fixes-train.jsonl`]: { format: 'sft', examples: 201, diagnostics: [] },
  // The Build Hour's toy RFT "train" and "val" files are {"item": …} eval rows, not RFT lines.
  [`${BH}15-reinforcement-fine-tuning/projects/toy/data/toy_train.jsonl`]: {
    format: 'eval-items',
    examples: 2,
    diagnostics: ['dataset/not-training-data'],
  },
  [`${BH}15-reinforcement-fine-tuning/projects/toy/data/toy_val.jsonl`]: {
    format: 'eval-items',
    examples: 2,
    diagnostics: ['dataset/not-training-data'],
  },
};

test('the expectation table lists exactly the real JSONL fixtures', () => {
  assert.deepEqual(Object.keys(EXPECTED).sort(), [...real].sort());
});

for (const rel of real) {
  test(`real fixture ${rel}`, async () => {
    const p = join(root, 'test/fixtures/real', rel);
    const r = await validateDatasetFile(p);
    const want = EXPECTED[rel];
    assert.equal(r.format, want.format, r.formatReason);
    assert.equal(r.examples, want.examples);
    assert.deepEqual(r.diagnostics.map((d) => d.code).sort(), want.diagnostics);
    assert.equal(r.bytes, statSync(p).size);
    const mem = validateDatasetText(readFileSync(p, 'utf8'), { fileName: p });
    assert.deepEqual(comparable(mem), comparable(r), 'the editor and the CLI disagree');
  });
}

test('MedMCQ: the too-many-examples error sits on the 1,001st example', async () => {
  const r = await validateDatasetFile(
    join(
      root,
      'test/fixtures/real',
      `${MS}Sample_Datasets/Reinforcement_Fine_Tuning/MedMCQ/medmcq_validation.jsonl`,
    ),
  );
  const d = r.diagnostics.find((x) => x.code === 'dataset/too-many-examples')!;
  assert.equal(d.range.start.line, 1000);
  assert.equal(d.severity, 'error');
  // As a training file it is fine on size (and still has no reference fields).
  const asTraining = await validateDatasetFile(
    join(
      root,
      'test/fixtures/real',
      `${MS}Sample_Datasets/Reinforcement_Fine_Tuning/MedMCQ/medmcq_validation.jsonl`,
    ),
    { role: 'training' },
  );
  assert.deepEqual(
    asTraining.diagnostics.map((x) => x.code),
    ['rft/no-reference-fields'],
  );
});

test('RFT fixtures expose their item fields for graders', async () => {
  const r = await validateDatasetFile(
    join(
      root,
      'test/fixtures/real',
      `${MS}Sample_Datasets/Reinforcement_Fine_Tuning/ClauseMatching/clause_matching_validation.jsonl`,
    ),
  );
  assert.deepEqual(Object.keys(r.itemFields).sort(), ['clause_type', 'extracted_text']);
  assert.equal(r.itemFields.clause_type.present, 40);
  // The raw countdown records keep their numbers as strings ("[67, 79, 39, 56]").
  const raw = await validateDatasetFile(
    join(root, 'test/fixtures/real', `${MS}Demos/RFT_Countdown/data/countdown_train_raw.jsonl`),
  );
  assert.deepEqual(raw.itemFields.nums.types, { string: 245 });
});

test('forcing the wrong format turns a real SFT file into RFT errors at every last message', async () => {
  const p = join(
    root,
    'test/fixtures/real',
    `${MS}Sample_Datasets/Supervised_Fine_Tuning/Text-GSM8K/chat_validation.jsonl`,
  );
  const r = await validateDatasetFile(p, { format: 'rft' });
  const last = r.diagnostics.filter((d) => d.code === 'rft/last-message-not-user');
  assert.equal(last.length, 50);
  assert.equal(r.diagnostics.filter((d) => d.code === 'rft/system-role').length, 50);
});

const demo = walk(join(root, 'demo/datasets'));
test('demo datasets: every file, editor and CLI agree', async () => {
  assert.ok(demo.length >= 7);
  for (const p of demo) {
    const r = await validateDatasetFile(p);
    const mem = validateDatasetText(readFileSync(p, 'utf8'), { fileName: p });
    assert.deepEqual(comparable(mem), comparable(r), p);
    // The live editor model (positions counting a BOM in the text, fed the document's lines) agrees too.
    const model = new DatasetDocumentModel({ fileName: p, bomInTextShifts: true });
    model.setText(readFileSync(p, 'utf8'));
    assert.deepEqual(model.report().diagnostics, r.diagnostics, p);
    if (!p.endsWith('broken_example.jsonl'))
      assert.equal(r.diagnostics.filter((d) => d.severity === 'error').length, 0, p);
  }
});

test('demo broken_example.jsonl: every problem at its exact range', async () => {
  const p = join(root, 'demo/datasets/rft/broken_example.jsonl');
  const r = await validateDatasetFile(p);
  assert.equal(r.format, 'rft');
  assert.deepEqual(r.diagnostics.map(brief), [
    'dataset/too-few-examples@0:0-0',
    'rft/system-role@0:21-29',
    'rft/last-message-not-user@1:61-103',
    'jsonl/invalid-json@2:75-76',
    'dataset/field-missing@3:0-56',
    'message/empty-content@3:38-40',
    'dataset/field-rare@3:43-49',
  ]);
});
