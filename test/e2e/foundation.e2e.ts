// Foundation, end to end: the workbench opens the demo folder with RFT Studio loaded, its activity-bar entry shows
// the Jobs view and its welcome text, and "RFT Studio: Show Log" opens the output channel.
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

test('the workbench opens the demo folder', async () => {
  const explorerTitle = await wb.page.locator('.part.sidebar .composite.title').first().innerText();
  assert.ok(explorerTitle.length > 0);
  await wb.page.locator('.part.sidebar .monaco-list-row', { hasText: 'datasets' }).first().waitFor();
  assert.match(await wb.page.title(), /demo/);
  await wb.screenshot('01-workbench');
});

test('the RFT Studio activity-bar entry shows', async () => {
  const entry = wb.page.locator('.activitybar [aria-label*="RFT Studio"]').first();
  await entry.waitFor({ state: 'visible' });
  assert.match((await entry.getAttribute('aria-label')) ?? '', /RFT Studio/);
});

test('clicking it shows the Jobs view with its welcome text', async () => {
  await wb.openActivityBar('RFT Studio');
  const sidebar = wb.page.locator('.part.sidebar');
  // A container with a single view shows it as "RFT STUDIO: JOBS" in the side-bar title (no pane header).
  await sidebar
    .locator('.composite.title', { hasText: /RFT Studio: Jobs/i })
    .first()
    .waitFor({ state: 'visible' });
  const welcome = sidebar.locator('.welcome-view-content', { hasText: 'No fine-tuning jobs yet.' });
  await welcome.waitFor({ state: 'visible' });
  assert.match(await welcome.innerText(), /jobs need a provider/);
  await welcome.getByRole('button', { name: 'Show Log' }).waitFor({ state: 'visible' });
  assert.deepEqual(await wb.treeRows(), []);
  await wb.screenshot('02-jobs-view');
});

test('the command palette lists "RFT Studio: Show Log" and running it opens the output channel', async () => {
  await wb.page.keyboard.press('F1');
  const input = wb.page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  // The full title: with many RFT Studio commands a shorter filter may list this one below the rendered rows.
  await input.fill('>RFT Studio: Show Log');
  const row = wb.page
    .locator('.quick-input-list .monaco-list-row', { hasText: 'RFT Studio: Show Log' })
    .first();
  await row.waitFor({ state: 'visible' });
  await wb.screenshot('03-command-palette');
  await wb.page.keyboard.press('Escape');

  await wb.runCommand('RFT Studio: Show Log');
  const output = wb.page.locator('.part.panel');
  await output
    .locator('.monaco-editor .view-lines', { hasText: 'activated' })
    .first()
    .waitFor({ state: 'visible' });
  const text = (await output.locator('.monaco-editor .view-lines').first().innerText()).replace(
    /\u00a0/g,
    ' ',
  );
  assert.match(text, /RFT Studio \d+\.\d+\.\d+ activated/);
  await wb.screenshot('04-output-channel');
});

test('no request left the machine', () => {
  assert.deepEqual(wb.offHostRequests, []);
});
