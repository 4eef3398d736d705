// Every statistic on the real fixtures, checked against numbers computed here by a separate, simpler method
// (plain JSON.parse loops, string-set Jaccard) or written by hand for small constructed files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tempFile } from '../../../lib/tempFiles';
import { join } from 'node:path';
import {
  computeDatasetStats,
  computePairStats,
  containsWord,
  histogram,
} from '../../../../src/core/stats/datasetStats';
import { countMessagesTokens } from '../../../../src/core/tokens/tokenizer';
import { DEFAULT_PRICES, estimateCost, resolvePriceTable } from '../../../../src/core/stats/pricing';

const REAL = join(__dirname, '../../../fixtures/real');
const MS = join(REAL, 'microsoft-foundry-fine-tuning');
const GSM8K = join(MS, 'Sample_Datasets/Supervised_Fine_Tuning/Text-GSM8K/chat_validation.jsonl');
const TOOLCALL_SFT = join(
  MS,
  'Sample_Datasets/Supervised_Fine_Tuning/Tool-Calling/stock_toolcall_validation.jsonl',
);
const VALID_TOOL = join(MS, 'Demos/Agentic_RFT_PrivatePreview/RFT_ToolCall/data/valid_tool.jsonl');
const ORCA = join(MS, 'Sample_Datasets/Direct_Preference_Optimization/orca_dpo_pairs/validation.jsonl');
const MEDMCQ = join(MS, 'Sample_Datasets/Reinforcement_Fine_Tuning/MedMCQ/medmcq_validation.jsonl');
const COUNTDOWN_TRAIN = join(MS, 'Demos/RFT_Countdown/data/countdown_train_25.jsonl');
const COUNTDOWN_EVAL = join(MS, 'Demos/RFT_Countdown/data/countdown_eval_100.jsonl');
const LABELS: string[] = JSON.parse(
  readFileSync(join(REAL, 'openai-build-hours/derived/eurovoc_level1_labels.json'), 'utf8'),
);

