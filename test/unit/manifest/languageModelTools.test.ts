// package.json declares the language-model tools VS Code shows before the extension runs; they must be exactly the
// agent tool catalogue (src/cli/tools/catalogue.ts) the MCP server and the extension register.
// Regenerate with: UPDATE_MANIFEST=1 node test/unit/run.mjs manifest/languageModelTools
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TOOLS } from '../../../src/cli/tools/catalogue';

const file = join(__dirname, '../../../package.json');

function expected() {
  return TOOLS.map((t) => ({
    name: t.name,
    toolReferenceName: t.toolReferenceName,
    displayName: t.displayName,
    modelDescription: t.modelDescription,
    userDescription: t.userDescription,
    canBeReferencedInPrompt: true,
    icon: '$(beaker)',
    tags: [
      'rft',
      'fine-tuning',
      { read: 'read', network: 'provider', runsGraders: 'runs-graders', spends: 'spends' }[t.risk],
    ],
    inputSchema: t.inputSchema,
  }));
}

test('package.json contributes exactly the agent tool catalogue as languageModelTools', () => {
  const text = readFileSync(file, 'utf8');
  const pkg = JSON.parse(text) as { contributes: Record<string, unknown> };
  if (process.env.UPDATE_MANIFEST) {
    pkg.contributes.languageModelTools = expected();
    writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
    return;
  }
  assert.deepEqual(
    pkg.contributes.languageModelTools,
    expected(),
    'stale: see the comment at the top of this test',
  );
});

test('tool names and reference names are unique and well-formed', () => {
  const names = TOOLS.map((t) => t.name);
  const refs = TOOLS.map((t) => t.toolReferenceName);
  assert.equal(new Set(names).size, names.length);
  assert.equal(new Set(refs).size, refs.length);
  for (const t of TOOLS) {
    assert.match(t.name, /^rft_[a-z_]+$/);
    assert.match(t.toolReferenceName, /^rft[A-Z][A-Za-z]+$/);
    for (const f of t.pathFields) assert.ok(f in t.inputSchema.properties, `${t.name}: ${f} is not an input`);
  }
});
