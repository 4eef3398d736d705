import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { GraderEngine, isSyncGrader, stringCheck } from '../../../../src/core/graders/engine';
import { buildSample, sampleParseError } from '../../../../src/core/graders/sample';
import type { Grader, MultiGrader, StringCheckGrader } from '../../../../src/core/graders/types';
import { ERROR_FLAG_NAMES, raisedErrors } from '../../../../src/core/graders/types';

const engine = new GraderEngine({});
const sc = (
  operation: StringCheckGrader['operation'],
  input = '{{sample.output_text}}',
  reference = '{{item.label}}',
): StringCheckGrader => ({
  type: 'string_check',
  name: 'sc',
  input,
  reference,
  operation,
});

describe('grader engine', () => {
  it('string_check eq / ne / like (input contains reference) / ilike', () => {
    const g = (op: StringCheckGrader['operation'], out: string, label: string) =>
      engine.gradeSync(sc(op), { label }, buildSample(out)).reward;
    assert.equal(g('eq', 'Paris', 'Paris'), 1);
    assert.equal(g('eq', 'Paris', 'paris'), 0);
    assert.equal(g('eq', 'Paris ', 'Paris'), 0); // no trimming
    assert.equal(g('ne', 'Paris', 'paris'), 1);
    assert.equal(g('ne', 'Paris', 'Paris'), 0);
    assert.equal(g('like', 'The answer is Paris.', 'Paris'), 1);
    assert.equal(g('like', 'Paris', 'The answer is Paris.'), 0); // direction matters
    assert.equal(g('like', 'the answer is paris', 'Paris'), 0);
    assert.equal(g('like', '100% sure', '0%'), 1); // % is literal
    assert.equal(g('like', 'abc', 'a%c'), 0);
    assert.equal(g('ilike', 'THE ANSWER IS PARIS', 'paris'), 1);
    assert.equal(g('like', 'anything', ''), 1);
  });

  it('property: string_check agrees with the reference semantics', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        assert.equal(stringCheck('eq', a, b), a === b ? 1 : 0);
        assert.equal(stringCheck('ne', a, b), a !== b ? 1 : 0);
        assert.equal(stringCheck('like', a + b + a, b), 1);
        assert.equal(
          stringCheck('ilike', (a + b).toUpperCase(), b.toLowerCase()),
          (a + b).toUpperCase().toLowerCase().includes(b.toLowerCase()) ? 1 : 0,
        );
      }),
    );
  });

  it('a missing variable gives reward 0 with invalid_variable_error and says which', async () => {
    const r = await engine.grade(
      sc('eq', '{{sample.output_json.answer}}'),
      { label: 'x' },
      buildSample('not json'),
    );
    assert.equal(r.reward, 0);
    assert.deepEqual(raisedErrors(r.metadata.errors), ['invalid_variable_error']);
    assert.match(
      String((r.metadata.scores as { messages: string[] }).messages),
      /sample\.output_json\.answer not found/,
    );
  });

  it('result has the graders/run shape with all 14 error keys', async () => {
    const r = await engine.grade(sc('eq'), { label: 'a' }, buildSample('a'));
    assert.deepEqual(Object.keys(r).sort(), [
      'metadata',
      'model_grader_token_usage_per_model',
      'reward',
      'sub_rewards',
    ]);
    assert.deepEqual(Object.keys(r.metadata).sort(), [
      'errors',
      'execution_time',
      'name',
      'sampled_model_name',
      'scores',
      'token_usage',
      'type',
    ]);
    assert.equal(Object.keys(r.metadata.errors).length, 14);
    assert.ok(ERROR_FLAG_NAMES.every((k) => r.metadata.errors[k] === false));
    assert.equal(r.reward, 1);
    assert.ok(r.metadata.execution_time >= 0);
  });

  it('text_similarity goes through the metrics module and names the implementation', async () => {
    const g: Grader = {
      type: 'text_similarity',
      name: 't',
      input: '{{sample.output_text}}',
      reference: '{{item.ref}}',
      evaluation_metric: 'fuzzy_match',
    };
    const r = await engine.grade(g, { ref: 'kitten' }, buildSample('sitting'));
    assert.ok(Math.abs(r.reward - 0.6153846153846154) < 1e-12, String(r.reward));
    assert.match(String((r.metadata.scores as { implementation?: string }).implementation), /rapidfuzz/);
  });

  it('multi: sub_rewards per key, formula over keys, formula_parse_error on a bad formula', async () => {
    const m: MultiGrader = {
      type: 'multi',
      name: 'm',
      graders: { exact: sc('eq'), contains: sc('like') },
      calculate_output: '0.25 * exact + 0.75 * contains',
    };
    const r = await engine.grade(m, { label: 'Paris' }, buildSample('Paris, France'));
    assert.deepEqual(r.sub_rewards, { exact: 0, contains: 1 });
    assert.equal(r.reward, 0.75);
    assert.ok(isSyncGrader(m));
    const bad = await engine.grade(
      { ...m, calculate_output: '0.5 * exact +' },
      { label: 'Paris' },
      buildSample('Paris'),
    );
    assert.equal(bad.reward, 0);
    assert.equal(bad.metadata.errors.formula_parse_error, true);
    const unknown = await engine.grade(
      { ...m, calculate_output: 'exact + nope' },
      { label: 'Paris' },
      buildSample('Paris'),
    );
    assert.equal(unknown.metadata.errors.formula_parse_error, true);
    const div0 = await engine.grade(
      { ...m, calculate_output: 'exact / 0' },
      { label: 'Paris' },
      buildSample('Paris'),
    );
    assert.equal(div0.metadata.errors.formula_parse_error, true);
    assert.equal(div0.reward, 0);
  });

  it('multi: a child missing a variable zeroes the reward and raises the flag, sub_rewards still listed', async () => {
    const m: MultiGrader = {
      type: 'multi',
      name: 'm',
      graders: { a: sc('eq'), b: sc('eq', '{{item.missing}}') },
      calculate_output: '1 + a + b',
    };
    const r = await engine.grade(m, { label: 'x' }, buildSample('x'));
    assert.equal(r.reward, 0);
    assert.equal(r.metadata.errors.invalid_variable_error, true);
    assert.deepEqual(r.sub_rewards, { a: 1, b: 0 });
  });

  it('samples: output_json from JSON text; a response format makes unparseable text a sample_parse_error', async () => {
    const s = buildSample('{"answer": "yes"}');
    assert.deepEqual(s.output_json, { answer: 'yes' });
    assert.equal(buildSample('plain').output_json, undefined);
    const strict = buildSample('plain', { responseFormat: { type: 'json_schema' } });
    assert.match(sampleParseError(strict)!, /not valid JSON/);
    const r = await engine.grade(sc('eq'), { label: 'plain' }, strict);
    assert.equal(r.reward, 0);
    assert.equal(r.metadata.errors.sample_parse_error, true);
    const fromChoices = buildSample({
      choices: [{ message: { content: 'hi', tool_calls: [{ function: { name: 'f' } }] } }],
    });
    assert.equal(fromChoices.output_text, 'hi');
    assert.deepEqual(fromChoices.output_tools, [{ function: { name: 'f' } }]);
    const fromJson = buildSample({ output_json: { a: 1 } });
    assert.equal(fromJson.output_text, '{"a":1}');
  });

  it('endpoint graders are accepted but not run locally', async () => {
    const r = await engine.grade(
      { type: 'endpoint', name: 'e', url: 'https://example.com' },
      {},
      buildSample('x'),
    );
    assert.equal(r.metadata.errors.other_error, true);
    assert.equal(r.reward, 0);
  });

  it('gradeMany keeps order and reports each result', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      item: { label: String(i % 3) },
      sample: buildSample(String(i % 2)),
    }));
    const seen: number[] = [];
    const rs = await engine.gradeMany(sc('eq'), rows, { onResult: (i) => seen.push(i) });
    assert.equal(rs.length, 10_000);
    assert.equal(seen.length, 10_000);
    rs.forEach((r, i) => assert.equal(r.reward, String(i % 3) === String(i % 2) ? 1 : 0));
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(engine.gradeMany(sc('eq'), rows, { signal: ac.signal }));
  });
});
