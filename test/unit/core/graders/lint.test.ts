import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { datasetFieldsFromItems } from '../../../../src/core/graders/datasetFields';
import {
  findShellQuotes,
  lintGraderText,
  responseFormatKeys,
  templatesInDocument,
} from '../../../../src/core/graders/lint';

const root = join(__dirname, '../../../..');
const codes = (text: string, ctx = {}) => lintGraderText(text, ctx).map((d) => d.code);
const j = (o: unknown) => JSON.stringify(o, null, 2);
const at = (text: string, needle: string) => {
  const idx = text.indexOf(needle);
  const before = text.slice(0, idx).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.length };
};

describe('grader lint', () => {
  it('JSON syntax errors with positions; comments are not JSON', () => {
    const d = lintGraderText('{\n  "type": "string_check",\n  "name": "x",,\n}');
    assert.equal(d[0]!.code, 'grader/json-syntax');
    assert.equal(d[0]!.range.start.line, 2);
    assert.ok(
      codes('// hi\n{"type":"python","name":"p","source":"def grade(a, b):\\n  return 1"}').includes(
        'grader/json-syntax',
      ),
    );
    assert.deepEqual(codes(''), ['grader/json-syntax']);
  });

  it('schema errors point at the right node', () => {
    const text = j({
      type: 'string_check',
      name: 'x',
      input: '{{sample.output_text}}',
      reference: 'a',
      operation: 'equals',
      extra: 1,
    });
    const d = lintGraderText(text);
    const op = d.find((x) => x.message.includes('"equals"'))!;
    assert.deepEqual(op.range.start, at(text, '"equals"'));
    const extra = d.find((x) => x.message.includes('unknown property "extra"'))!;
    assert.deepEqual(extra.range.start, at(text, '"extra"'));
    const missing = lintGraderText(j({ type: 'string_check', name: 'x', input: 'a' }));
    assert.ok(missing.some((x) => x.message.includes('missing required property "reference"')));
  });

  it('ne, not neq', () => {
    const d = lintGraderText(
      j({
        type: 'string_check',
        name: 'x',
        input: '{{sample.output_text}}',
        reference: 'a',
        operation: 'neq',
      }),
    );
    assert.deepEqual(
      d.map((x) => x.code),
      ['grader/operation-neq'],
    );
  });

  it('types per context: label_model only inside multi, no nested multi', () => {
    const label = {
      type: 'label_model',
      name: 'l',
      model: 'gpt-4o-2024-08-06',
      input: [{ role: 'user', content: 'x {{sample.output_text}}' }],
      labels: ['a', 'b'],
      passing_labels: ['a'],
    };
    assert.ok(codes(j(label)).includes('grader/type-not-allowed'));
    assert.deepEqual(codes(j(label), { context: 'multi-child' }), []);
    const multi = { type: 'multi', name: 'm', graders: { l: label }, calculate_output: 'l' };
    assert.deepEqual(codes(j(multi)), []);
    const nested = { type: 'multi', name: 'm', graders: { inner: multi }, calculate_output: 'inner' };
    assert.ok(codes(j(nested)).includes('grader/type-not-allowed'));
  });

  it('passing_labels ⊆ labels', () => {
    const text = j({
      type: 'multi',
      name: 'm',
      graders: {
        l: {
          type: 'label_model',
          name: 'l',
          model: 'gpt-4o-2024-08-06',
          input: [{ role: 'user', content: 'x' }],
          labels: ['a', 'b'],
          passing_labels: ['a', 'c'],
        },
      },
      calculate_output: 'l',
    });
    const d = lintGraderText(text).find((x) => x.code === 'grader/passing-labels')!;
    assert.deepEqual(d.range.start, at(text, '"c"'));
  });

  it('formula syntax and variables, with exact ranges inside the string', () => {
    const g = {
      type: 'multi',
      name: 'm',
      graders: {
        exact: {
          type: 'string_check',
          name: 'e',
          input: '{{sample.output_text}}',
          reference: 'a',
          operation: 'eq',
        },
        other: {
          type: 'string_check',
          name: 'precision',
          input: '{{sample.output_text}}',
          reference: 'b',
          operation: 'eq',
        },
      },
      calculate_output: 'exact + precision',
    };
    const text = j(g);
    const d = lintGraderText(text);
    const unknown = d.find((x) => x.code === 'grader/formula-unknown-variable')!;
    assert.deepEqual(unknown.range.start, at(text, 'precision"\n'));
    assert.match(unknown.message, /key of the grader named "precision" is "other"/);
    assert.ok(d.some((x) => x.code === 'grader/formula-unused-grader'));
    const bad = j({ ...g, calculate_output: 'exact ** 2' });
    const fd = lintGraderText(bad).find((x) => x.code === 'grader/formula-syntax')!;
    assert.deepEqual(fd.range.start, at(bad, '** 2'));
  });

  it('python: size limit and a two-argument grade', () => {
    const py = (source: string) => codes(j({ type: 'python', name: 'p', source }));
    assert.deepEqual(py('def grade(sample, item):\n    return 1.0\n'), []);
    assert.deepEqual(
      py('import math\n\ndef grade(sample: dict, item: dict) -> float:\n    return 1.0\n'),
      [],
    );
    assert.deepEqual(py('def grade(sample):\n    return 1.0\n'), ['grader/python-no-grade']);
    assert.deepEqual(py('def grade(a, b, c):\n    return 1.0\n'), ['grader/python-no-grade']);
    assert.deepEqual(py('def score(a, b):\n    return 1.0\n'), ['grader/python-no-grade']);
    assert.deepEqual(py('class X:\n    def grade(self, a):\n        return 1\n'), ['grader/python-no-grade']);
    assert.deepEqual(py('async def grade(a, b):\n    return 1\n'), ['grader/python-no-grade']);
    const big = `def grade(sample, item):\n    return 1.0\n# ${'x'.repeat(256 * 1024)}\n`;
    assert.deepEqual(py(big), ['grader/python-too-large']);
  });

  it('model rules: allow-list, temperature on reasoning models, reasoning_effort on others, range order', () => {
    const base = {
      type: 'score_model',
      name: 's',
      input: [{ role: 'user', content: '{{sample.output_text}}' }],
    };
    assert.deepEqual(codes(j({ ...base, model: 'o4-mini-2025-04-16' })), []);
    assert.deepEqual(codes(j({ ...base, model: 'my-model' })), ['grader/model-not-allowed']);
    assert.deepEqual(codes(j({ ...base, model: 'o3-2025-04-16', sampling_params: { temperature: 0.2 } })), [
      'grader/temperature-reasoning',
    ]);
    assert.deepEqual(
      codes(j({ ...base, model: 'gpt-4.1-2025-04-14', sampling_params: { reasoning_effort: 'low' } })),
      ['grader/reasoning-effort-non-reasoning'],
    );
    assert.deepEqual(codes(j({ ...base, model: 'gpt-4.1-2025-04-14', range: [1, 0] })), ['grader/range']);
  });

  it('cosine is not for RFT; constant checks; like with the sample on the reference side', () => {
    assert.ok(
      codes(
        j({
          type: 'text_similarity',
          name: 't',
          input: '{{sample.output_text}}',
          reference: 'x',
          evaluation_metric: 'cosine',
        }),
      ).includes('grader/cosine-rft'),
    );
    assert.deepEqual(
      codes(j({ type: 'string_check', name: 's', input: 'a', reference: 'b', operation: 'eq' })),
      ['grader/constant-check'],
    );
    // Azure MedMCQ layout: item on the input side, sample on the reference side.
    assert.deepEqual(
      codes(
        j({
          type: 'string_check',
          name: 's',
          input: '{{item.answer}}',
          reference: '{{sample.output_text}}',
          operation: 'like',
        }),
      ),
      ['grader/like-direction'],
    );
    assert.deepEqual(
      codes(
        j({
          type: 'string_check',
          name: 's',
          input: '{{item.answer}}',
          reference: '{{sample.output_text}}',
          operation: 'eq',
        }),
      ),
      [],
    );
  });

  it('templates: bad namespaces and sample variables, with ranges through JSON escapes', () => {
    const text = j({
      type: 'string_check',
      name: 's',
      input: 'say \\"{{ foo.bar }}\\"',
      reference: '{{sample.output}}',
      operation: 'eq',
    });
    const d = lintGraderText(text);
    const ns = d.find((x) => x.code === 'grader/template-syntax')!;
    assert.deepEqual(ns.range.start, at(text, '{{ foo.bar }}'));
    assert.match(ns.message, /only namespaces are item and sample/);
    const sv = d.find((x) => x.code === 'grader/template-sample-var')!;
    assert.deepEqual(sv.range.start, at(text, 'sample.output}}'));
  });

  it('dataset cross-checks: missing on some lines (count and first lines), on all lines, type drift', () => {
    const text = j({
      type: 'string_check',
      name: 's',
      input: '{{sample.output_text}}',
      reference: '{{ item.label }} {{item.extra.deep}} {{item.n}}',
      operation: 'eq',
    });
    const items = [{ label: 'a', n: 1 }, { label: 'b', n: 'one' }, { n: 2 }, { label: 'c', n: 3 }, { n: 4 }];
    const d = lintGraderText(text, { datasetItems: items });
    const missing = d.find((x) => x.code === 'grader/item-missing' && x.message.startsWith('item.label'))!;
    assert.equal(missing.severity, 'warning');
    assert.match(missing.message, /missing on 2 of 5 dataset lines \(first: line 3, 5\)/);
    assert.deepEqual(missing.range.start, at(text, 'item.label'));
    const all = d.find((x) => x.message.startsWith('item.extra.deep'))!;
    assert.equal(all.severity, 'error');
    assert.ok(d.some((x) => x.code === 'grader/item-type-drift' && x.message.startsWith('item.n')));
    const fields = datasetFieldsFromItems(items, { lineNumbers: [10, 11, 12, 13, 14] });
    assert.deepEqual(fields.probe('label').firstMissingLines, [12, 14]);
  });

  it('output_json: error without a response format; keys checked against its schema', () => {
    const text = j({
      type: 'string_check',
      name: 's',
      input: '{{sample.output_json.answer}} {{sample.output_json.items[0].code}}',
      reference: 'x',
      operation: 'eq',
    });
    assert.ok(codes(text, { responseFormat: null }).includes('grader/output-json-no-format'));
    assert.deepEqual(codes(text), []);
    const rf = {
      type: 'json_schema',
      json_schema: {
        name: 'r',
        strict: true,
        schema: {
          type: 'object',
          properties: {
            answer: { type: 'string' },
            items: { type: 'array', items: { $ref: '#/$defs/Item' } },
          },
          required: ['answer', 'items'],
          additionalProperties: false,
          $defs: { Item: { type: 'object', properties: { code: { type: 'string' } } } },
        },
      },
    };
    assert.deepEqual(codes(text, { responseFormat: rf }), []);
    const wrong = text.replace('answer', 'answr');
    const d = lintGraderText(wrong, { responseFormat: rf }).find((x) => x.code === 'grader/output-json-key')!;
    assert.match(d.message, /no sample\.output_json\.answr \(keys there: answer, items\)/);
    assert.deepEqual(
      responseFormatKeys(rf, ['items', 0]).map((k) => k.key),
      ['code'],
    );
  });

  it('templatesInDocument gives document offsets for editor help', () => {
    const text = j({
      type: 'string_check',
      name: 's',
      input: '\\t{{ item.a }}',
      reference: 'x',
      operation: 'eq',
    });
    const t = templatesInDocument(text);
    assert.equal(t.length, 1);
    assert.equal(text.slice(t[0]!.exprStart, t[0]!.exprEnd), 'item.a');
  });

  it('the real fixture graders lint without errors on their own', () => {
    const files = [
      'openai-build-hours/15-reinforcement-fine-tuning/projects/build_hour/graders_saved/level1_f1_multi.json',
      'openai-build-hours/15-reinforcement-fine-tuning/projects/build_hour/graders_saved/level1_f1_python.json',
      'openai-build-hours/15-reinforcement-fine-tuning/projects/toy/graders_saved/sentiment_similarity.json',
      'microsoft-foundry-fine-tuning/Sample_Datasets/Reinforcement_Fine_Tuning/ClauseMatching/multi_grader.json',
      'microsoft-foundry-fine-tuning/Sample_Datasets/Reinforcement_Fine_Tuning/ClauseMatching/model_grader.json',
      'microsoft-foundry-fine-tuning/Sample_Datasets/Reinforcement_Fine_Tuning/MedMCQ/stringcheck_grader.json',
      'microsoft-foundry-fine-tuning/Demos/RFT_Countdown/data/grader_config_aoai.json',
    ];
    for (const f of files) {
      const d = lintGraderText(readFileSync(join(root, 'test/fixtures/real', f), 'utf8'));
      assert.deepEqual(
        d.filter((x) => x.severity === 'error'),
        [],
        f,
      );
    }
  });
});

