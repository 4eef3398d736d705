import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFileFormat, detectLineKind, formatFromFileName } from '../../../../src/core/datasets/format';
import { inferRole } from '../../../../src/core/datasets/options';

test('line kinds follow the reference heuristic (§1.5) plus eval rows and records', () => {
  const u = { role: 'user', content: 'q' };
  const a = { role: 'assistant', content: 'a' };
  assert.equal(detectLineKind({ input: {}, preferred_output: [] }), 'dpo');
  assert.equal(detectLineKind({ input: {}, preferred_completion: [] }), 'dpo');
  assert.equal(detectLineKind({ messages: [u, a] }), 'sft');
  assert.equal(detectLineKind({ messages: [u] }), 'rft');
  assert.equal(detectLineKind({ messages: [u, { role: 'tool', content: 'r', tool_call_id: 'x' }] }), 'rft');
  assert.equal(detectLineKind({ messages: [u, a, { role: 'system', content: 's' }] }), 'sft');
  assert.equal(detectLineKind({ messages: [] }), 'unknown');
  assert.equal(detectLineKind({ messages: [{ role: 42 }] }), 'unknown');
  assert.equal(detectLineKind({ item: { a: 1 } }), 'eval-item');
  assert.equal(detectLineKind({ item: 'x' }), 'bare-record');
  assert.equal(detectLineKind({ item: { a: 1 }, other: 1 }), 'bare-record');
  assert.equal(detectLineKind({ q: 1 }), 'bare-record');
  assert.equal(detectLineKind([1]), 'unknown');
  assert.equal(detectLineKind(null), 'unknown');
});

test('file format: forced, then file name, then the majority of the content', () => {
  assert.equal(detectFileFormat(['sft', 'sft'], { forced: 'rft' }).format, 'rft');
  assert.equal(
    detectFileFormat(['sft', 'sft'], { forced: 'auto', fileName: '/x/train.rft.jsonl' }).format,
    'rft',
  );
  assert.equal(detectFileFormat(['sft', 'rft', 'sft']).format, 'sft');
  assert.equal(detectFileFormat(['sft', 'rft']).format, 'rft', 'ties go to RFT');
  assert.equal(detectFileFormat(['dpo', 'dpo', 'sft']).format, 'dpo');
  assert.equal(
    detectFileFormat(['eval-item', 'eval-item'], { fileName: 'rft/train.jsonl' }).format,
    'eval-items',
    'content without training lines wins over the name',
  );
  assert.equal(detectFileFormat(['bare-record']).format, 'records');
  assert.equal(detectFileFormat([]).format, 'unknown');
  assert.equal(detectFileFormat(['unknown', 'unknown']).format, 'unknown');
  assert.match(detectFileFormat(['rft', 'rft', 'sft']).reason, /2 of 3 examples/);
});

test('file-name patterns', () => {
  assert.equal(formatFromFileName('data/train.sft.jsonl')?.format, 'sft');
  assert.equal(formatFromFileName('C:\\d\\dpo_pairs.jsonl')?.format, 'dpo');
  assert.equal(formatFromFileName('/w/datasets/rft/countdown.jsonl')?.format, 'rft');
  assert.equal(formatFromFileName('/w/RFT_Countdown/data/x.jsonl'), undefined);
  assert.equal(formatFromFileName('/w/craft.jsonl'), undefined);
  assert.equal(formatFromFileName('/w/shift_train.jsonl'), undefined);
});

test('roles from file names', () => {
  for (const n of [
    'valid.jsonl',
    'x_val.jsonl',
    'rft_test.jsonl',
    'countdown_valid_15.jsonl',
    'chat_validation.jsonl',
    'a-eval.jsonl',
    'dev.jsonl',
  ])
    assert.equal(inferRole(n), 'validation', n);
  for (const n of ['train.jsonl', 'interval.jsonl', 'latest.jsonl', 'devices.jsonl', 'evaluate_me.jsonl'])
    assert.equal(inferRole(n), 'training', n);
  assert.equal(inferRole(undefined), 'training');
});
