// Grader authoring end to end in the real VS Code: a grader linked to a dataset shows lint problems in the
// Problems panel, {{ … }} templates are highlighted inside JSON strings, and hovering a template shows its
// values on the first dataset lines.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openWorkbench, type Workbench } from './lib/workbench';

let wb: Workbench;

const GRADER = `{
  "type": "multi",
  "name": "countdown checks",
  "graders": {
    "target": {
      "type": "string_check",
      "name": "target",
      "input": "{{ sample.output_json.result }}",
      "reference": "{{ item.target }}",
      "operation": "eq"
    },
    "answer": {
      "type": "text_similarity",
      "name": "answer",
      "input": "{{ sample.output_text }}",
      "reference": "{{ item.answer }}",
      "evaluation_metric": "fuzzy_match"
    }
  },
  "calculate_output": "0.7 * target + 0.3 * answr"
}
`;

before(async () => {
  wb = await openWorkbench({
    files: { 'graders/e2e_countdown.grader.json': GRADER },
    settings: {
      'rftStudio.graders.links': {
        'graders/e2e_countdown.grader.json': {
          dataset: 'datasets/rft/countdown_valid.jsonl',
          responseFormat: 'graders/countdown.response_format.json',
        },
      },
    },
  });
});

after(async () => {
  await wb?.close();
});

test('a linked grader: problems, template highlighting and a value hover', async () => {
  await wb.quickOpen('e2e_countdown.grader.json');
  const editor = wb.page.locator('.editor-instance .monaco-editor').first();
  await editor.waitFor({ state: 'visible' });

  // Problems: the missing dataset field (on every line) and the formula naming a key that does not exist.
  let rows: string[] = [];
  for (let i = 0; i < 60; i++) {
    rows = await wb.problems();
    if (
      rows.some((r) => r.includes('item.answer is missing on every dataset line')) &&
      rows.some((r) => r.includes('"answr" is not a grader key'))
    )
      break;
    await wb.page.waitForTimeout(500);
  }
  assert.ok(
    rows.some((r) => r.includes('item.answer is missing on every dataset line (15)')),
    rows.join('\n'),
  );
  assert.ok(
    rows.some((r) => r.includes('"answr" is not a grader key')),
    rows.join('\n'),
  );
  assert.ok(!rows.some((r) => r.includes('item.target is missing')), 'item.target is on every line');
  await wb.screenshot('01-problems');

  // Highlighting: inside "{{ item.target }}" the namespace is tokenized apart from the surrounding string.
  const line = editor.locator('.view-line', { hasText: '{{ item.target }}' }).first();
  await line.waitFor();
  const spans = line.locator('span > span');
  const texts = await spans.allInnerTexts();
  const classes = await spans.evaluateAll((els) => els.map((e) => e.className));
  const ns = texts.findIndex((t) => t.trim() === 'item');
  const key = texts.findIndex((t) => t.includes('"reference"'));
  assert.ok(ns >= 0, `tokens: ${JSON.stringify(texts)}`);
  const stringToken = texts.findIndex((t, i) => i > key && t.startsWith('"') && !t.includes('{{'));
  assert.notEqual(
    classes[ns],
    classes[stringToken >= 0 ? stringToken : key],
    `namespace token styled like plain JSON: ${JSON.stringify(texts)} ${JSON.stringify(classes)}`,
  );

  // Hover on the template: values on the first dataset lines.
  // A hover that opened before the provider answered can stay empty: move away and hover again.
  const hover = wb.page
    .locator('.monaco-hover:not(.hidden)')
    .filter({ hasText: 'present on 15 of 15 lines' })
    .first();
  for (let attempt = 1; ; attempt++) {
    await spans.nth(ns).hover();
    try {
      await hover.waitFor({ state: 'visible', timeout: 10_000 });
      break;
    } catch (e) {
      if (attempt === 3) throw e;
      await wb.page.mouse.move(5, 5);
      await wb.page.keyboard.press('Escape');
    }
  }
  const text = await hover.innerText();
  assert.match(text, /countdown_valid\.jsonl: present on 15 of 15 lines/);
  assert.match(text, /\b1\s+"73"/);
  await wb.screenshot('02-hover');
});
