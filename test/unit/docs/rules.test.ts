// docs/rules.md lists every diagnostic code RFT Studio reports; this test keeps it in step with the rule
// catalogues in core. Regenerate with: UPDATE_DOCS=1 node test/unit/run.mjs docs/rules
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetRulesMarkdown } from '../../../src/core/datasets/rules';
import { GRADER_LINT_RULES } from '../../../src/core/graders/lint';

const file = join(__dirname, '../../../docs/rules.md');

function expected(): string {
  const graderRows = GRADER_LINT_RULES.map((r) => `| \`${r.code}\` | ${r.description.replace(/\|/g, '\\|')} |`);
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
  ].join('\n');
}

test('docs/rules.md lists every dataset and grader rule', () => {
  const want = expected();
  if (process.env.UPDATE_DOCS) writeFileSync(file, want);
  assert.equal(readFileSync(file, 'utf8'), want, 'docs/rules.md is stale: regenerate it (see the comment at the top of this test)');
});