function file(lines: string[]): string {
  return tempFile(lines.join('\n') + '\n');
}
function rawLines(p: string): string[] {
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}
function parsed(p: string): Record<string, unknown>[] {
  return rawLines(p).map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('formats and role sequences of real SFT, RFT and DPO files', async () => {
  const gsm = await computeDatasetStats(GSM8K);
  const rows = parsed(GSM8K);
  assert.equal(gsm.examples, rows.length);
  assert.equal(gsm.examples, 50);
  assert.deepEqual(gsm.kinds, { sft: 50 });
  assert.equal(gsm.fileFormat.format, 'sft');
  // Role sequences counted by hand-rolled grouping.
  const seqs = new Map<string, number>();
  for (const r of rows) {
    const s = (r.messages as { role: string }[]).map((m) => m.role).join('>');
    seqs.set(s, (seqs.get(s) ?? 0) + 1);
  }
  assert.deepEqual(
    gsm.roleSequences.map((r) => [r.sequence, r.count]),
    [...seqs.entries()].sort((a, b) => b[1] - a[1]),
  );
  assert.deepEqual(gsm.roleSequences[0], { sequence: 'system>user>assistant', count: 50, firstLine: 1 });

  const orca = await computeDatasetStats(ORCA);
  assert.deepEqual(orca.kinds, { dpo: rawLines(ORCA).length });
  assert.equal(orca.fileFormat.format, 'dpo');
  assert.equal(orca.roleSequences[0].sequence, 'system>user>[preferred|non_preferred]');

  const evalItems = await computeDatasetStats(COUNTDOWN_EVAL);
  assert.deepEqual(evalItems.kinds, { 'eval-item': 100 });
  assert.equal(evalItems.fileFormat.format, 'eval-items');
  assert.deepEqual(evalItems.roleSequences, []);
});

test('invalid JSON and blank lines are counted, not fatal', async () => {
  const good = rawLines(COUNTDOWN_TRAIN);
  const p = file([good[0], '', '{"messages": [', good[1], '   ', 'not json']);
  const s = await computeDatasetStats(p);
  assert.equal(s.lines, 6);
  assert.equal(s.examples, 2);
  assert.equal(s.blankLines, 2);
  assert.deepEqual(s.invalidJson, { count: 2, lines: [3, 6] });
  assert.deepEqual(s.kinds, { rft: 2, blank: 2, 'invalid-json': 2 });
});

test('tokens per example: totals, histogram, percentiles and the over-limit list', async () => {
  const rows = parsed(TOOLCALL_SFT);
  const perRow = rows.map((r) => countMessagesTokens(r.messages as unknown[], r.tools));
  const limit = [...perRow].sort((a, b) => a - b)[Math.floor(perRow.length / 2)];
  const s = await computeDatasetStats(TOOLCALL_SFT, { tokenLimit: limit });
  assert.equal(s.tokens.counted, rows.length);
  assert.equal(
    s.tokens.total,
    perRow.reduce((a, b) => a + b, 0),
  );
  assert.equal(s.tokens.min, Math.min(...perRow));
  assert.equal(s.tokens.max, Math.max(...perRow));
  const over = perRow.map((t, i) => (t > limit ? i + 1 : 0)).filter(Boolean);
  assert.deepEqual(s.tokens.overLimit, { count: over.length, lines: over });
  assert.ok(over.length > 0 && over.length < rows.length, 'the median limit splits the file');
  // Histogram: every example in exactly one bin, and bins in order.
  assert.equal(
    s.tokens.histogram.bins.reduce((a, b) => a + b.count, 0),
    rows.length,
  );
  for (const t of perRow) {
    const bin = s.tokens.histogram.bins.find((b) => t >= b.from && t < b.to);
    assert.ok(bin, `no bin for ${t}`);
  }
  // DPO: the prompt counted once with each answer.
  const orca = parsed(ORCA).slice(0, 5);
  const orcaFile = file(orca.map((o) => JSON.stringify(o)));
  const os = await computeDatasetStats(orcaFile);
  const expected = orca.reduce((sum, o) => {
    const input = o.input as { messages: unknown[] };
    return (
      sum +
      countMessagesTokens([...input.messages, ...(o.preferred_output as unknown[])]) +
      countMessagesTokens([...input.messages, ...(o.non_preferred_output as unknown[])])
    );
  }, 0);
  assert.equal(os.tokens.total, expected);
});

test('histogram bins by hand', () => {
  const h = histogram([0, 5, 9, 10, 19, 20, 39], 4);
  assert.equal(h.binWidth, 10);
  assert.deepEqual(
    h.bins.map((b) => b.count),
    [3, 2, 1, 1],
  );
  assert.deepEqual(histogram([], 20).bins, [{ from: 0, to: 1, count: 0 }]);
  // Bins start at the smallest value (rounded down to the bin width), not at 0.
  const narrow = histogram([359, 359, 361, 380], 20);
  assert.equal(narrow.binWidth, 2);
  assert.deepEqual(narrow.bins[0], { from: 358, to: 360, count: 2 });
  assert.equal(narrow.bins.at(-1)!.to, 382);
  assert.equal(
    narrow.bins.reduce((a, b) => a + b.count, 0),
    4,
  );
});

test('item-field inventory: presence and JSON types on the real tool-call RFT file', async () => {
  const rows = parsed(VALID_TOOL);
  const s = await computeDatasetStats(VALID_TOOL);
  const names = new Set(rows.flatMap((r) => Object.keys(r).filter((k) => k !== 'messages' && k !== 'tools')));
  assert.deepEqual(s.fields.map((f) => f.name).sort(), [...names].sort());
  for (const f of s.fields) {
    const having = rows.filter((r) => f.name in r);
    assert.equal(f.present, having.length, f.name);
    assert.equal(f.presencePct, Math.round((having.length / rows.length) * 1000) / 10, f.name);
    const types: Record<string, number> = {};
    for (const r of having) {
      const v = r[f.name];
      const t = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
      types[t] = (types[t] ?? 0) + 1;
    }
    assert.deepEqual(f.types, types, f.name);
  }
  // The {"item": {...}} shape exposes the inner fields, as {{ item.x }} does.
  const ev = await computeDatasetStats(COUNTDOWN_EVAL);
  const inner = new Set(parsed(COUNTDOWN_EVAL).flatMap((r) => Object.keys(r.item as object)));
  assert.deepEqual(ev.fields.map((f) => f.name).sort(), [...inner].sort());
});

test('EuroVoc labels: a multi-label field is counted per label, all 21 labels present', async () => {
  assert.equal(LABELS.length, 21);
  // A small labelled dataset: row i carries 1–3 of the 21 labels, chosen deterministically.
  const lines: string[] = [];
  const expected = new Map<string, number>();
  let elements = 0;
  for (let i = 0; i < 40; i++) {
    const labels = [
      ...new Set([LABELS[i % 21], LABELS[(i * 5 + 2) % 21], LABELS[(i * 11) % 21]].slice(0, 1 + (i % 3))),
    ];
    for (const l of labels) expected.set(l, (expected.get(l) ?? 0) + 1);
    elements += labels.length;
    lines.push(
      JSON.stringify({
        id: String(i),
        messages: [
          { role: 'developer', content: `Classify into: ${LABELS.join(', ')}` },
          { role: 'user', content: `Document number ${i} about regulation ${i * 37}.` },
        ],
        reference_answer: labels,
      }),
    );
  }
  const p = file(lines);
  const s = await computeDatasetStats(p);
  assert.ok(s.distribution);
  assert.equal(s.distribution.field, 'reference_answer', 'the label field is picked without --field');
  assert.equal(s.distribution.auto, true);
  assert.equal(s.distribution.elements, elements);
  assert.equal(s.distribution.rowsWithField, 40);
  assert.equal(s.distribution.arrayRows, 40);
  assert.equal(s.distribution.distinct, 21);
  assert.deepEqual(
    Object.fromEntries(s.distribution.values.map((v) => [v.value, v.count])),
    Object.fromEntries(expected),
  );
  assert.deepEqual(s.distribution.values.map((v) => v.value).sort(), [...LABELS].sort());
  // Sorted by count, then value.
  for (let i = 1; i < s.distribution.values.length; i++) {
    const [a, b] = [s.distribution.values[i - 1], s.distribution.values[i]];
    assert.ok(a.count > b.count || (a.count === b.count && a.value < b.value));
  }
  // The labels named in the developer prompt are not "leaked": only user text counts as the prompt.
  assert.deepEqual(s.leakage.rows, []);
  assert.deepEqual(s.leakage.fieldsChecked, ['reference_answer']);

  // --field with a nested path on the item shape.
  const ev = await computeDatasetStats(COUNTDOWN_EVAL, { field: 'item.target' });
  const targets = new Map<string, number>();
  for (const r of parsed(COUNTDOWN_EVAL)) {
    const t = String((r.item as { target: unknown }).target);
    targets.set(t, (targets.get(t) ?? 0) + 1);
  }
  assert.equal(ev.distribution?.auto, false);
  assert.equal(ev.distribution?.distinct, targets.size);
  assert.deepEqual(
    Object.fromEntries(ev.distribution!.values.map((v) => [v.value, v.count])),
    Object.fromEntries(targets),
  );
});

test('exact duplicates ignore key order and whitespace', async () => {
  const rows = parsed(VALID_TOOL);
  const a = rows[0];
  const reordered = Object.fromEntries(Object.entries(a).reverse());
  const lines = [
    JSON.stringify(a), // 1
    JSON.stringify(rows[1]), // 2
    JSON.stringify(reordered, null, 0).replace(/,"/g, ', "'), // 3 = 1
    JSON.stringify(rows[2]), // 4
    JSON.stringify(rows[1]), // 5 = 2
    JSON.stringify(a), // 6 = 1
  ];
  const s = await computeDatasetStats(file(lines));
  assert.deepEqual(s.exactDuplicates.groups, [
    [1, 3, 6],
    [2, 5],
  ]);
  assert.equal(s.exactDuplicates.extraCopies, 3);
  // Exact copies are not repeated as near duplicates.
  assert.deepEqual(s.nearDuplicates.pairs, []);
  // The real file itself has none.
  assert.deepEqual((await computeDatasetStats(VALID_TOOL)).exactDuplicates, { groups: [], extraCopies: 0 });
});

/** Independent near-duplicate check: word 3-shingles as strings, boilerplate filter, exact Jaccard, all pairs. */
function bruteForceNear(texts: string[], threshold: number): [number, number][] {
  const norm = texts.map((t) =>
    t
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim(),
  );
  const sets = norm.map((t) => {
    const w = t ? t.split(' ') : [];
    const s = new Set<string>();
    if (w.length && w.length < 3) s.add(w.join(' '));
    for (let i = 0; i + 3 <= w.length; i++) s.add(w.slice(i, i + 3).join(' '));
    return s;
  });
  const df = new Map<string, number>();
  for (const s of sets) for (const x of s) df.set(x, (df.get(x) ?? 0) + 1);
  const kept = sets.map(
    (s) => new Set([...s].filter((x) => texts.length < 5 || df.get(x)! <= texts.length / 2)),
  );
  const out: [number, number][] = [];
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      if (norm[i] === norm[j]) {
        out.push([i, j]);
        continue;
      }
      const a = kept[i];
      const b = kept[j];
      if (!a.size || !b.size) continue;
      let inter = 0;
      for (const x of a) if (b.has(x)) inter++;
      if (inter / (a.size + b.size - inter) >= threshold) out.push([i, j]);
    }
  }
  return out;
}

