// Grader Lab, end to end on the EuroVoc demo: open the lab from the palette, run the F1 and F2 graders on the
// demo's sample outputs, read the verdicts, the comparison and the probes, export the results.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openWorkbench, type Workbench } from './lib/workbench';

let wb: Workbench;

before(async () => {
  wb = await openWorkbench({
    settings: {
      'rftStudio.lab.dataset': 'lab/eurovoc_demo.jsonl',
      'rftStudio.lab.graders': ['lab/eurovoc_f1.grader.json', 'lab/eurovoc_f2.grader.json'],
      'rftStudio.lab.samples': 'lab/eurovoc_samples.jsonl',
      'rftStudio.lab.responseFormat': 'lab/eurovoc.response_format.json',
    },
  });
});

after(async () => {
  await wb?.close();
});

test('the lab opens with the demo setup', async () => {
  await wb.runCommand('RFT Studio: Open Grader Lab');
  const lab = wb.webview();
  await lab.locator('h1', { hasText: 'Grader Lab' }).waitFor({ timeout: 60_000 });
  await lab.locator('.chip', { hasText: 'level1_f1_multi' }).waitFor();
  await lab.locator('.chip', { hasText: 'level1_f2_multi' }).waitFor();
  await lab.locator('.path', { hasText: 'eurovoc_demo.jsonl' }).waitFor();
  await lab.locator('.muted', { hasText: '12 items' }).waitFor();
  await wb.screenshot('01-setup');
});

test('running both graders shows verdicts, a comparison and the probes', async () => {
  const lab = wb.webview();
  await lab.locator('#run').click();
  await lab
    .locator('#status', { hasText: 'Graded 48 sample(s) with 2 grader(s)' })
    .waitFor({ timeout: 120_000 });
  // The first thing on screen after a run says which grader to prefer and why.
  const recommendation = await lab.locator('#recommendation').innerText();
  assert.match(recommendation, /Prefer level1_f1_multi/);
  assert.match(recommendation, /level1_f2_multi .*Every label at once/);
  const verdicts = lab.locator('.verdict');
  assert.equal(await verdicts.count(), 2);
  const f1 = await verdicts.nth(0).innerText();
  // Items eu-008 and eu-009 have four identical samples: flat, no learning signal from them.
  assert.match(f1, /level1_f1_multi/);
  assert.match(f1, /Flat items\s*2 \/ 12/);
  assert.match(f1, /promising|likely to benefit/i);
  const comparison = await lab.locator('.comparison').innerText();
  assert.match(comparison, /level1_f1_multi vs level1_f2_multi/);
  assert.match(comparison, /Agreement/);
  assert.match(comparison, /Rank correlation/);
  // The every-label probe: F1 pays it little, F2 (recall-heavy) pays it a lot — the screen says which is gameable.
  const probes = lab.locator('.probes tr', { hasText: 'Every label at once' });
  await probes.waitFor();
  const cells = probes.locator('td');
  assert.match((await cells.nth(1).getAttribute('class')) ?? '', /safe/);
  assert.match((await cells.nth(2).getAttribute('class')) ?? '', /exploitable/);
  await lab.locator('#chart-distribution').waitFor();
  await wb.screenshot('02-results');
  await lab.locator('.probes').scrollIntoViewIfNeeded();
  await wb.screenshot('03-probes');
  const rows = lab.locator('#results-table tbody tr');
  assert.equal(await rows.count(), 96);
});

test('filtering the results and exporting them to JSONL', async () => {
  const lab = wb.webview();
  // Typed into the field's own input (keys sent to the page go wherever the focus is at that moment).
  await lab.locator('#filter-text input').first().pressSequentially('eu-003');
  await lab.locator('h2', { hasText: /Results \(8 of 96\)/ }).waitFor();
  await lab.locator('#export-jsonl').click();
  // The save dialog (VS Code's own, in the browser) offers <dataset>.lab-results.jsonl: accept it.
  const input = wb.page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  // The dialog fills in the folder first and the proposed file name a moment later.
  let value = '';
  for (let i = 0; i < 50 && !/\.jsonl$/.test(value); i++) {
    value = await input.inputValue();
    if (!/\.jsonl$/.test(value)) await wb.page.waitForTimeout(100);
  }
  await wb.screenshot('04-save-dialog');
  assert.match(value, /eurovoc_demo\.lab-results\.jsonl$/);
  await wb.page.keyboard.press('Enter');
  const exported = path.join(wb.workspace, 'lab', 'eurovoc_demo.lab-results.jsonl');
  for (let i = 0; i < 100 && !fs.existsSync(exported); i++) await new Promise((r) => setTimeout(r, 100));
  const lines = fs.readFileSync(exported, 'utf8').trim().split('\n');
  assert.equal(lines.length, 96);
  const first = JSON.parse(lines[0]) as {
    grader: string;
    reward: number;
    subRewards: Record<string, number>;
  };
  assert.ok(['level1_f1_multi', 'level1_f2_multi'].includes(first.grader));
  assert.ok('precision' in first.subRewards && 'recall' in first.subRewards);
  await wb.screenshot('05-exported');
});

test('the panel and its results survive a window reload', async () => {
  await wb.runCommand('Developer: Reload Window');
  await wb.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const lab = wb.webview();
  await lab.locator('h1', { hasText: 'Grader Lab' }).waitFor({ timeout: 60_000 });
  await lab.locator('#recommendation', { hasText: 'Prefer level1_f1_multi' }).waitFor({ timeout: 30_000 });
  await lab.locator('.chip', { hasText: 'level1_f2_multi' }).waitFor();
  await wb.screenshot('06-after-reload');
});
