// Eval gates (src/core/evals/gates.ts) against a hand-made report: each kind passes and fails at its boundary, and
// a failure names the gate and says by how much.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateGates, gateName } from '../../../src/core/evals/gates';
import type { EvalCandidateSummary, EvalGate, EvalPairComparison } from '../../../src/core/evals/types';

const cand = (
  label: string,
  mean: number,
  pass_rate: number,
  samples = 100,
  errors = 0,
): EvalCandidateSummary => ({
  label,
  model: `model-${label}`,
  mean,
  ci: [mean - 0.1, mean + 0.1],
  samples,
  errors,
  pass_rate,
  graders: {},
});

const report = {
  candidates: [cand('base', 0.4, 0.35, 100, 1), cand('tuned', 0.62, 0.7, 100, 5)],
  comparisons: [
    {
      a: 'tuned',
      b: 'base',
      difference: 0.22,
      ci: [0.1, 0.3],
      p_value: 0.003,
      sign_test_p_value: 0.01,
      wins: 30,
      ties: 10,
      losses: 10,
      items: 50,
    } satisfies EvalPairComparison,
  ],
};

const one = (gate: EvalGate) => evaluateGates([gate], report)[0];

describe('eval gates', () => {
  test('candidate mean min/max and pass rate: pass at the boundary, fail below it with the shortfall', () => {
    assert.equal(one({ candidate: 'tuned', mean: { min: 0.62 } }).passed, true);
    const low = one({ candidate: 'tuned', mean: { min: 0.7 } });
    assert.equal(low.passed, false);
    assert.equal(low.name, 'tuned: mean ≥ 0.7');
    assert.equal(low.message, 'mean of tuned 0.62 < 0.7 (short by 0.08)');
    const high = one({ candidate: 'base', mean: { max: 0.3 } });
    assert.equal(high.passed, false);
    assert.match(high.message, /mean of base 0\.4 > 0\.3 \(over by 0\.1\)/);
    const pr = one({ candidate: 'tuned', pass_rate: { min: 0.75 } });
    assert.equal(pr.passed, false);
    assert.match(pr.message, /pass rate of tuned 70% < 75% \(short by 5%\)/);
    assert.equal(
      one({ candidate: 'tuned', pass_rate: { min: 0.7 }, mean: { min: 0.6, max: 0.7 } }).passed,
      true,
    );
  });

  test('a gate on an unknown candidate fails and says so', () => {
    const r = one({ candidate: 'tunde', mean: { min: 0.1 } });
    assert.equal(r.passed, false);
    assert.match(r.message, /no candidate labelled "tunde"/);
    assert.equal(one({ compare: ['tuned', 'nope'], difference: { min: 0 } }).passed, false);
    assert.equal(one({ max_error_rate: 0.5, candidate: 'nope' }).passed, false);
  });

  test('difference min and significance', () => {
    assert.equal(
      one({ compare: ['tuned', 'base'], difference: { min: 0.05 }, significance: 0.05 }).passed,
      true,
    );
    const short = one({ compare: ['tuned', 'base'], difference: { min: 0.3 } });
    assert.equal(short.passed, false);
    assert.match(short.message, /difference tuned − base 0\.22 < 0\.3 \(short by 0\.08\)/);
    const notSig = one({ name: 'tuned beats base', compare: ['tuned', 'base'], significance: 0.001 });
    assert.equal(notSig.passed, false);
    assert.equal(notSig.name, 'tuned beats base');
    assert.match(notSig.message, /p 0\.003 > 0\.001/);
    // The pair the other way round is not in the report: the gate says so instead of guessing a sign.
    assert.match(
      one({ compare: ['base', 'tuned'], significance: 0.05 }).message,
      /no comparison of "base" with "tuned"/,
    );
  });

  test('significance alone requires the difference to favour the first candidate', () => {
    const worse = evaluateGates([{ compare: ['tuned', 'base'], significance: 0.05 }], {
      ...report,
      comparisons: [{ ...report.comparisons[0], difference: -0.22 }],
    })[0];
    assert.equal(worse.passed, false);
    assert.match(worse.message, /does not favour tuned/);
  });

  test('max error rate, for one candidate or all', () => {
    assert.equal(one({ max_error_rate: 0.05, candidate: 'tuned' }).passed, true);
    const r = one({ max_error_rate: 0.02, candidate: 'tuned' });
    assert.equal(r.passed, false);
    assert.equal(r.message, 'error rate of tuned 5% (5/100) > 2% (over by 3%)');
    assert.equal(one({ max_error_rate: 0.03 }).passed, true); // 6 / 200
    assert.equal(one({ max_error_rate: 0.02 }).passed, false);
    assert.equal(gateName({ max_error_rate: 0.02 }), 'all candidates: error rate ≤ 2%');
  });

  test('results keep the order and the gate objects of the spec', () => {
    const gates: EvalGate[] = [{ max_error_rate: 1 }, { candidate: 'base', mean: { min: 0 } }];
    const results = evaluateGates(gates, report);
    assert.deepEqual(
      results.map((r) => r.gate),
      gates,
    );
  });

  test('a NaN mean (no graded sample) fails a min gate instead of passing silently', () => {
    const r = evaluateGates([{ candidate: 'x', mean: { min: 0 } }], {
      candidates: [cand('x', Number.NaN, Number.NaN)],
      comparisons: [],
    })[0];
    assert.equal(r.passed, false);
  });
});