test('near duplicates on real MedMCQ questions agree with a brute-force all-pairs check', async () => {
  const lines = rawLines(MEDMCQ).slice(0, 600);
  const rows = lines.map((l) => JSON.parse(l) as { messages: { content: string }[] });
  const p = file(lines);
  const s = await computeDatasetStats(p);
  const texts = rows.map((r) => r.messages.map((m) => m.content).join('\n'));
  const exactLines = new Set(
    s.exactDuplicates.groups.flatMap((g) => g.flatMap((x, i) => g.slice(i + 1).map((y) => `${x}:${y}`))),
  );
  const expected = bruteForceNear(texts, 0.8)
    .map(([i, j]) => `${i + 1}:${j + 1}`)
    .filter((k) => !exactLines.has(k));
  assert.deepEqual(
    s.nearDuplicates.pairs.map((q) => `${q.a}:${q.b}`),
    expected,
  );
  assert.equal(s.nearDuplicates.compared, 600);
});

test('near duplicates: one changed word in a long question is found, a shared template alone is not', async () => {
  // Every countdown prompt is one long template with different numbers: no near duplicates.
  const countdown = await computeDatasetStats(COUNTDOWN_TRAIN);
  assert.deepEqual(countdown.nearDuplicates.pairs, []);
  assert.equal(countdown.nearDuplicates.compared, 25);

  const rows = rawLines(MEDMCQ)
    .slice(0, 200)
    .map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
  const longIdx = rows.findIndex((r) => r.messages[0].content.split(/\s+/).length >= 40);
  assert.ok(longIdx >= 0);
  const copy = structuredClone(rows[longIdx]);
  const words = copy.messages[0].content.split(' ');
  words[5] = 'zebra';
  copy.messages[0].content = words.join(' ');
  const sample = rows.slice(0, 30);
  if (longIdx >= 30) sample.push(rows[longIdx]);
  const at = longIdx >= 30 ? sample.length : longIdx + 1;
  const s = await computeDatasetStats(file([...sample.map((r) => JSON.stringify(r)), JSON.stringify(copy)]));
  const mine = s.nearDuplicates.pairs.filter((q) => q.b === sample.length + 1);
  assert.deepEqual(
    mine.map((q) => [q.a, q.b]),
    [[at, sample.length + 1]],
  );
  assert.ok(mine[0].similarity >= 0.8 && mine[0].similarity < 1);
});

