// Data prep, end to end in the real VS Code: "RFT Studio: Split Dataset…" from the command palette on the demo
// EuroVoc file (codes already mapped to names), answering the field quick pick, the size and seed input boxes and
// the summary, then checking the two files on disk, the notification and the report.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { mapCodesInFile } from '../../src/core/prep/mapCodes';
import { parseMapping } from '../../src/core/prep/mapping';
import { demoFolder, openWorkbench, type Workbench } from './lib/workbench';

let wb: Workbench;
const NAMED = 'prep/eurovoc_named.jsonl';

before(async () => {
  // The file a user has after "Map Codes to Names…": the demo's coded file with the 21 level-1 names.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rft-prep-e2e-'));
  const out = path.join(tmp, 'named.jsonl');
  const mappingFile = path.join(demoFolder, 'prep/eurovoc_level1_codes.csv');
  const mapping = parseMapping(fs.readFileSync(mappingFile, 'utf8'), mappingFile);
  const report = await mapCodesInFile(
    path.join(demoFolder, 'prep/eurovoc_coded.jsonl'),
    ['reference_answer'],
    mapping,
    out,
  );
  assert.equal(report.unknown.length, 0);
  const named = fs.readFileSync(out, 'utf8');
  fs.rmSync(tmp, { recursive: true, force: true });
  wb = await openWorkbench({ files: { [NAMED]: named } });
});

after(async () => {
  await wb?.close();
});

const quickInput = () => wb.page.locator('.quick-input-widget');

/** Waits for the quick input whose title contains `title` and whose placeholder or prompt matches `hint`. */
async function waitForPrompt(hint: RegExp): Promise<void> {
  const qi = quickInput();
  await qi.waitFor({ state: 'visible', timeout: 60_000 });
  // A string predicate: this file is type-checked without the DOM library.
  const predicate = `(() => {
    const w = document.querySelector('.quick-input-widget');
    if (!w || w.style.display === 'none') return false;
    const input = w.querySelector('input.input');
    const text = (w.querySelector('.quick-input-title')?.textContent ?? '') + ' ' + (input?.placeholder ?? '') + ' ' +
      (w.querySelector('.quick-input-message')?.textContent ?? '');
    return new RegExp(${JSON.stringify(hint.source)}, ${JSON.stringify(hint.flags)}).test(text);
  })()`;
  await wb.page.waitForFunction(predicate, undefined, { timeout: 60_000 });
}

function lines(rel: string): string[] {
  return fs
    .readFileSync(path.join(wb.workspace, rel), 'utf8')
    .split('\n')
    .filter((l) => l.trim());
}

