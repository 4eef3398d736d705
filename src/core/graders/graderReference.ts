// A compact grader reference for agents (the MCP rft-studio://grader-reference resource): the grader types, what
// runs locally, and how sure each text_similarity metric is — from the same tables the editor's hovers use.
import { FIDELITY_LABEL, METRIC_FIDELITY } from './metricFidelity';
import { GRADER_TYPES, TEXT_SIMILARITY_METRICS } from './types';

const LOCAL: Record<string, string> = {
  string_check: 'locally: eq, ne, like (input contains reference), ilike (the same, case-insensitive)',
  text_similarity: 'locally, with the metric ports listed below',
  python: 'locally, `grade(sample, item) -> float` in a sandboxed Python worker (only when allowed)',
  score_model: "through the provider's model (costs money)",
  label_model: "through the provider's model (costs money)",
  multi: 'locally: each sub-grader, then `calculate_output` (a formula over their scores)',
  endpoint: 'not run locally',
};

export function graderReferenceMarkdown(): string {
  return [
    '# Graders',
    '',
    'A grader scores one sample against one dataset item and returns a reward in 0..1. Templates such as',
    '`{{ item.reference_answer }}` and `{{ sample.output_text }}` / `{{ sample.output_json.x }}` fill its inputs.',
    '',
    '| type | how RFT Studio runs it |',
    '|---|---|',
    ...GRADER_TYPES.map((t) => `| \`${t}\` | ${LOCAL[t] ?? 'locally'} |`),
    '',
    '## text_similarity metrics',
    '',
    '| metric | what it computes | fidelity | in RFT graders |',
    '|---|---|---|---|',
    ...TEXT_SIMILARITY_METRICS.map((m) => {
      const f = METRIC_FIDELITY[m];
      return `| \`${m}\` | ${f.summary} | ${FIDELITY_LABEL[f.fidelity]} | ${f.rft ? 'yes' : 'no'} |`;
    }),
    '',
  ].join('\n');
}
