// Test Explorer, end to end on the demo: the Testing view lists the demo's grader tests and eval gates by file, "Run
// All Tests" runs them (the countdown cases and the eval through the emulator the demo starts, the eval after its
// cost confirmation), and the deliberate failure opens at its line with expected vs actual.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openWorkbench, type Workbench } from './lib/workbench';

let wb: Workbench;

before(async () => {
  // VS Code's default no longer peeks failures by itself; this is the setting a user turns on for it.
  wb = await openWorkbench({ settings: { 'testing.automaticallyOpenPeekView': 'failureInVisibleDocument' } });
});

after(async () => {
  await wb?.close();
});

/** aria-labels of the Testing view's rows, e.g. "toy_sentiment.gradertest.jsonl (Failed), in 13ms". */
async function rowLabels(): Promise<string[]> {
  return wb.page.locator('.part.sidebar .monaco-list-row').evaluateAll((els) =>
    // The row's text (label, description) then its status from the aria-label, e.g.
    // "a lowercase label still counts as right reward 1 (Failed)"; the aria-label alone names only the description.
    els.map((e) => {
      const text = ((e as { innerText?: string }).innerText ?? '').replace(/\s+/g, ' ').trim();
      const status = /\((Passed|Failed|Errored|Not yet run|Running|Queued|Skipped)\)/.exec(
        e.getAttribute('aria-label') ?? '',
      );
      return `${text}${status ? ` (${status[1]})` : ''}`;
    }),
  );
}

async function until(check: (rows: string[]) => boolean, what: string, ms = 60_000): Promise<string[]> {
  const end = Date.now() + ms;
  for (;;) {
    const rows = await rowLabels();
    if (check(rows)) return rows;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; rows: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const FILES = ['clause_matching', 'countdown', 'toy_sentiment'].map((f) => `${f}.gradertest.jsonl`);

test('the Testing view lists the demo grader tests by file', async () => {
  await wb.openActivityBar('Testing');
  await until(
    (r) =>
      FILES.every((f) => r.some((x) => x.startsWith(`graders/${f}`))) &&
      r.some((x) => x.startsWith('evals/countdown.rfteval.json')),
    'the three grader test files and the demo eval with its gates',
  );
  // Expand the toy sentiment file: one item per case.
  await wb.page
    .locator('.part.sidebar .monaco-list-row', { hasText: 'toy_sentiment.gradertest.jsonl' })
    .click();
  await wb.page.keyboard.press('ArrowRight');
  const rows = await until(
    (r) => r.some((x) => x.startsWith('a lowercase label still counts as right')),
    'the cases',
  );
  for (const name of [
    'the right label scores 1',
    'a wrong label scores low',
    'plain text instead of JSON raises invalid_variable_error',
  ])
    assert.ok(
      rows.some((x) => x.startsWith(name)),
      name,
    );
  await wb.screenshot('01-listed');
});

test('Run All Tests: the demo passes but for the deliberate failure, shown with expected vs actual at its line', async () => {
  await wb.runCommand('Test: Run All Tests');
  // The demo eval's gates run the eval: nothing is sent before its cost confirmation.
  const question = await wb.answerDialog('Run');
  assert.match(question, /Run eval "countdown"\? 240 model call\(s\), 0 cached/);
  const rows = await until(
    (r) =>
      r.some((x) => /graders\/toy_sentiment\.gradertest\.jsonl.* \(Failed\)$/.test(x)) &&
      r.some((x) => /^evals\/countdown\.rfteval\.json.* \((Passed|Failed|Errored)\)$/.test(x)),
    'the run',
    120_000,
  );
  assert.ok(
    rows.some((x) => /^graders\/clause_matching\.gradertest\.jsonl.* \(Passed\)$/.test(x)),
    JSON.stringify(rows),
  );
  // The countdown cases call the score_model judge of the emulator the demo workspace starts.
  assert.ok(
    rows.some((x) => /^graders\/countdown\.gradertest\.jsonl.* \(Passed\)$/.test(x)),
    JSON.stringify(rows),
  );
  assert.ok(
    rows.some((x) => /^a lowercase label still counts as right\s*reward 1.* \(Failed\)$/.test(x)),
    JSON.stringify(rows),
  );
  assert.ok(
    rows.some((x) => /^the right label scores 1\s*reward 1.* \(Passed\)$/.test(x)),
    JSON.stringify(rows),
  );
  assert.ok(
    rows.some((x) => /^evals\/countdown\.rfteval\.json.* \(Passed\)$/.test(x)),
    `the demo eval's gates: ${JSON.stringify(rows)}`,
  );
  // 12 grader cases and 2 gates; the one deliberate failure.
  await wb.page.locator('.part.sidebar', { hasText: '13/14' }).waitFor();
  await wb.screenshot('02-run');

  // With the file open, VS Code peeks the failure at the case's line: the expected and actual reward side by side.
  await wb.quickOpen('toy_sentiment.gradertest.jsonl');
  // The eval is unchanged now: its gates are answered from the cache, without another confirmation.
  await wb.runCommand('Test: Run All Tests');
  const peek = wb.page.locator('.monaco-editor .peekview-widget');
  await peek.waitFor({ state: 'visible', timeout: 60_000 });
  await peek.getByText('expected reward 1, got 0.875', { exact: false }).first().waitFor();
  // Monaco renders spaces as no-break spaces.
  const text = (await peek.innerText()).replace(/\s/g, ' ');
  assert.match(text, /reward 1 Expected/);
  assert.match(text, /Expected reward 0\.875/);
  // The peek sits below line 4, the failing case.
  const lineNumbers = await wb.page.locator('.monaco-editor .line-numbers').allInnerTexts();
  assert.ok(lineNumbers.includes('4'), JSON.stringify(lineNumbers));
  await wb.screenshot('03-failure');
});
