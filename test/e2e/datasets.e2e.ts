// Datasets, end to end: opening the demo's broken RFT file fills the Problems panel with RFT Studio's
// diagnostics (syntax error, system role, SFT-style last message, field drift), the status bar shows the
// format and counts, and a quick fix from the light bulb changes the file.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openWorkbench, type Workbench } from './lib/workbench';

let wb: Workbench;

before(async () => {
  wb = await openWorkbench();
});

after(async () => {
  await wb?.close();
});

test("the Problems panel lists the broken dataset's problems, each with its rule code", async () => {
  await wb.quickOpen('broken_example.jsonl');
  const status = wb.page.locator('.statusbar-item', { hasText: /RFT · 4 examples/ });
  await status.first().waitFor({ state: 'visible', timeout: 30_000 });
  let rows: string[] = [];
  for (let i = 0; i < 50; i++) {
    rows = await wb.problems();
    if (rows.filter((r) => r.includes('RFT Studio')).length >= 7) break;
    await wb.page.waitForTimeout(200);
  }
  const text = rows.join('\n');
  for (const code of [
    'jsonl/invalid-json',
    'rft/system-role',
    'rft/last-message-not-user',
    'dataset/field-missing',
    'dataset/field-rare',
    'message/empty-content',
    'dataset/too-few-examples',
  ])
    assert.ok(text.includes(code), `${code} missing from the Problems panel:\n${text}`);
  assert.match(text, /use "developer" instead of "system"|"developer" instead of "system"/);
  assert.match(await status.first().innerText(), /RFT · 4 examples/);
  await wb.screenshot('01-problems-panel');
});

test('the light bulb offers the system → developer fix and applying it removes the problem', async () => {
  // Put the cursor inside "system" on line 1 and open the quick-fix menu. Code actions are computed
  // asynchronously: on a slow machine the first Ctrl+. can come before they are ready and show nothing, so
  // (as a person would) close whatever opened and ask again.
  const item = wb.page
    .locator('.action-widget .monaco-list-row', { hasText: 'Change role "system" to "developer"' })
    .first();
  for (let attempt = 1; ; attempt++) {
    await wb.page
      .locator('.monaco-editor .view-line span', { hasText: /^"system"$/ })
      .first()
      .click();
    await wb.page.keyboard.press('Control+.');
    try {
      await item.waitFor({ state: 'visible', timeout: 8000 });
      break;
    } catch (e) {
      if (attempt === 4) throw e;
      await wb.page.keyboard.press('Escape');
    }
  }
  await wb.screenshot('02-quick-fix');
  await item.click();
  await wb.page
    .locator('.monaco-editor .view-line', { hasText: '"developer"' })
    .first()
    .waitFor({ state: 'visible' });
  let rows: string[] = [];
  for (let i = 0; i < 50; i++) {
    rows = await wb.problems();
    if (!rows.join('\n').includes('rft/system-role')) break;
    await wb.page.waitForTimeout(200);
  }
  assert.ok(!rows.join('\n').includes('rft/system-role'), rows.join('\n'));
  await wb.screenshot('03-after-fix');
});
