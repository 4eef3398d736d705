import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../../../../src/core/diagnostics';
import { DATASET_RULES, datasetRulesMarkdown, datasetRuleInfos } from '../../../../src/core/datasets/rules';
import {
  validateDatasetFile,
  validateDatasetText,
  validatePair,
} from '../../../../src/core/datasets/validate';
import { both, brief, comparable, emitted, lines, record, rftExamples, tempFile } from './helpers';

/** The range of `needle` (its n-th occurrence) in `text`, as `start-end`. */
function span(text: string, needle: string, nth = 0): string {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} not in ${text}`);
  return `${at}-${at + needle.length}`;
}

function only(r: { diagnostics: Diagnostic[] }, code: string): Diagnostic[] {
  return r.diagnostics.filter((d) => d.code === code);
}

const user = (content: unknown = 'Hi?') => ({ role: 'user', content });
let sftN = 0;
const sft = (extra: Record<string, unknown> = {}) => ({
  messages: [
    { role: 'system', content: 'Be brief.' },
    user(`Question ${sftN++}`),
    { role: 'assistant', content: 'Hello.' },
  ],
  ...extra,
});
let dpoN = 0;
const dpo = (extra: Record<string, unknown> = {}) => ({
  input: { messages: [user(`Question ${dpoN++}`)] },
  preferred_output: [{ role: 'assistant', content: 'Good.' }],
  non_preferred_output: [{ role: 'assistant', content: 'Bad.' }],
  ...extra,
});

test('a clean RFT file has no diagnostics at all', async () => {
  const r = record(await both(lines(...rftExamples(12))));
  assert.equal(r.format, 'rft');
  assert.equal(r.examples, 12);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.itemFields.target, { present: 12, types: { number: 12 }, firstMissingLines: [] });
});

test('jsonl/invalid-json: the exact column of the syntax error, for several kinds of mistakes', async () => {
  const cases: [string, number, string][] = [
    ['{"messages":[{"role":"user","content":"a"}],"target":1', 53, 'line ends too early'],
    ['{"messages":[{"role":"user","content":"a"}] "target":1}', 44, "expected ','"],
    ['{"messages":[{"role":"user","content":"a"}],"target":1,}', 54, 'trailing comma'],
    ["{'messages':[]}", 1, 'double quotes'],
    ['{"a":1} // note', 8, 'comments are not allowed'],
    ['{"a":tru}', 5, 'invalid value'],
    ['{"a":"x\ty"}', 5, 'control characters'],
    ['{', 0, 'single line'],
  ];
  for (const [line, column, words] of cases) {
    const good = JSON.stringify(rftExamples(1)[0]);
    const r = record(await both(lines(good, line, good)));
    const d = only(r, 'jsonl/invalid-json');
    assert.equal(d.length, 1, line);
    assert.equal(d[0].range.start.line, 1, line);
    assert.equal(d[0].range.start.character, column, `${line}: ${d[0].message}`);
    assert.ok(d[0].range.end.character > d[0].range.start.character, line);
    assert.match(d[0].message, new RegExp(words.replace(/[()']/g, '.')), line);
  }
});

test('positions ignore a BOM and CRLF line ends; a missing final newline is fine', async () => {
  const bad = '{"messages":[{"role":"system","content":"x"},{"role":"user","content":"q"}],"target":1}';
  const text = '\ufeff' + [bad, ...rftExamples(10).map((e) => JSON.stringify(e))].join('\r\n');
  const r = record(await both(text));
  assert.equal(r.hasBom, true);
  assert.equal(r.examples, 11);
  assert.deepEqual(r.diagnostics.map(brief), [`rft/system-role@0:${span(bad, '"system"')}`]);
  assert.equal(r.bytes, Buffer.byteLength(text));
});

test('jsonl/not-object and jsonl/blank-line', async () => {
  const ex = rftExamples(10).map((e) => JSON.stringify(e));
  const r = record(await both([ex[0], '[1,2]', '', '   ', ...ex.slice(1)].join('\n')));
  assert.deepEqual(r.diagnostics.map(brief), [
    'jsonl/not-object@1:0-5',
    'jsonl/blank-line@2:0-0',
    'jsonl/blank-line@3:0-3',
  ]);
});

test('schema errors point at the offending value or object', async () => {
  const l1 = JSON.stringify({ messages: [user(42)], target: 1 });
  const l2 = JSON.stringify({ messages: [], target: 1 });
  const l3 = JSON.stringify({ messages: [{ role: 'tool', content: 'x' }, user()], target: 1 });
  const l4 = JSON.stringify({
    messages: [user()],
    tools: [{ type: 'fn', function: { name: 'bad name' } }],
    target: 1,
  });
  const l5 = JSON.stringify({
    messages: [{ role: 'assistant', content: 'a', weight: 2 }, user()],
    target: 1,
  });
  const l6 = JSON.stringify({ prompt: 'x', target: 1 });
  const r = record(await both(lines(l1, l2, l3, l4, l5, l6, ...rftExamples(5)), { format: 'rft' }));
  const got = r.diagnostics.filter((d) => d.code.startsWith('schema/')).map(brief);
  assert.deepEqual(got, [
    `schema/type@0:${span(l1, '42')}`,
    `schema/min-items@1:${span(l2, '[]')}`,
    `schema/required@2:${span(l3, '{"role":"tool","content":"x"}')}`,
    `schema/const@3:${span(l4, '"fn"')}`,
    `schema/pattern@3:${span(l4, '"bad name"')}`,
    `schema/enum@4:${span(l5, '2')}`,
    `schema/required@5:0-${l6.length}`,
  ]);
  const msg = (code: string) => r.diagnostics.find((d) => d.code === code)!.message;
  assert.match(msg('schema/type'), /messages\[0\]\.content must be a string or an array, not a number/);
  assert.match(msg('schema/min-items'), /messages must not be empty/);
  assert.match(r.diagnostics.find((d) => d.code === 'schema/required')!.message, /"tool_call_id"/);
});

test('schema/max-items, an assistant turn without content, a wrong type deep in a tool', async () => {
  const fns = Array.from({ length: 129 }, (_, i) => ({ name: `f${i}` }));
  const l0 = JSON.stringify({ ...sft(), functions: fns });
  const r = record(
    await both(lines(l0, ...Array.from({ length: 10 }, () => sft({ parallel_tool_calls: true }))), {
      format: 'sft',
    }),
  );
  assert.deepEqual(only(r, 'schema/max-items').map(brief), [
    `schema/max-items@0:${span(l0, JSON.stringify(fns))}`,
  ]);
  const l1 = JSON.stringify({ messages: [{ role: 'assistant' }, user()], target: 1 });
  const r2 = record(await both(lines(l1, ...rftExamples(10))));
  assert.deepEqual(only(r2, 'schema/required').map(brief), [
    `schema/required@0:${span(l1, '{"role":"assistant"}')}`,
  ]);
  assert.match(only(r2, 'schema/required')[0].message, /needs "content" \(or "tool_calls"\)/);
  // A wrong type deep inside a tool definition is pointed at exactly.
  const l2 = JSON.stringify({
    ...sft(),
    functions: [{ name: 'f', parameters: { type: 'object' } }],
    tools: [{ type: 'function', function: { name: 'f', strict: 'yes' } }],
  });
  const r3 = record(await both(lines(l2, ...Array.from({ length: 10 }, () => sft())), { format: 'sft' }));
  assert.deepEqual(only(r3, 'schema/type').map(brief), [`schema/type@0:${span(l2, '"yes"')}`]);
});

test('message/role-not-allowed and rft/system-role', async () => {
  const l0 = JSON.stringify({ messages: [{ role: 'system', content: 'x' }, user()], target: 1 });
  const l1 = JSON.stringify({ messages: [{ role: 'bot', content: 'x' }, user()], target: 1 });
  const r = record(await both(lines(l0, l1, ...rftExamples(10))));
  assert.deepEqual(r.diagnostics.map(brief), [
    `rft/system-role@0:${span(l0, '"system"')}`,
    `message/role-not-allowed@1:${span(l1, '"bot"')}`,
  ]);
  assert.equal(r.diagnostics[0].severity, 'warning');
  assert.match(r.diagnostics[1].message, /use developer, user, assistant, tool/);
  // SFT: developer is not an SFT role.
  const s0 = JSON.stringify({
    messages: [{ role: 'developer', content: 'x' }, user(), { role: 'assistant', content: 'a' }],
  });
  const r2 = record(await both(lines(s0, ...Array.from({ length: 10 }, () => sft())), { format: 'sft' }));
  assert.deepEqual(r2.diagnostics.map(brief), [
    `sft/no-system-message@0:${span(s0, '"messages"')}`,
    `message/role-not-allowed@0:${span(s0, '"developer"')}`,
  ]);
  assert.match(r2.diagnostics[1].message, /use "system"/);
});

test('rft/last-message-not-user marks the last message; an assistant answer offers the SFT → RFT fix', async () => {
  const l0 = JSON.stringify({ messages: [user(), { role: 'assistant', content: 'A' }], target: 1 });
  const l1 = JSON.stringify({ messages: [user(), { role: 'developer', content: 'D' }], target: 1 });
  const r = record(await both(lines(l0, l1, ...rftExamples(10))));
  assert.deepEqual(r.diagnostics.map(brief), [
    `rft/last-message-not-user@0:${span(l0, '{"role":"assistant","content":"A"}')}`,
    `rft/last-message-not-user@1:${span(l1, '{"role":"developer","content":"D"}')}`,
  ]);
  assert.deepEqual(r.diagnostics[0].data, { fix: 'sft-to-rft' });
  assert.equal(r.diagnostics[1].data, undefined);
});

test('message/empty-content, tools/duplicate-name', async () => {
  const tool = (name: string) => ({ type: 'function', function: { name } });
  const l0 = JSON.stringify({
    messages: [{ role: 'developer', content: '  ' }, user()],
    tools: [tool('a'), tool('b'), tool('a')],
    target: 1,
  });
  const l1 = JSON.stringify({
    messages: [
      user(),
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c', type: 'function', function: { name: 'a', arguments: '{}' } }],
      },
      { role: 'tool', content: 'r', tool_call_id: 'c' },
      user([]),
    ],
    target: 1,
  });
  const r = record(await both(lines(l0, l1, ...rftExamples(10))));
  assert.deepEqual(r.diagnostics.map(brief), [
    `message/empty-content@0:${span(l0, '"  "')}`,
    `tools/duplicate-name@0:${span(l0, '"a"', 1)}`,
    `message/empty-content@1:${span(l1, '[]')}`,
  ]);
});

test('rft/no-reference-fields: once per file, as info', async () => {
  const r = record(await both(lines(...Array.from({ length: 10 }, () => ({ messages: [user()] })))));
  // Identical lines are duplicates too; only look at the field rule here.
  assert.deepEqual(only(r, 'rft/no-reference-fields').map(brief), ['rft/no-reference-fields@0:0-0']);
  assert.equal(only(r, 'rft/no-reference-fields')[0].severity, 'info');
});

test('SFT rules: no trainable assistant, unknown keys; weight 0 is pointed at', async () => {
  const l0 = JSON.stringify({ messages: [user(), { role: 'assistant', content: 'a', weight: 0 }] });
  const l1 = JSON.stringify({ messages: [{ role: 'system', content: 's' }, user()] });
  const l2 = JSON.stringify(sft({ answer: 'x' }));
  const r = record(
    await both(
      lines(
        l0,
        l1,
        l2,
        ...Array.from({ length: 8 }, (_, i) => sft({ tools: [], parallel_tool_calls: i % 2 === 0 })),
      ),
      { name: 'train.sft.jsonl' },
    ),
  );
  assert.equal(r.format, 'sft');
  assert.deepEqual(r.diagnostics.map(brief), [
    `sft/no-system-message@0:${span(l0, '"messages"')}`,
    `sft/no-trainable-assistant@0:${span(l0, '"weight":0')}`,
    `sft/no-trainable-assistant@1:${span(l1, '"messages"')}`,
    `sft/unknown-key@2:${span(l2, '"answer"')}`,
  ]);
});

const gsm8k = join(
  __dirname,
  '../../../fixtures/real/microsoft-foundry-fine-tuning/Sample_Datasets/Supervised_Fine_Tuning/Text-GSM8K/chat_train.jsonl',
);
const gsm8kLines = () =>
  readFileSync(gsm8k, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
type ChatLine = { messages: Array<{ role: string; content: string }> };

test('SFT cookbook checks: the published GSM8K chat set has a system and a user message in every example', async () => {
  const r = record(await both(gsm8kLines().slice(0, 60).join('\n') + '\n', { name: 'chat_train.jsonl' }));
  assert.equal(r.format, 'sft');
  assert.deepEqual(
    r.diagnostics.filter((d) => d.code.startsWith('sft/')),
    [],
  );
});

test('SFT cookbook checks: no user message per example; no system message counted once for the file', async () => {
  const rows = gsm8kLines()
    .slice(0, 12)
    .map((l) => JSON.parse(l) as ChatLine);
  // Examples 2, 5 and 9 lost their system prompt; example 7 its question.
  for (const i of [2, 5, 9]) rows[i]!.messages = rows[i]!.messages.filter((m) => m.role !== 'system');
  rows[7]!.messages = rows[7]!.messages.filter((m) => m.role !== 'user');
  const text = lines(...rows);
  const r = record(await both(text, { name: 'train.sft.jsonl' }));
  const noSystem = only(r, 'sft/no-system-message');
  assert.equal(noSystem.length, 1, 'once per file, not per line');
  assert.equal(noSystem[0]!.severity, 'info');
  assert.equal(noSystem[0]!.range.start.line, 2);
  assert.deepEqual(noSystem[0]!.data, { count: 3 });
  assert.match(noSystem[0]!.message, /^3 example\(s\) have no system message/);
  const noUser = only(r, 'sft/no-user-message');
  assert.deepEqual(noUser.map(brief), [`sft/no-user-message@7:${span(text.split('\n')[7]!, '"messages"')}`]);
  assert.equal(noUser[0]!.severity, 'warning');
  // The once-per-file rule is never truncated, whatever the cap.
  const capped = await both(text, { name: 'train.sft.jsonl', maxPerRule: 1 });
  assert.deepEqual(
    capped.diagnostics.filter((d) => d.code === 'dataset/truncated'),
    [],
  );
  assert.deepEqual(only(capped, 'sft/no-system-message')[0]!.data, { count: 3 });
});

test("SFT cookbook checks: examples over the model's training context, default model named", async () => {
  const rows = gsm8kLines()
    .slice(0, 11)
    .map((l) => JSON.parse(l) as ChatLine);
  // One conversation that goes on with the other examples' exchanges (about 5,000 tokens): over
  // gpt-3.5-turbo-0613's 4,096, well under the 65,536 of the default model.
  const long = rows[3]!;
  const others = rows.filter((r) => r !== long);
  for (let k = 0; k < 30; k++)
    long.messages.push(...others[k % others.length]!.messages.filter((m) => m.role !== 'system'));
  const text = lines(...rows);
  const small = record(await both(text, { name: 'train.sft.jsonl', model: 'gpt-3.5-turbo-0613' }));
  const over = only(small, 'sft/too-many-tokens');
  assert.deepEqual(over.map(brief), [`sft/too-many-tokens@3:${span(text.split('\n')[3]!, '"messages"')}`]);
  const tokens = (over[0]!.data as { tokens: number }).tokens;
  assert.ok(tokens > 4096 && tokens < 10_000, String(tokens));
  assert.match(over[0]!.message, /gpt-3\.5-turbo-0613 trains on at most 4,096 per example/);
  // No model chosen: the openai profile's default (65,536 tokens) takes it, and the message would say so.
  assert.deepEqual(only(await both(text, { name: 'train.sft.jsonl' }), 'sft/too-many-tokens'), []);
  const huge = { messages: [...long.messages] };
  while (huge.messages.length < 14 * long.messages.length) huge.messages.push(...long.messages.slice(1));
  const text2 = lines(huge, ...rows.slice(1));
  const def = only(await both(text2, { name: 'train.sft.jsonl', provider: 'azure' }), 'sft/too-many-tokens');
  assert.equal(def.length, 1);
  assert.match(
    def[0]!.message,
    /gpt-4\.1-mini \(no model chosen: the azure profile's default\) trains on at most 65,536 per example/,
  );
  // A model with no known limit falls back to the default and says which.
  const unknown = only(
    validateDatasetText(text2, { fileName: 'train.sft.jsonl', model: 'my-model' }),
    'sft/too-many-tokens',
  );
  assert.match(unknown[0]!.message, /no limit known for "my-model"; used the openai profile's default model/);
});

test('DPO rules: exactly one output message, *_completion names', async () => {
  const l0 = JSON.stringify(
    dpo({
      preferred_output: [
        { role: 'assistant', content: 'a' },
        { role: 'assistant', content: 'b' },
      ],
    }),
  );
  const l1 = JSON.stringify({
    input: { messages: [user()] },
    preferred_completion: [{ role: 'assistant', content: 'a' }],
    non_preferred_output: [{ role: 'assistant', content: 'b' }],
  });
  const l2 = JSON.stringify(dpo({ non_preferred_output: [{ role: 'user', content: 'b' }] }));
  const r = record(await both(lines(l0, l1, l2, ...Array.from({ length: 10 }, () => dpo()))));
  assert.equal(r.format, 'dpo');
  assert.deepEqual(r.diagnostics.map(brief), [
    `dpo/output-count@0:${span(l0, '[{"role":"assistant","content":"a"},{"role":"assistant","content":"b"}]')}`,
    `schema/required@1:0-${l1.length}`,
    `dpo/completion-field-names@1:${span(l1, '"preferred_completion"')}`,
    `schema/const@2:${span(l2, '"user"', 1)}`,
  ]);
  assert.match(
    r.diagnostics.find((d) => d.code === 'schema/required')!.message,
    /Found "preferred_completion"/,
  );
});

test('dataset/empty, dataset/unknown-format, dataset/not-training-data', async () => {
  assert.deepEqual(record(await both('')).diagnostics.map(brief), ['dataset/empty@0:0-0']);
  assert.deepEqual(
    record(await both('\n\n')).diagnostics.map(brief),
    ['jsonl/blank-line@0:0-0', 'jsonl/blank-line@1:0-0', 'dataset/empty@0:0-0'].sort(),
  );
  const unknown = record(await both(lines({ messages: [] }, { messages: 'x' })));
  assert.equal(unknown.format, 'unknown');
  assert.deepEqual(codes(unknown), ['dataset/unknown-format']);
  const evalRows = record(
    await both(lines(...Array.from({ length: 30 }, (_, i) => ({ item: { q: `x${i}`, a: i } }))), {
      name: 'train.rft.jsonl',
    }),
  );
  assert.equal(evalRows.format, 'eval-items');
  assert.deepEqual(
    evalRows.diagnostics.map(brief),
    ['dataset/not-training-data@0:0-0'],
    'explained once, not per line',
  );
  assert.deepEqual(Object.keys(evalRows.itemFields), ['q', 'a']);
  const records = record(await both(lines(...Array.from({ length: 30 }, (_, i) => ({ q: `x${i}` })))));
  assert.equal(records.format, 'records');
  assert.deepEqual(codes(records), ['dataset/not-training-data']);
});

function codes(r: { diagnostics: Diagnostic[] }): string[] {
  return r.diagnostics.map((d) => d.code);
}

test('dataset/too-few-examples (training only), dataset/too-many-examples at the first example over the limit', async () => {
  assert.deepEqual(codes(record(await both(lines(...rftExamples(9))))), ['dataset/too-few-examples']);
  assert.deepEqual(codes(await both(lines(...rftExamples(9)), { name: 'valid.jsonl' })), []);
  const r = record(await both(lines(...rftExamples(1002)), { role: 'validation' }));
  assert.deepEqual(r.diagnostics.map(brief), [
    `dataset/too-many-examples@1000:0-${JSON.stringify(rftExamples(1001)[1000]).length}`,
  ]);
  assert.match(r.diagnostics[0].message, /1,002 examples: a validation file may hold at most 1,000/);
});

test('dataset/file-too-large', async () => {
  // 513 MB of text would be slow to write; the rule reads the byte count, so check it through the file facts.
  const { fileDiagnostics } = await import('../../../../src/core/datasets/aggregate');
  const d = fileDiagnostics(
    {
      format: 'rft',
      formatReason: '',
      forced: false,
      provider: 'openai',
      role: 'training',
      examples: 100,
      firstExcessLine: undefined,
      bytes: 513 * 2 ** 20,
      hasBom: false,
      maxPerRule: 10,
      anyItemField: true,
    },
    () => '',
  );
  record({ diagnostics: d } as never);
  assert.deepEqual(d.map(brief), ['dataset/file-too-large@0:0-0']);
});

test('dataset/duplicate-example points back at the first occurrence', async () => {
  const ex = rftExamples(10).map((e) => JSON.stringify(e));
  const r = record(await both([...ex, ex[3], ` ${ex[3]} `].join('\n')));
  assert.deepEqual(r.diagnostics.map(brief), [
    `dataset/duplicate-example@10:0-${ex[3].length}`,
    `dataset/duplicate-example@11:0-${ex[3].length + 2}`,
  ]);
  assert.match(r.diagnostics[0].message, /duplicates line 4/);
  assert.equal(r.diagnostics[0].related?.[0].range.start.line, 3);
});

test('item-field drift: missing, rare (typo), and type changes, each at the exact spot', async () => {
  const ex = rftExamples(12).map((e) => JSON.stringify(e));
  const missing = JSON.stringify({ messages: [user()] });
  const typo = JSON.stringify({ messages: [user('typo')], targt: 5 });
  const asString = JSON.stringify({ messages: [user('str')], target: '10' });
  const r = record(await both([...ex, missing, typo, asString].join('\n')));
  assert.deepEqual(r.diagnostics.map(brief), [
    `dataset/field-missing@12:0-${missing.length}`,
    `dataset/field-missing@13:0-${typo.length}`,
    `dataset/field-rare@13:${span(typo, '"targt"')}`,
    `dataset/field-type@14:${span(asString, '"10"')}`,
  ]);
  assert.match(r.diagnostics[3].message, /"target" is a string here but a number in 12 of 13 examples/);
  assert.deepEqual(r.diagnostics[3].data, { field: 'target', type: 'string', expected: 'number' });
  assert.deepEqual(r.itemFields.target, {
    present: 13,
    types: { number: 12, string: 1 },
    firstMissingLines: [12, 13],
  });
  assert.deepEqual(r.itemFields.targt, {
    present: 1,
    types: { number: 1 },
    firstMissingLines: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  });
});

test('item fields of eval rows live under "item"', async () => {
  const rows = Array.from({ length: 5 }, (_, i) =>
    JSON.stringify({ item: { id: String(i), label: i === 4 ? 4 : 'x' } }),
  );
  const r = record(await both(rows.join('\n')));
  assert.deepEqual(r.diagnostics.map(brief), [
    'dataset/not-training-data@0:0-0',
    `dataset/field-type@4:${span(rows[4], '4', 1)}`,
  ]);
});

test('dataset/too-many-fields stops field checks on files whose keys are data', async () => {
  const recs = Array.from({ length: 1001 }, (_, i) => ({ [`k${i}`]: i }));
  const r = record(await both(lines(...recs)));
  assert.deepEqual(codes(r).sort(), ['dataset/not-training-data', 'dataset/too-many-fields']);
  assert.deepEqual(r.itemFields, {});
});

test('dataset/truncated: the first N per rule, then one summary', async () => {
  const bad = Array.from({ length: 30 }, (_, i) =>
    JSON.stringify({ messages: [{ role: 'system', content: `s${i}` }, user()], target: i }),
  );
  const r = record(await both(bad.join('\n'), { maxPerRule: 5 }));
  assert.deepEqual(
    r.diagnostics.map((d) => d.code),
    ['dataset/truncated', ...Array(5).fill('rft/system-role')],
  );
  assert.match(
    r.diagnostics[0].message,
    /25 more "rft\/system-role" problem\(s\) not shown \(5 of 30 listed\)/,
  );
  assert.deepEqual(
    r.diagnostics.slice(1).map((d) => d.range.start.line),
    [0, 1, 2, 3, 4],
  );
});

test('azure/missing-bom only for the Azure profile', async () => {
  const text = lines(...rftExamples(10));
  assert.deepEqual(record(await both(text, { provider: 'azure' })).diagnostics.map(brief), [
    'azure/missing-bom@0:0-0',
  ]);
  assert.deepEqual((await both('\ufeff' + text, { provider: 'azure' })).diagnostics, []);
  assert.deepEqual((await both(text, { provider: 'openai' })).diagnostics, []);
});

test('pair/overlap and pair/field-mismatch', async () => {
  const train = await both(lines(...rftExamples(12)));
  const validText = lines(rftExamples(12)[5], { messages: [user('new')], target: 'x', extra: true });
  const valid = await both(validText, { role: 'validation' });
  const d = validatePair(train, valid, { trainingPath: '/data/train.jsonl' });
  record({ diagnostics: d } as never);
  assert.deepEqual(d.map(brief), [
    'pair/overlap@0:0-0',
    'pair/field-mismatch@0:0-0',
    'pair/field-mismatch@0:0-0',
  ]);
  assert.match(d[0].message, /also in the training file train.jsonl \(line 6\)/);
  assert.equal(d[0].related?.[0].path, '/data/train.jsonl');
  assert.match(d[1].message, /"extra" is in the validation file/);
  assert.match(
    d[2].message,
    /"target" is number in the training file but number\/string in the validation file/,
  );
  // The in-memory report carries fingerprints too (the editor pairs open documents).
  const again = validatePair(validateDatasetText(lines(...rftExamples(12))), validateDatasetText(validText));
  assert.deepEqual(
    again.map((x) => x.code),
    d.map((x) => x.code),
  );
});

test('jsonl/invalid-utf8 at the first bad byte and jsonl/duplicate-key at the repeated key, alike on worker threads', async () => {
  const good = rftExamples(10).map((e) => JSON.stringify(e));
  const dup = '{"messages":[{"role":"user","content":"Dup?"}],"answer":1,"answer":2}';
  const bytes = Buffer.concat([
    Buffer.from(`${good.join('\n')}\n{"messages":[{"role":"user","content":"caf`),
    Buffer.from([0xe9, 0x20]), // Latin-1 é: not UTF-8
    Buffer.from(`?"}]}\n${dup}\n`),
  ]);
  const p = tempFile(bytes, 'latin1.jsonl');
  const r = record(await validateDatasetFile(p));
  const lineText = '{"messages":[{"role":"user","content":"caf';
  assert.deepEqual(r.diagnostics.filter((d) => d.code.startsWith('jsonl/')).map(brief), [
    `jsonl/invalid-utf8@10:${lineText.length}-${lineText.length + 1}`,
    `jsonl/duplicate-key@11:${span(dup, '"answer"', 1)}`,
  ]);
  assert.match(only(r, 'jsonl/duplicate-key')[0]!.message, /JSON\.parse keeps the last value/);
  // The worker path (what the CLI uses for large files) reports exactly the same.
  const script = join(__dirname, '../../../../dist/workers/datasetCheck.js');
  const onWorkers = await validateDatasetFile(p, {
    parallel: { script, threads: 2, minBytes: 0 },
    chunkBytes: 64,
  });
  assert.deepEqual(comparable(onWorkers), comparable(r));
  // The editor has text, not bytes: duplicate keys only.
  assert.deepEqual(
    validateDatasetText(bytes.toString('utf8'))
      .diagnostics.filter((d) => d.code.startsWith('jsonl/'))
      .map((d) => d.code),
    ['jsonl/duplicate-key'],
  );
});

