// "Evaluate against base model", end to end in the demo workspace the way a person does it, without a key: the
// demo job launched on the built-in local emulator from its CodeLens, "Evaluate Against Base Model" from the
// succeeded job's context menu in the Jobs view, "Run Now" on the notification, the cost confirmation, and the
// comparison that opens showing the fine-tuned model significantly better. Screenshots go to
// test-results/screenshots/evalRun-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator } from 'playwright-core';
import { openWorkbench, type Workbench } from './lib/workbench';

let wb: Workbench;

before(async () => {
  wb = await openWorkbench({
    settings: {
      // The demo's in-process emulator (no key), fast enough that the job succeeds in a few seconds.
      'rftStudio.emulator.autoStart': true,
      'rftStudio.emulator.speed': 30,
      'rftStudio.jobs.pollIntervalSeconds': 1,
      'rftStudio.jobs.maxPollIntervalSeconds': 2,
      'workbench.colorTheme': 'Default Dark Modern',
    },
  });
});

after(async () => {
  await wb?.close();
});

function row(name: string | RegExp): Locator {
  return wb.page.locator('.part.sidebar .monaco-list-row', { hasText: name }).first();
}

async function waitForRow(name: string | RegExp, text: RegExp, timeoutMs = 90_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (await row(name).isVisible()) {
      last = (await row(name).innerText()).replace(/\s+/g, ' ');
      if (text.test(last)) return last;
    }
    await wb.page.waitForTimeout(300);
  }
  throw new Error(`row ${String(name)} never matched ${text} (last: "${last}")`);
}

async function hideNotifications(): Promise<void> {
  if (await wb.page.locator('.notifications-center').isVisible())
    await wb.runCommand('Notifications: Hide Notifications');
}

test('the demo job is launched on the local emulator and succeeds', async () => {
  await wb.page
    .locator('.statusbar-item', { hasText: 'RFT: Local emulator' })
    .first()
    .waitFor({ state: 'visible', timeout: 60_000 });
  await wb.quickOpen('countdown.rftjob.json');
  const lens = wb.page.locator('.codelens-decoration a', { hasText: 'Launch job on Local emulator' }).first();
  await lens.waitFor({ state: 'visible', timeout: 30_000 });
  await lens.click();
  await wb.answerDialog('Launch');
  await wb.openActivityBar('RFT Studio');
  await waitForRow('countdown-demo', /succeeded/, 120_000);
});

test('"Evaluate Against Base Model" on the succeeded job writes the spec, runs it, and opens the comparison', async () => {
  // From the job's context menu, clicked the way a hand does (the workbench menu ignores instant clicks).
  await row('countdown-demo').click({ button: 'right' });
  const menu = wb.page.locator('.context-view .monaco-menu');
  const item = menu.locator('.action-item', { hasText: 'Evaluate Against Base Model' }).first();
  await item.waitFor({ state: 'visible' });
  await wb.screenshot('01-job-context-menu');
  await item.click({ delay: 100 });
  await menu.waitFor({ state: 'hidden' });

  // The spec opens beside the job spec, and a notification offers to run it.
  await wb.page
    .locator('.editor-group-container .tab.active', { hasText: 'countdown-demo-vs-base.rfteval.json' })
    .first()
    .waitFor({ timeout: 60_000 });
  const specFile = path.join(wb.workspace, 'jobs', 'evals', 'countdown-demo-vs-base.rfteval.json');
  const spec = JSON.parse(fs.readFileSync(specFile, 'utf8')) as {
    dataset: string;
    samples_per_item: number;
    candidates: Array<{ label: string; model: string }>;
  };
  assert.equal(spec.dataset, '../../datasets/rft/countdown_valid.jsonl');
  assert.equal(spec.samples_per_item, 8);
  assert.deepEqual(
    spec.candidates.map((c) => c.label),
    ['base', 'tuned'],
  );
  assert.match(spec.candidates[1]!.model, /^ft:o4-mini-2025-04-16:emulator:countdown-demo:/);
  // (Toasts are suppressed in smoke-driver mode: the offer is answered in the Notifications Center.)
  await wb.waitForNotification(
    /countdown-demo-vs-base\.rfteval\.json: base o4-mini-2025-04-16 against the fine-tuned model/,
    60_000,
  );
  const offer = wb.page
    .locator('.notifications-center .notification-list-item', {
      hasText: 'countdown-demo-vs-base.rfteval.json',
    })
    .first();
  await wb.screenshot('02-spec-written');
  await offer.locator('.monaco-button', { hasText: 'Run Now' }).click();

  // Nothing is spent before the confirmation, which states calls, cached calls, tokens and cost.
  const question = wb.page.locator('.monaco-dialog-box').first();
  await question.waitFor({ state: 'visible', timeout: 60_000 });
  assert.equal(
    fs.existsSync(path.join(wb.workspace, '.rft', 'evals')),
    false,
    'a run started before the answer',
  );
  await wb.screenshot('03-confirmation');
  const message = await wb.answerDialog('Run');
  assert.match(
    message,
    /Run eval "countdown-demo-vs-base"\? 240 model call\(s\), 0 cached, [\d,]+ prompt tokens, about \$/,
  );

  // The comparison opens on the run when it ends: tuned vs base, significantly better.
  const view = wb.webview();
  await view.locator('h1', { hasText: 'tuned vs base' }).waitFor({ timeout: 120_000 });
  await view.locator('#mean-a').waitFor();
  const [meanA, meanB, diff, wilcoxon] = await Promise.all(
    ['mean-a', 'mean-b', 'difference', 'p-wilcoxon'].map(async (id) =>
      (await view.locator(`#${id}`).innerText()).trim(),
    ),
  );
  assert.ok(Number(meanA) > Number(meanB), `tuned ${meanA} vs base ${meanB}`);
  assert.match(diff, /^\+/);
  assert.ok(Number(wilcoxon) < 0.01, `Wilcoxon p ${wilcoxon}`);
  assert.match(await view.locator('#verdict').innerText(), /tuned is better/);
  await hideNotifications();
  await wb.page.mouse.move(700, 600);
  await wb.screenshot('04-comparison');
  await view.locator('#most-changed').scrollIntoViewIfNeeded();
  await wb.screenshot('05-most-changed');

  // The run folder holds every sample.
  const runs = fs.readdirSync(path.join(wb.workspace, '.rft', 'evals'));
  assert.equal(runs.length, 1);
  const rows = fs.readFileSync(path.join(wb.workspace, '.rft', 'evals', runs[0]!, 'results.jsonl'), 'utf8');
  assert.equal(rows.trim().split('\n').length, 240);
});
