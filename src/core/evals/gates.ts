// Eval gates (issue #14): the checks a spec declares on its report (a candidate's mean or pass rate, the difference
// between two candidates and its significance, the error rate), each result naming the gate and by how much it
// passed or failed. Pure: a report in, results out.
import type { EvalCandidateSummary, EvalGate, EvalGateResult, EvalPairComparison, EvalReport } from './types';

/** Shown to people: enough digits to see a difference of 0.001, no float noise. */
function num(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 10000) / 10000) : String(x);
}

function pct(x: number): string {
  return `${num(x * 100)}%`;
}

/** The name a gate is shown under: its own `name`, else a description of what it checks. */
export function gateName(gate: EvalGate): string {
  if (gate.name) return gate.name;
  if ('compare' in gate) {
    const parts = [`${gate.compare[0]} − ${gate.compare[1]}`];
    if (gate.difference?.min !== undefined) parts.push(`difference ≥ ${num(gate.difference.min)}`);
    if (gate.significance !== undefined) parts.push(`p ≤ ${num(gate.significance)}`);
    return parts.join(', ');
  }
  if ('max_error_rate' in gate)
    return `${gate.candidate ?? 'all candidates'}: error rate ≤ ${pct(gate.max_error_rate)}`;
  const parts: string[] = [];
  if (gate.mean?.min !== undefined) parts.push(`mean ≥ ${num(gate.mean.min)}`);
  if (gate.mean?.max !== undefined) parts.push(`mean ≤ ${num(gate.mean.max)}`);
  if (gate.pass_rate?.min !== undefined) parts.push(`pass rate ≥ ${pct(gate.pass_rate.min)}`);
  return `${gate.candidate}: ${parts.join(', ') || 'present'}`;
}

function candidateGate(
  gate: Extract<EvalGate, { candidate: string; mean?: unknown }>,
  c: EvalCandidateSummary | undefined,
): { passed: boolean; message: string } {
  if (!c) return { passed: false, message: `no candidate labelled "${gate.candidate}" in the run` };
  const failures: string[] = [];
  const passes: string[] = [];
  const { min, max } = gate.mean ?? {};
  if (min !== undefined) {
    if (!(c.mean >= min))
      failures.push(`mean of ${c.label} ${num(c.mean)} < ${num(min)} (short by ${num(min - c.mean)})`);
    else passes.push(`mean of ${c.label} ${num(c.mean)} ≥ ${num(min)} (by ${num(c.mean - min)})`);
  }
  if (max !== undefined) {
    if (!(c.mean <= max))
      failures.push(`mean of ${c.label} ${num(c.mean)} > ${num(max)} (over by ${num(c.mean - max)})`);
    else passes.push(`mean of ${c.label} ${num(c.mean)} ≤ ${num(max)} (by ${num(max - c.mean)})`);
  }
  const prMin = gate.pass_rate?.min;
  if (prMin !== undefined) {
    if (!(c.pass_rate >= prMin))
      failures.push(
        `pass rate of ${c.label} ${pct(c.pass_rate)} < ${pct(prMin)} (short by ${pct(prMin - c.pass_rate)})`,
      );
    else
      passes.push(
        `pass rate of ${c.label} ${pct(c.pass_rate)} ≥ ${pct(prMin)} (by ${pct(c.pass_rate - prMin)})`,
      );
  }
  if (failures.length) return { passed: false, message: failures.join('; ') };
  return { passed: true, message: passes.join('; ') || `${c.label} is present` };
}

/**
 * `difference.min`: mean(a) − mean(b) over the paired items must be at least min. `significance`: the Wilcoxon
 * p-value must be at most it; without a `difference.min` it also requires the difference to favour a (> 0), so
 * `{"compare": ["tuned", "base"], "significance": 0.05}` reads "tuned is significantly better than base".
 */
function compareGate(
  gate: Extract<EvalGate, { compare: [string, string] }>,
  cmp: EvalPairComparison | undefined,
): { passed: boolean; message: string } {
  const [a, b] = gate.compare;
  if (!cmp) return { passed: false, message: `the report has no comparison of "${a}" with "${b}"` };
  if (cmp.items === 0) return { passed: false, message: `${a} and ${b} have no item in common` };
  const failures: string[] = [];
  const passes: string[] = [];
  const min = gate.difference?.min;
  const d = cmp.difference;
  if (min !== undefined) {
    if (!(d >= min))
      failures.push(`difference ${a} − ${b} ${num(d)} < ${num(min)} (short by ${num(min - d)})`);
    else passes.push(`difference ${a} − ${b} ${num(d)} ≥ ${num(min)} (by ${num(d - min)})`);
  } else if (gate.significance !== undefined && !(d > 0)) {
    failures.push(`difference ${a} − ${b} ${num(d)} does not favour ${a}`);
  }
  if (gate.significance !== undefined) {
    const s = gate.significance;
    if (!(cmp.p_value <= s))
      failures.push(`p ${num(cmp.p_value)} > ${num(s)} (not significant; over by ${num(cmp.p_value - s)})`);
    else passes.push(`p ${num(cmp.p_value)} ≤ ${num(s)}`);
  }
  if (failures.length) return { passed: false, message: failures.join('; ') };
  return { passed: true, message: passes.join('; ') || `difference ${a} − ${b} ${num(d)}` };
}

/** Errors per sample, for one candidate or all of them. */
function errorGate(
  gate: Extract<EvalGate, { max_error_rate: number }>,
  candidates: EvalCandidateSummary[],
): { passed: boolean; message: string } {
  const subject =
    gate.candidate === undefined ? candidates : candidates.filter((c) => c.label === gate.candidate);
  if (gate.candidate !== undefined && subject.length === 0)
    return { passed: false, message: `no candidate labelled "${gate.candidate}" in the run` };
  const samples = subject.reduce((s, c) => s + c.samples, 0);
  const errors = subject.reduce((s, c) => s + c.errors, 0);
  const who = gate.candidate ?? 'all candidates';
  if (samples === 0) return { passed: false, message: `${who}: no samples` };
  const rate = errors / samples;
  const max = gate.max_error_rate;
  if (!(rate <= max))
    return {
      passed: false,
      message: `error rate of ${who} ${pct(rate)} (${errors}/${samples}) > ${pct(max)} (over by ${pct(rate - max)})`,
    };
  return { passed: true, message: `error rate of ${who} ${pct(rate)} (${errors}/${samples}) ≤ ${pct(max)}` };
}

/** Every gate's result, in the spec's order. */
export function evaluateGates(
  gates: readonly EvalGate[],
  report: Pick<EvalReport, 'candidates' | 'comparisons'>,
) {
  return gates.map((gate): EvalGateResult => {
    let r: { passed: boolean; message: string };
    if ('compare' in gate)
      r = compareGate(
        gate,
        report.comparisons.find((c) => c.a === gate.compare[0] && c.b === gate.compare[1]),
      );
    else if ('max_error_rate' in gate) r = errorGate(gate, report.candidates);
    else
      r = candidateGate(
        gate,
        report.candidates.find((c) => c.label === gate.candidate),
      );
    return { gate, name: gateName(gate), ...r };
  });
}