test('Split Dataset… from the palette: field, size and seed prompts, a per-label summary, then two files', async () => {
  await wb.quickOpen('eurovoc_named.jsonl');
  await wb.runCommand('RFT Studio: Split Dataset…');

  // 1. The field quick pick offers the fields found in the file, the label list first.
  await waitForPrompt(/field that holds the label/);
  const rows = quickInput().locator('.quick-input-list .monaco-list-row');
  await rows.first().waitFor();
  assert.match(await rows.first().innerText(), /reference_answer[\s\S]*list · 21 distinct/);
  await wb.screenshot('01-field-pick');
  await rows.first().click();

  // 2. Validation size, 3. seed.
  await waitForPrompt(/Validation size/);
  const input = quickInput().locator('input.input');
  await input.fill('20%');
  await wb.page.keyboard.press('Enter');
  await waitForPrompt(/Seed/);
  await input.fill('7');
  await wb.page.keyboard.press('Enter');

  // 4. The summary before writing: counts side by side for every label, coverage in the placeholder.
  await waitForPrompt(/1,203 training \+ 301 validation — 21\/21 labels in both files/);
  const summaryRows = quickInput().locator('.quick-input-list .monaco-list-row');
  await summaryRows
    .filter({ hasText: 'Write eurovoc_named.train.jsonl (1,203) and eurovoc_named.valid.jsonl (301)' })
    .first()
    .waitFor();
  await summaryRows
    .filter({ hasText: /EUROPEAN UNION.*total/ })
    .first()
    .waitFor();
  await wb.screenshot('02-summary');
  assert.equal(
    fs.existsSync(path.join(wb.workspace, 'prep/eurovoc_named.train.jsonl')),
    false,
    'nothing written before confirming',
  );
  await summaryRows.filter({ hasText: 'Write eurovoc_named.train.jsonl' }).first().click();

  // 5. Written, opened, announced.
  await wb.page
    .locator('.editor-group-container .tab', { hasText: 'eurovoc_named.valid.jsonl' })
    .first()
    .waitFor({ timeout: 120_000 });
  await wb.screenshot('03-result');
  const note = await wb.waitForNotification(/Wrote eurovoc_named\.train\.jsonl/, 60_000);
  assert.match(note, /\(1,203\) and eurovoc_named\.valid\.jsonl \(301\)/);
  assert.match(note, /every label with ≥2 examples is in both files \(21\/21\)/);
  await wb.screenshot('04-notification');

  const train = lines('prep/eurovoc_named.train.jsonl');
  const valid = lines('prep/eurovoc_named.valid.jsonl');
  assert.equal(train.length, 1203);
  assert.equal(valid.length, 301);
  assert.deepEqual([...train, ...valid].sort(), lines(NAMED).sort(), 'every example in exactly one file');
  const labelsIn = (ls: string[]) => new Set(ls.flatMap((l) => JSON.parse(l).reference_answer as string[]));
  assert.equal(labelsIn(valid).size, 21);
  assert.equal(labelsIn(train).size, 21);

  // 6. The report, from the notification's action.
  await wb.page
    .locator('.notifications-center .notification-list-item, .notifications-toasts .notification-toast')
    .filter({ hasText: /Wrote eurovoc_named\.train\.jsonl/ })
    .first()
    .getByRole('button', { name: 'Show Report' })
    .click();
  await wb.page
    .locator('.editor-group-container .tab', { hasText: /Untitled|Split of/ })
    .first()
    .waitFor();
  await wb.page.locator('.view-lines', { hasText: '# Split of' }).first().waitFor();
  await wb.screenshot('05-report');
});

test('Map Codes to Names… from the palette: field, mapping file from the workspace, summary, new file', async () => {
  await wb.quickOpen('eurovoc_coded.jsonl');
  await wb.runCommand('RFT Studio: Map Codes to Names…');
  await waitForPrompt(/field that holds the label/);
  const rows = quickInput().locator('.quick-input-list .monaco-list-row');
  await rows.filter({ hasText: 'reference_answer' }).first().click();

  await waitForPrompt(/mapping file/);
  const mappingRow = rows.filter({ hasText: 'eurovoc_level1_codes.csv' }).first();
  await mappingRow.waitFor();
  assert.match(
    await rows.first().innerText(),
    /eurovoc_level1_codes\.(csv|json)/,
    'mappings next to the dataset come first',
  );
  await mappingRow.click();

  await waitForPrompt(/1,504 of 1,504 lines change; 21 code\(s\) mapped, 0 unknown/);
  await rows
    .filter({ hasText: /56 → agriculture, forestry and fisheries/ })
    .first()
    .waitFor();
  await wb.screenshot('06-map-summary');
  await rows.filter({ hasText: 'Write eurovoc_coded.named.jsonl' }).first().click();

  await wb.page
    .locator('.editor-group-container .tab', { hasText: 'eurovoc_coded.named.jsonl' })
    .first()
    .waitFor({ timeout: 120_000 });
  const note = await wb.waitForNotification(/Wrote eurovoc_coded\.named\.jsonl/, 60_000);
  assert.match(note, /every code mapped \(1,504 lines changed\)/);
  const named = lines('prep/eurovoc_coded.named.jsonl');
  assert.deepEqual(named, lines(NAMED), 'the same bytes as the CLI/core mapping');
  await wb.screenshot('07-map-result');
});
