// The made-up data a long-lived process warms its statistics code on: valid RFT lines of distinct texts (so the
// warm-up takes the same paths as a real file), the same every time; and warming changes no later result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDatasetStats, warmStatistics } from '../../../../src/core/stats/datasetStats';
import { madeUpLines, warmWorkerCode } from '../../../../src/core/stats/warmUp';
import { validateDatasetText } from '../../../../src/core/datasets/validate';
import { tempFile } from '../../../lib/tempFiles';

test('the made-up lines are a valid RFT dataset of distinct texts, the same every time', () => {
  const lines = madeUpLines(300);
  assert.deepEqual(madeUpLines(300), lines);
  assert.equal(new Set(lines).size, 300);
  const report = validateDatasetText(lines.join('\n') + '\n');
  assert.equal(report.format, 'rft');
  assert.deepEqual(
    report.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
});

test("warming both threads' code changes no statistics computed afterwards", async () => {
  const file = tempFile(madeUpLines(200).join('\n') + '\n', 'warm.jsonl');
  const before = await computeDatasetStats(file, { tokenWorker: false });
  warmStatistics();
  warmWorkerCode();
  assert.deepEqual(await computeDatasetStats(file, { tokenWorker: false }), before);
});