test('answer leakage: a reference answer copied into the user message is reported', async () => {
  const rows = parsed(VALID_TOOL);
  const leaked = structuredClone(rows[0]) as {
    messages: { role: string; content: string }[];
    reference_answer: string;
  };
  leaked.messages[1].content += ` (the answer is ${leaked.reference_answer})`;
  const glued = structuredClone(rows[1]) as {
    messages: { role: string; content: string }[];
    reference_answer: string;
  };
  glued.messages[1].content += ` X${glued.reference_answer}Y`; // not a whole word: not a leak
  const p = file([JSON.stringify(rows[2]), JSON.stringify(leaked), JSON.stringify(glued)]);
  const s = await computeDatasetStats(p);
  assert.deepEqual(s.leakage.rows, [{ line: 2, field: 'reference_answer', value: leaked.reference_answer }]);
  // Copies of the prompt kept for the grader (reference_user_message) are not answers.
  assert.ok(!s.leakage.fieldsChecked.includes('reference_user_message'));
  assert.equal(containsWord('see JKT-URB-009.', 'JKT-URB-009'), true);
  assert.equal(containsWord('XJKT-URB-009', 'JKT-URB-009'), false);
  assert.equal(containsWord('a+b', '+'), true);
});

test('cost: SFT and DPO priced per token from the dated table, RFT gets a note', async () => {
  const s = await computeDatasetStats(GSM8K, { epochs: 2 });
  assert.equal(s.cost.billedBy, 'tokens');
  assert.equal(s.cost.billedTokens, s.tokens.total * 2);
  assert.equal(s.cost.rows.length, DEFAULT_PRICES.perToken.length);
  for (const [i, p] of DEFAULT_PRICES.perToken.entries()) {
    assert.equal(s.cost.rows[i].model, p.model);
    assert.ok(
      Math.abs(s.cost.rows[i].usd - (s.tokens.total * 2 * p.usdPerMillionTrainingTokens) / 1e6) < 1e-9,
    );
  }
  assert.match(s.cost.note, new RegExp(DEFAULT_PRICES.asOf));
  const r = await computeDatasetStats(COUNTDOWN_TRAIN);
  assert.equal(r.cost.billedBy, 'time');
  assert.deepEqual(r.cost.rows, []);
  assert.match(r.cost.note, /billed by training time/);
  const custom = resolvePriceTable({
    asOf: '2026-11-01',
    perToken: [{ model: 'm', usdPerMillionTrainingTokens: 10 }],
  });
  assert.deepEqual(estimateCost('dpo', 500_000, 1, custom).rows, [{ model: 'm', usd: 5 }]);
  assert.equal(
    resolvePriceTable({ perToken: [{ model: 'bad', usdPerMillionTrainingTokens: 'x' }] }),
    DEFAULT_PRICES,
  );
});