test('every rule in the catalogue was exercised above, and the catalogue renders', () => {
  const codes = DATASET_RULES.map((r) => r.code);
  assert.equal(new Set(codes).size, codes.length, 'duplicate rule codes');
  // schema/invalid is the fallback for schema keywords without their own code; the next test proves the
  // dataset schemas use none, so it cannot fire today.
  const missing = codes.filter((c) => !emitted.has(c) && c !== 'schema/invalid');
  assert.deepEqual(missing, [], 'rules no test triggered');
  const unknown = [...emitted].filter((c) => !codes.includes(c as never));
  assert.deepEqual(unknown, [], 'diagnostics with codes that are not in the catalogue');
  const md = datasetRulesMarkdown();
  for (const c of codes) assert.ok(md.includes(`\`${c}\``));
  assert.equal(datasetRuleInfos().length, codes.length);
});

test('every validation keyword the dataset schemas use has its own diagnostic code', () => {
  const handled = new Set([
    'required',
    'type',
    'enum',
    'const',
    'minItems',
    'maxItems',
    'pattern',
    'anyOf',
    'if',
    'then',
    'allOf',
  ]);
  const structural = new Set([
    '$schema',
    '$id',
    '$ref',
    'title',
    'description',
    'properties',
    'items',
    'definitions',
    'additionalProperties',
    'enumDescriptions',
  ]);
  const used = new Set<string>();
  const walk = (node: unknown, inProperties: boolean) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, false));
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node)) {
      if (!inProperties) used.add(k);
      walk(v, !inProperties && (k === 'properties' || k === 'definitions'));
    }
  };
  for (const f of ['rft', 'sft', 'dpo']) {
    walk(
      JSON.parse(readFileSync(join(__dirname, `../../../../schemas/dataset-${f}.schema.json`), 'utf8')),
      false,
    );
  }
  const unhandled = [...used].filter((k) => !handled.has(k) && !structural.has(k));
  assert.deepEqual(unhandled, []);
  assert.ok(used.has('required') && used.has('enum') && used.has('if'));
});
