// The catalogue of every diagnostic code as Markdown: docs/rules.md is this text (a unit test keeps them equal),
// and the MCP server serves it as the rft-studio://rules resource.
import { datasetRulesMarkdown } from './datasets/rules';
import { GRADER_LINT_RULES } from './graders/lint';
import { GRADER_TEST_RULES } from './gradertests/parse';

export function rulesMarkdown(): string {
  const graderRows = GRADER_LINT_RULES.map(
    (r) => `| \`${r.code}\` | ${r.description.replace(/\|/g, '\\|')} |`,
  );
  return [
    '# Diagnostic codes',
    '',
    'Every problem RFT Studio reports carries one of these stable codes — in the editor (Problems panel), in',
    '`rft-studio validate` / `rft-studio lint` output and in SARIF for GitHub code scanning. This file is generated',
    'from the rule catalogues in `src/core`; `test/unit/docs/rules.test.ts` fails when it falls behind.',
    '',
    '## Datasets (`rft-studio validate`)',
    '',
    datasetRulesMarkdown(),
    '',
    '## Graders (`rft-studio lint`)',
    '',
    '| code | checks |',
    '|---|---|',
    ...graderRows,
    '',
    '## Grader unit tests (`*.gradertest.jsonl`, `rft-studio test`)',
    '',
    '| code | checks |',
    '|---|---|',
    ...GRADER_TEST_RULES.map((r) => `| \`${r.code}\` | ${r.description.replace(/\|/g, '\\|')} |`),
    '',
  ].join('\n');
}
