// Preflight on the demo spec with the real dataset validator, the real grader lint and the emulator's
// grader validation: what blocks, what warns, the provider's situation, and the estimate.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { countBySeverity } from '../../../../src/core/diagnostics';
import { validateDatasetFile } from '../../../../src/core/datasets/validate';
import { lintGraderText } from '../../../../src/core/graders/lint';
import type { ResolvedJobSpec } from '../../../../src/core/jobs/jobSpec';
import { parseJobSpec, resolveJobSpec } from '../../../../src/core/jobs/jobSpec';
import type { PreflightDeps, PreflightReport } from '../../../../src/core/jobs/preflight';
import { runPreflight } from '../../../../src/core/jobs/preflight';
import type { ProviderConfig } from '../../../../src/core/providers';
import { createClient } from '../../../../src/core/providers';
import type { Emulator } from '../../../../src/emulator/server';
import { startEmulator } from '../../../../src/emulator/server';

const DEMO = path.resolve(__dirname, '../../../../demo');
const SPEC = path.join(DEMO, 'jobs/countdown.rftjob.json');
const OPENAI: ProviderConfig = {
  id: 'o',
  kind: 'openai',
  label: 'OpenAI',
  baseURL: 'https://api.openai.com/v1',
  auth: 'apiKey',
};
const AZURE: ProviderConfig = {
  id: 'a',
  kind: 'azure',
  label: 'Azure OpenAI',
  baseURL: 'https://r.openai.azure.com/openai/v1/',
  auth: 'apiKey',
};

let em: Emulator;
let resolved: ResolvedJobSpec;
let emulatorProvider: ProviderConfig;

const deps = (over: Partial<PreflightDeps> = {}): PreflightDeps => ({
  provider: emulatorProvider,
  now: new Date('2026-11-26T06:00:00Z'),
  validateDataset: async (p, role) => {
    const r = await validateDatasetFile(p, { role, provider: 'openai' });
    const c = countBySeverity(r.diagnostics);
    return {
      errors: c.error,
      warnings: c.warning,
      examples: r.examples,
      summary: r.diagnostics
        .slice(0, 3)
        .map((d) => `line ${d.range.start.line + 1}: ${d.message}`)
        .join('\n'),
    };
  },
  lintGrader: async (g) => {
    const d = lintGraderText(JSON.stringify(g, null, 2));
    return { errors: d.filter((x) => x.severity === 'error').length, messages: d.map((x) => x.message) };
  },
  ...over,
});

const titles = (r: PreflightReport, level: string) =>
  r.items.filter((i) => i.level === level).map((i) => i.title);

before(async () => {
  em = await startEmulator({ speed: 100 });
  emulatorProvider = {
    id: 'e',
    kind: 'compatible',
    label: 'Local emulator',
    baseURL: em.url,
    auth: 'apiKey',
  };
  resolved = await resolveJobSpec(parseJobSpec(await readFile(SPEC, 'utf8')).spec!, SPEC, (p) =>
    readFile(p, 'utf8'),
  );
});
after(async () => {
  await em.close();
});