describe('grader wrapped in shell quotes', () => {
  const fixture = readFileSync(join(root, 'test/fixtures/graders/shell_quoted.grader.json'), 'utf8');

  it('reports one grader/shell-quoted error at the opening quote, pointing at the closing one', () => {
    const d = lintGraderText(fixture, { path: '/w/g.grader.json' });
    assert.deepEqual(
      d.map((x) => x.code),
      ['grader/shell-quoted'],
    );
    const [q] = d;
    assert.equal(q!.severity, 'error');
    assert.deepEqual(q!.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } });
    const close = fixture.trimEnd().length - 1;
    assert.deepEqual(q!.related?.[0]?.range.start, { line: 0, character: close });
    assert.equal(q!.related?.[0]?.path, '/w/g.grader.json');
    assert.match(q!.message, /wrapped in single quotes/);
    assert.match(q!.message, new RegExp(`line 1, column ${close + 1}`));
    assert.deepEqual(findShellQuotes(fixture), { open: 0, close, innerIsJson: true });
  });

  it('still checks the grader inside the quotes (here against a dataset without the field)', () => {
    const d = lintGraderText(fixture, { datasetItems: [{ question: 'q' }], responseFormat: null });
    assert.deepEqual(
      d.map((x) => x.code),
      ['grader/shell-quoted', 'grader/item-missing'],
    );
  });

  it('a BOM, blank lines and CRLF around the quotes; a multi-line grader', () => {
    const text = `\uFEFF\r\n  '{\r\n  "type": "string_check", "name": "n", "input": "{{ sample.output_text }}",\r\n  "reference": "x", "operation": "eq"\r\n}'\r\n\r\n`;
    const d = lintGraderText(text);
    assert.deepEqual(
      d.map((x) => x.code),
      ['grader/shell-quoted'],
    );
    assert.deepEqual(d[0]!.range.start, { line: 1, character: 2 });
    assert.deepEqual(d[0]!.related?.[0]?.range.start, { line: 4, character: 1 });
  });

  it('quotes around text that is not JSON: the problem is named, no unwrap offered, inner errors kept', () => {
    const q = findShellQuotes(`'{"type": "string_check",'\n`);
    assert.equal(q?.innerIsJson, false);
    const d = lintGraderText(`'{"type": "string_check",'\n`);
    assert.equal(d[0]!.code, 'grader/shell-quoted');
    assert.ok(d.slice(1).every((x) => x.code === 'grader/json-syntax'));
    assert.ok(d.length > 1);
  });

  it('not shell quotes: a lone quote, a JSON string, ordinary graders', () => {
    assert.equal(findShellQuotes(`'`), undefined);
    assert.equal(findShellQuotes(`"{}"`), undefined);
    assert.equal(findShellQuotes(`{"name": "it's"}`), undefined);
    assert.ok(!codes(`'{}`).includes('grader/shell-quoted'));
  });
});