test('training/validation pair: overlap, near duplicates across, labels side by side', async () => {
  const trainRows: string[] = [];
  const validRows: string[] = [];
  const mk = (i: number, labels: string[]) =>
    JSON.stringify({
      messages: [
        {
          role: 'user',
          content: `Regulation ${i} on ${labels.join(' and ')} matters, article ${i * 13}, annex ${i * 7}.`,
        },
      ],
      reference_answer: labels,
    });
  for (let i = 0; i < 12; i++) trainRows.push(mk(i, [LABELS[i % 21], LABELS[(i + 3) % 21]]));
  validRows.push(trainRows[2]); // exact overlap (valid line 1 = train line 3)
  validRows.push(mk(100, [LABELS[20]])); // only in valid: "transport"
  const near = JSON.parse(trainRows[5]) as { messages: { content: string }[] };
  near.messages[0].content = near.messages[0].content.replace('annex', 'Annex —');
  validRows.push(JSON.stringify(near)); // same words after normalization: near duplicate of train line 6
  const s = await computePairStats(file(trainRows), file(validRows));
  assert.deepEqual(s.exactOverlap, { count: 1, pairs: [{ train: 3, valid: 1 }] });
  assert.deepEqual(s.nearAcross, { count: 1, pairs: [{ train: 6, valid: 3, similarity: 1 }] });
  assert.ok(s.labels);
  assert.equal(s.labels.field, 'reference_answer');
  const row = (v: string) => s.labels!.rows.find((r) => r.value === v)!;
  // Train: 24 label elements; LABELS[3] appears for i=3 and i=0 (0+3) → 2 of 24.
  assert.deepEqual(row(LABELS[3]), { value: LABELS[3], train: 2, valid: 0, trainPct: 8.3, validPct: 0 });
  // Valid elements: 2 (line 1) + 1 (line 2) + 2 (line 3) = 5; "transport" once → 20 %.
  assert.deepEqual(row('transport'), { value: 'transport', train: 0, valid: 1, trainPct: 0, validPct: 20 });
  assert.deepEqual(s.labels.onlyInValid, ['transport']);
  assert.equal(s.train.examples, 12);
  assert.equal(s.valid.examples, 3);
});

test('near duplicates: 50 copies of one prompt give 1,225 pairs, the first 1,000 listed with the total, one cluster', async () => {
  const words = (k: number) => Array.from({ length: 40 }, (_, i) => `p${k}x${i}`).join(' ');
  const lines: string[] = [];
  for (let i = 0; i < 60; i++)
    lines.push(JSON.stringify({ messages: [{ role: 'user', content: words(i) }] }));
  for (let i = 0; i < 50; i++)
    lines.push(JSON.stringify({ messages: [{ role: 'user', content: words(1000) }], id: i }));
  const s = await computeDatasetStats(file(lines));
  assert.equal(s.nearDuplicates.total, 1225);
  assert.equal(s.nearDuplicates.pairs.length, 1000);
  assert.deepEqual(s.nearDuplicates.pairs[0], { a: 61, b: 62, similarity: 1 });
  assert.deepEqual(s.nearDuplicates.clusters, [Array.from({ length: 50 }, (_, i) => 61 + i)]);
  assert.equal(s.nearDuplicates.bounded, undefined);
});