describe('runPreflight', () => {
  test('the demo spec passes on the emulator, with remote grader validation and an estimate', async () => {
    const client = createClient(emulatorProvider, { apiKey: 'k' });
    const r = await runPreflight(
      resolved,
      deps({
        validateGraderRemotely: async (g) =>
          void (await client.fineTuning.alpha.graders.validate({ grader: g as never })),
      }),
    );
    assert.deepEqual(titles(r, 'error'), []);
    assert.equal(r.ok, true);
    assert.ok(titles(r, 'info').includes('Local emulator validated the grader.'));
    assert.ok(
      titles(r, 'info').some((t) =>
        /The training file countdown_train\.jsonl is valid \(\d+ examples\)/.test(t),
      ),
    );
    const train = (await readFile(resolved.trainingFile, 'utf8')).split('\n').filter((l) => l.trim()).length;
    assert.equal(r.estimate!.trainingExamples, train);
    // 3 epochs × ceil(examples / 5) steps.
    const steps = 3 * Math.ceil(train / 5);
    assert.match(
      r.estimate!.timeNote,
      new RegExp(`^${steps} steps \\(3 epochs × ${Math.ceil(train / 5)} batches\\)`),
    );
    assert.match(r.estimate!.costNote, /billed by training time/);
  });

  test('OpenAI: the wind-down is stated; after the cutoff the launch is blocked', async () => {
    const before = await runPreflight(
      resolved,
      deps({ provider: OPENAI, now: new Date('2026-12-20T00:00:00Z') }),
    );
    assert.equal(before.ok, true);
    const situation = before.items[0]!;
    assert.equal(situation.level, 'warning', 'under 30 days left is a warning');
    assert.match(situation.title, /until 2027-01-06 \(17 days left\)/);
    assert.match(situation.detail!, /403 training_not_available/);
    assert.match(before.estimate!.costNote, /o4-mini-2025-04-16 \$100\/hour/);
    const afterCutoff = await runPreflight(
      resolved,
      deps({ provider: OPENAI, now: new Date('2027-02-01T00:00:00Z') }),
    );
    assert.equal(afterCutoff.ok, false);
    assert.match(titles(afterCutoff, 'error')[0]!, /OpenAI no longer accepts new fine-tuning jobs/);
  });

  test('Azure limits: suffix, reasoning_effort "default", the $5,000 pause', async () => {
    const r = await runPreflight(
      {
        ...resolved,
        suffix: 'countdown demo with spaces',
        hyperparameters: { ...resolved.hyperparameters, reasoning_effort: 'default' },
      },
      deps({ provider: AZURE }),
    );
    assert.equal(r.ok, false);
    assert.ok(titles(r, 'error').some((t) => /at most 40 characters/.test(t)));
    assert.ok(titles(r, 'warning').some((t) => /reasoning_effort/.test(t)));
    assert.match(r.estimate!.costNote, /\$5,000/);
  });

  test('dataset errors, a missing file and a bad grader block; the remote rejection is reported plainly', async () => {
    const client = createClient(emulatorProvider, { apiKey: 'k' });
    const r = await runPreflight(
      {
        ...resolved,
        trainingFile: path.join(DEMO, 'datasets/rft/broken_example.jsonl'),
        validationFile: path.join(DEMO, 'datasets/rft/nope.jsonl'),
        grader: {
          type: 'label_model',
          name: 'x',
          model: 'gpt-4o',
          input: [],
          labels: ['a'],
          passing_labels: ['a'],
        },
      },
      deps({
        validateGraderRemotely: async (g) =>
          void (await client.fineTuning.alpha.graders.validate({ grader: g as never })),
      }),
    );
    assert.equal(r.ok, false);
    const errors = titles(r, 'error');
    assert.ok(
      errors.some((t) => /The training file broken_example\.jsonl has \d+ errors?/.test(t)),
      errors.join('\n'),
    );
    assert.ok(errors.some((t) => /The validation file nope\.jsonl cannot be read/.test(t)));
    assert.ok(errors.some((t) => /grader must be one of .* not label_model/.test(t)));
    const remote = r.items.find((i) => i.title === 'Local emulator rejected the grader.');
    assert.ok(remote);
    assert.match(remote.detail!, /label_model/);
  });

  test('remote validation unreachable is a warning, not a block; no response_format for output_json warns', async () => {
    const r = await runPreflight(
      {
        ...resolved,
        responseFormat: undefined,
        grader: {
          type: 'string_check',
          name: 'result',
          input: '{{sample.output_json.result}}',
          reference: '{{item.target}}',
          operation: 'eq',
        },
      },
      deps({
        validateGraderRemotely: async () => {
          em.addFault({ path: '/fine_tuning/alpha/graders/validate', kind: '500' });
          await createClient(
            emulatorProvider,
            { apiKey: 'k' },
            { maxRetries: 0 },
          ).fineTuning.alpha.graders.validate({ grader: resolved.grader as never });
        },
      }),
    );
    assert.deepEqual(titles(r, 'error'), []);
    assert.ok(titles(r, 'warning').some((t) => /could not be validated remotely/.test(t)));
    assert.ok(
      titles(r, 'warning').some((t) =>
        /reads sample\.output_json but the job has no response_format/.test(t),
      ),
    );
  });
});
