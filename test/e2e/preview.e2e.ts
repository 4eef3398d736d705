// Dataset preview, end to end in the real VS Code on the demo datasets (real fixture data): open the preview from
// the palette, see the table, expand a row into its conversation, filter, jump to the text editor, reveal a text
// line back in the preview, and read the statistics with their charts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openWorkbench, type Workbench } from './lib/workbench';

let wb: Workbench;

before(async () => {
  wb = await openWorkbench();
});

after(async () => {
  await wb?.close();
});

function demoLines(rel: string): Record<string, unknown>[] {
  return fs
    .readFileSync(path.join(wb.workspace, rel), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('the preview shows the countdown RFT dataset as a table', async () => {
  await wb.quickOpen('countdown_train.jsonl');
  await wb.runCommand('RFT Studio: Open Dataset Preview');
  const view = wb.webview();
  await view.locator('.status', { hasText: /25 lines/ }).waitFor({ timeout: 60_000 });
  const rows = view.locator('.row');
  await rows.first().locator('.badge', { hasText: 'RFT' }).waitFor();
  // Every row of this small file fits: 25 rows, each RFT with a single user message and the target/nums fields.
  assert.equal(await rows.count(), 25);
  const first = await rows.first().innerText();
  const data = demoLines('datasets/rft/countdown_train.jsonl');
  assert.match(first, /^\s*1\s/);
  assert.match(first, /user/);
  assert.match(first, new RegExp(`target: ${String(data[0].target)}`));
  await wb.screenshot('01-table');
});

test('expanding a row renders the conversation and the raw JSON', async () => {
  const view = wb.webview();
  await view.locator('.row').nth(2).click();
  const detail = view.locator('.detail');
  await detail.locator('.message.role-user').waitFor();
  const data = demoLines('datasets/rft/countdown_train.jsonl');
  const msg = (data[2].messages as { content: string }[])[0].content;
  const shown = await detail.locator('.message.role-user .message-text').innerText();
  assert.equal(shown.trim(), msg.trim());
  await detail.locator('.kv th', { hasText: 'target' }).waitFor();
  await wb.screenshot('02-conversation');
  await detail.locator('vscode-tab-header', { hasText: 'Raw JSON' }).click();
  const raw = await detail.locator('.raw-json').innerText();
  assert.deepEqual(JSON.parse(raw), data[2]);
});

test('filtering by field value and by text', async () => {
  const view = wb.webview();
  const data = demoLines('datasets/rft/countdown_train.jsonl');
  const target = String(data[7].target);
  const expected = data.map((d, i) => (String(d.target) === target ? i + 1 : 0)).filter(Boolean);
  // Typed into the field's own input (keys sent to the page go wherever the focus is at that moment).
  const filter = view.locator('vscode-textfield.field-filter input');
  await filter.pressSequentially(`target=${target}`);
  await view.locator('.status', { hasText: `${expected.length} matching` }).waitFor();
  const lines = await view.locator('.row .line-link').allInnerTexts();
  assert.deepEqual(lines.map(Number), expected);
  await wb.screenshot('03-filtered');
  // Clear it, then search free text.
  await filter.press('Control+A');
  await filter.press('Backspace');
  await view.locator('.status', { hasText: /^(?!.*matching).*25 lines/ }).waitFor();
});

test('clicking a line number reveals that line in the text editor', async () => {
  const view = wb.webview();
  await view.locator('.row .line-link', { hasText: /^6$/ }).click();
  // The status bar shows the cursor position of the text editor that took focus.
  await wb.page.locator('.statusbar-item', { hasText: /Ln 6, Col 1/ }).waitFor();
  await wb.screenshot('04-text-editor');
});

test('"Reveal Line in Dataset Preview" selects and expands the current text line', async () => {
  await wb.page.keyboard.press('Control+G');
  await wb.page.keyboard.type('11');
  await wb.page.keyboard.press('Enter');
  await wb.runCommand('RFT Studio: Reveal Line in Dataset Preview');
  const view = wb.webview();
  await view.locator('.row.selected .line-link', { hasText: /^11$/ }).waitFor();
  await view.locator('.detail', { hasText: 'Line 11' }).waitFor();
});

test('the statistics panel shows figures and charts', async () => {
  const view = wb.webview();
  await view.locator('vscode-button', { hasText: 'Statistics' }).click();
  await view.locator('.card h2', { hasText: 'Tokens per example' }).waitFor({ timeout: 60_000 });
  const overview = await view.locator('.card', { hasText: 'Overview' }).innerText();
  assert.match(overview, /25\s*examples/);
  assert.ok((await view.locator('canvas').count()) >= 3, 'format, token and role charts are drawn');
  const cost = await view.locator('.card', { hasText: 'Cost estimate' }).innerText();
  assert.match(cost, /billed by training time/);
  await wb.screenshot('05-statistics');
});

test('tool calls and the SFT conversation of a real tool-calling dataset', async () => {
  await wb.runCommand('View: Close All Editor Groups');
  await wb.quickOpen('stock_toolcall_validation.jsonl');
  await wb.runCommand('RFT Studio: Open Dataset Preview');
  const view = wb.webview();
  const count = demoLines('datasets/sft/stock_toolcall_validation.jsonl').length;
  await view.locator('.status', { hasText: new RegExp(`^${count} lines`) }).waitFor({ timeout: 60_000 });
  await view.locator('.row').first().click();
  const detail = view.locator('.detail');
  await detail.locator('.message.role-assistant .tool-call').first().waitFor();
  const call = await detail.locator('.tool-call').first().innerText();
  const data = demoLines('datasets/sft/stock_toolcall_validation.jsonl');
  const fn = (data[0].messages as { tool_calls?: { function: { name: string } }[] }[])[2].tool_calls![0]
    .function.name;
  assert.match(call, new RegExp(fn));
  await detail.locator('.section-title', { hasText: /Tools \(\d+\)/ }).waitFor();
  await wb.screenshot('06-tool-calls');
});

test('the statistics of an SFT file price it per token', async () => {
  await wb.runCommand('View: Close All Editor Groups');
  await wb.quickOpen('gsm8k_chat_validation.jsonl');
  await wb.runCommand('RFT Studio: Open Dataset Preview');
  const view = wb.webview();
  await view.locator('.status', { hasText: /50 lines/ }).waitFor({ timeout: 60_000 });
  await view.locator('vscode-button', { hasText: 'Statistics' }).click();
  await view.locator('.card h2', { hasText: 'Cost estimate' }).waitFor({ timeout: 60_000 });
  const cost = await view.locator('.card', { hasText: 'Cost estimate' }).innerText();
  assert.match(cost, /SFT is billed per training token/);
  assert.match(cost, /gpt-4\.1-mini/);
  await view.locator('.card', { hasText: 'Tokens per example' }).scrollIntoViewIfNeeded();
  await wb.screenshot('07-sft-statistics');
});

test('EuroVoc labels: the multi-label distribution chart counts each of the 21 labels', async () => {
  await wb.runCommand('View: Close All Editor Groups');
  await wb.quickOpen('eurovoc_demo.jsonl');
  await wb.runCommand('RFT Studio: Open Dataset Preview');
  const view = wb.webview();
  const rows = demoLines('lab/eurovoc_demo.jsonl');
  await view
    .locator('.status', { hasText: new RegExp(`^${rows.length} lines`) })
    .waitFor({ timeout: 60_000 });
  await view.locator('.row').first().click();
  await view.locator('.detail .message.role-developer').waitFor();
  await wb.screenshot('08-eurovoc-conversation');
  await view.locator('vscode-button', { hasText: 'Statistics' }).click();
  const card = view.locator('.card', { hasText: 'Values of reference_answer' });
  await card.waitFor({ timeout: 60_000 });
  const labels = rows.flatMap((r) => r.reference_answer as string[]);
  const text = await card.innerText();
  assert.match(text, new RegExp(`${labels.length}\\s*labels counted \\(multi-label\\)`));
  assert.match(text, new RegExp(`${new Set(labels).size}\\s*distinct`));
  assert.equal(await card.locator('canvas').count(), 1);
  await card.scrollIntoViewIfNeeded();
  await wb.screenshot('09-eurovoc-label-distribution');
});

for (const theme of ['Default Dark Modern', 'Default High Contrast', 'Default High Contrast Light']) {
  test(`native look in the "${theme}" theme`, async () => {
    const themed = await openWorkbench({ settings: { 'workbench.colorTheme': theme } });
    try {
      await themed.quickOpen('stock_toolcall_validation.jsonl');
      await themed.runCommand('RFT Studio: Open Dataset Preview');
      const view = themed.webview();
      await view.locator('.row .badge', { hasText: 'SFT' }).first().waitFor({ timeout: 60_000 });
      await view.locator('.row').nth(1).click();
      await view.locator('.detail .tool-call').first().waitFor();
      // The webview follows the workbench theme: its body carries the theme kind class VS Code sets.
      const kind = await view.locator('body').getAttribute('class');
      assert.match(kind ?? '', theme.includes('High Contrast') ? /vscode-high-contrast/ : /vscode-dark/);
      await themed.screenshot(`10-theme-${theme.replace(/\s+/g, '-').toLowerCase()}`);
    } finally {
      await themed.close();
    }
  });
}
