// Job specs: the demo spec parses and resolves against the real demo files; malformed specs get
// diagnostics at the right place; resolution failures name the file.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { Diagnostic } from '../../../../src/core/diagnostics';
import {
  JobSpecError,
  normaliseResponseFormat,
  parseJobSpec,
  resolveJobSpec,
} from '../../../../src/core/jobs/jobSpec';

const DEMO = path.resolve(__dirname, '../../../../demo');
const DEMO_SPEC = path.join(DEMO, 'jobs/countdown.rftjob.json');
const read = (p: string) => readFile(p, 'utf8');

/** The text a diagnostic's range covers. */
function covered(text: string, d: Diagnostic): string {
  const lines = text.split('\n');
  if (d.range.start.line !== d.range.end.line)
    return lines.slice(d.range.start.line, d.range.end.line + 1).join('\n');
  return lines[d.range.start.line]!.slice(d.range.start.character, d.range.end.character);
}

describe('parseJobSpec', () => {
  test('the demo spec parses without problems', async () => {
    const { spec, diagnostics } = parseJobSpec(await read(DEMO_SPEC));
    assert.deepEqual(diagnostics, []);
    assert.equal(spec?.model, 'o4-mini-2025-04-16');
    assert.equal(spec?.grader, '../graders/countdown.grader.json');
  });

  test('a BOM and CRLF line ends are fine', async () => {
    const text = `\uFEFF${(await read(DEMO_SPEC)).replace(/\n/g, '\r\n')}`;
    const { spec, diagnostics } = parseJobSpec(text);
    assert.deepEqual(diagnostics, []);
    assert.equal(spec?.suffix, 'countdown-demo');
  });

  test('syntax errors point at the offending character', () => {
    const text =
      '{\n  "model": "o4-mini-2025-04-16",\n  "training_file": "a.jsonl"\n  "validation_file": "b.jsonl"\n}';
    const { spec, diagnostics } = parseJobSpec(text);
    assert.equal(spec, undefined);
    assert.equal(diagnostics[0]!.code, 'rftjob/json-syntax');
    assert.equal(diagnostics[0]!.range.start.line, 3);
    assert.match(diagnostics[0]!.message, /CommaExpected/);
    assert.equal(parseJobSpec('').diagnostics[0]!.code, 'rftjob/json-syntax');
    assert.equal(parseJobSpec('[1,').diagnostics[0]!.severity, 'error');
  });

  test('schema problems land on the field: unknown key, bad hyperparameter, missing field, too much metadata', () => {
    const meta = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v']));
    const text = JSON.stringify(
      {
        model: 'o4-mini-2025-04-16',
        training_file: 'train.jsonl',
        grader: { type: 'label_model', name: 'x' },
        hyperparameters: { n_epochs: 0, batch_size: 'auto', reasoning_effort: 'auto', warmup: 3 },
        epochs: 3,
        metadata: meta,
      },
      null,
      2,
    );
    const { spec, diagnostics } = parseJobSpec(text);
    assert.equal(spec, undefined);
    const by = (re: RegExp) => diagnostics.find((d) => re.test(d.message));
    const missing = by(/Missing required field "validation_file"/);
    assert.ok(missing, diagnostics.map((d) => d.message).join('\n'));
    const unknown = by(/Unknown field "epochs"/)!;
    assert.equal(covered(text, unknown), '"epochs"');
    const warmup = by(/Unknown field "warmup" in hyperparameters/)!;
    assert.equal(covered(text, warmup), '"warmup"');
    const epochs = by(/hyperparameters\.n_epochs/)!;
    assert.equal(covered(text, epochs), '0');
    const effort = by(/reasoning_effort must be one of/)!;
    assert.equal(covered(text, effort), '"auto"');
    const grader = diagnostics.filter((d) => d.message.startsWith('grader'));
    assert.deepEqual(
      grader.map((d) => d.message),
      ['grader.type must be one of "string_check", "text_similarity", "python", "score_model", "multi".'],
      'the label_model type is flagged once, on the type',
    );
    assert.equal(covered(text, grader[0]!), '"label_model"');
    assert.ok(by(/metadata has too many entries/));
    assert.ok(diagnostics.every((d) => d.code === 'rftjob/schema' && d.severity === 'error'));
  });

  test('notes for an undocumented model and a non-JSONL dataset, without blocking', () => {
    const { spec, diagnostics } = parseJobSpec(
      JSON.stringify({
        model: 'gpt-4o',
        training_file: 'train.csv',
        validation_file: 'v.jsonl',
        grader: 'g.json',
      }),
    );
    assert.ok(spec);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity]).sort(), [
      ['rftjob/not-jsonl', 'warning'],
      ['rftjob/unknown-model', 'info'],
    ]);
  });
});

