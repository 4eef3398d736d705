// docs/rules.md lists every diagnostic code RFT Studio reports; this test keeps it in step with the rule
// catalogues in core (src/core/rulesDoc.ts renders them). Regenerate with: UPDATE_DOCS=1 node test/unit/run.mjs docs/rules
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rulesMarkdown } from '../../../src/core/rulesDoc';

const file = join(__dirname, '../../../docs/rules.md');

test('docs/rules.md lists every dataset and grader rule', () => {
  const want = rulesMarkdown();
  if (process.env.UPDATE_DOCS) writeFileSync(file, want);
  assert.equal(readFileSync(file, 'utf8'), want, 'docs/rules.md is stale: regenerate it (see the comment at the top of this test)');
});