describe('one grader, several datasets', () => {
  const grader = j({
    type: 'string_check',
    name: 'label',
    input: '{{ sample.output_text }}',
    reference: '{{ item.label }}',
    operation: 'eq',
  });
  const set = (source: string, items: Array<Record<string, unknown>>) =>
    datasetFieldsFromItems(items, { source });

  it('a field that is a string in one file and a list in the other: both places named', () => {
    const train = set('/d/train.jsonl', [{ label: 'a' }, { label: 'b' }, { label: 'c' }]);
    const valid = set('/d/valid.jsonl', [{ label: 'a' }, { label: ['b', 'c'] }]);
    const d = lintGraderText(grader, { datasets: [train, valid] });
    assert.deepEqual(
      d.map((x) => x.code),
      ['grader/item-type-drift', 'grader/item-type-drift-across'],
    );
    const across = d[1]!;
    assert.equal(
      across.message,
      'item.label is a string in train.jsonl (line 1) but an array in valid.jsonl (line 2): the grader substitutes non-strings as JSON, so the files are graded differently',
    );
    assert.deepEqual(
      across.related?.map((r) => [r.path, r.range.start.line]),
      [
        ['/d/train.jsonl', 0],
        ['/d/valid.jsonl', 1],
      ],
    );
    assert.match(d[0]!.message, /^valid\.jsonl: item\.label has different types/);
    assert.deepEqual(at(grader, 'item.label'), across.range.start);
  });

  it('integers and decimals are one type; the same types in both files are no drift', () => {
    const a = set('/d/a.jsonl', [{ label: 1 }]);
    const b = set('/d/b.jsonl', [{ label: 1.5 }]);
    assert.deepEqual(codes(grader, { datasets: [a, b] }), []);
    const c = set('/d/c.jsonl', [{ label: 'x' }, { label: 2 }]);
    const e = set('/d/e.jsonl', [{ label: 2 }, { label: 'y' }]);
    assert.ok(!codes(grader, { datasets: [c, e] }).includes('grader/item-type-drift-across'));
  });

  it('each file is still checked on its own, its problems prefixed with its name', () => {
    const a = set('/d/a.jsonl', [{ label: 'x' }]);
    const b = set('/d/b.jsonl', [{ other: 'x' }, { label: 'y' }]);
    const d = lintGraderText(grader, { datasets: [a, b] });
    assert.deepEqual(
      d.map((x) => x.code),
      ['grader/item-missing'],
    );
    assert.match(
      d[0]!.message,
      /^b\.jsonl: item\.label is missing on 1 of 2 dataset lines \(first: line 1\)/,
    );
  });
});