describe('resolveJobSpec', () => {
  test('the demo spec resolves to absolute paths and loaded grader and response format', async () => {
    const { spec } = parseJobSpec(await read(DEMO_SPEC));
    const r = await resolveJobSpec(spec!, DEMO_SPEC, read);
    assert.equal(r.trainingFile, path.join(DEMO, 'datasets/rft/countdown_train.jsonl'));
    assert.equal(r.validationFile, path.join(DEMO, 'datasets/rft/countdown_valid.jsonl'));
    assert.equal(r.graderPath, path.join(DEMO, 'graders/countdown.grader.json'));
    const graderOnDisk = JSON.parse(await read(r.graderPath!)) as Record<string, unknown>;
    assert.deepEqual(r.grader, graderOnDisk);
    assert.equal((r.responseFormat!.json_schema as { name: string }).name, 'math_expression');
    assert.deepEqual(r.metadata, { project: 'rft-studio-demo', task: 'countdown' });
    assert.equal(r.hyperparameters.n_epochs, 3);
  });

  test('inline grader and bare-schema response format', async () => {
    const grader = {
      type: 'string_check',
      name: 'g',
      input: '{{sample.output_text}}',
      reference: '{{item.a}}',
      operation: 'eq',
    };
    const files: Record<string, string> = {
      '/w/specs/schema.json': JSON.stringify({ type: 'object', properties: { a: { type: 'string' } } }),
    };
    const r = await resolveJobSpec(
      {
        model: 'o4-mini',
        training_file: '../data/t.jsonl',
        validation_file: '/abs/v.jsonl',
        grader,
        response_format: 'schema.json',
      },
      '/w/specs/job.rftjob.json',
      async (p) => {
        if (p in files) return files[p]!;
        throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      },
    );
    assert.equal(r.trainingFile, '/w/data/t.jsonl');
    assert.equal(r.validationFile, '/abs/v.jsonl');
    assert.deepEqual(r.grader, grader);
    assert.deepEqual(r.responseFormat, {
      type: 'json_schema',
      json_schema: {
        name: 'schema',
        strict: true,
        schema: { type: 'object', properties: { a: { type: 'string' } } },
      },
    });
    assert.deepEqual(normaliseResponseFormat({ name: 'n', schema: {} }, 'x'), {
      type: 'json_schema',
      json_schema: { name: 'n', schema: {} },
    });
  });

  test('a missing or malformed grader file is a JobSpecError naming the file', async () => {
    const base = { model: 'o4-mini', training_file: 't.jsonl', validation_file: 'v.jsonl' };
    const missing = await resolveJobSpec(
      { ...base, grader: 'nope.grader.json' },
      '/w/job.rftjob.json',
      async () => {
        throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
      },
    ).catch((e: unknown) => e);
    assert.ok(missing instanceof JobSpecError);
    assert.equal(missing.field, 'grader');
    assert.match(missing.message, /The grader file \/w\/nope\.grader\.json does not exist/);
    const malformed = await resolveJobSpec(
      { ...base, grader: 'g.json' },
      '/w/job.rftjob.json',
      async () => '{"type": ',
    ).catch((e: unknown) => e);
    assert.ok(malformed instanceof JobSpecError);
    assert.match(malformed.message, /is not valid JSON/);
    const notObject = await resolveJobSpec(
      { ...base, grader: 'g.json' },
      '/w/job.rftjob.json',
      async () => '[1]',
    ).catch((e: unknown) => e);
    assert.match((notObject as Error).message, /must hold a JSON object/);
    await assert.rejects(resolveJobSpec({ ...base, grader: 42 }, '/w/j.rftjob.json', read), JobSpecError);
  });
});
