// Which job spec names a grader file, and what it says the grader will grade.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { graderJobContext } from '../../../../src/core/graders/jobContext';

const spec = (o: unknown) => JSON.stringify(o, null, 2);
const dir = join('/', 'w', 'jobs');

describe('grader job context', () => {
  it('a spec naming the grader (relative to the spec): both datasets, response format file', () => {
    const c = graderJobContext(
      spec({
        model: 'o4-mini-2025-04-16',
        training_file: '../data/train.jsonl',
        validation_file: '../data/valid.jsonl',
        grader: '../graders/g.grader.json',
        response_format: 'rf.json',
      }),
      join(dir, 'a.rftjob.json'),
      join('/', 'w', 'graders', 'g.grader.json'),
    );
    assert.deepEqual(c, {
      specPath: join(dir, 'a.rftjob.json'),
      datasets: [join('/', 'w', 'data', 'train.jsonl'), join('/', 'w', 'data', 'valid.jsonl')],
      responseFormat: { file: join(dir, 'rf.json') },
    });
  });

  it('inline response format, none, or a spec being edited (trailing comma, one dataset)', () => {
    const g = join(dir, 'g.grader.json');
    const inline = { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object' } } };
    assert.deepEqual(
      graderJobContext(
        spec({ training_file: 't.jsonl', grader: 'g.grader.json', response_format: inline }),
        join(dir, 's.rftjob.json'),
        g,
      )?.responseFormat,
      { inline },
    );
    const editing = '{"training_file": "t.jsonl", "grader": "./g.grader.json",}';
    assert.deepEqual(graderJobContext(editing, join(dir, 's.rftjob.json'), g), {
      specPath: join(dir, 's.rftjob.json'),
      datasets: [join(dir, 't.jsonl')],
      responseFormat: null,
    });
  });

  it('not this grader: another file, an inline grader, not JSON', () => {
    const g = join(dir, 'g.grader.json');
    const s = join(dir, 's.rftjob.json');
    assert.equal(graderJobContext(spec({ grader: 'other.grader.json' }), s, g), undefined);
    assert.equal(graderJobContext(spec({ grader: { type: 'string_check' } }), s, g), undefined);
    assert.equal(graderJobContext('not json', s, g), undefined);
    assert.equal(graderJobContext('[]', s, g), undefined);
  });
});
