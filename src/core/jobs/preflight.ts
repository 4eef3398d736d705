// Checks before a launch: datasets valid, grader lints clean and validates remotely, limits,
// the provider's situation, and a cost/time estimate. Errors block the launch.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { DEFAULT_PRICES } from '../stats/pricing';
import { capabilitiesOf } from '../providers/capabilities';
import { describeApiError } from '../providers/errors';
import type { ProviderConfig } from '../providers/types';
import type { ResolvedJobSpec } from './jobSpec';

export interface PreflightItem {
  level: 'error' | 'warning' | 'info';
  title: string;
  detail?: string;
}

export interface PreflightReport {
  ok: boolean;
  items: PreflightItem[];
  estimate?: {
    trainingExamples: number;
    validationExamples: number;
    approxTokens?: number;
    costNote: string;
    timeNote: string;
  };
}

export interface PreflightDeps {
  provider: ProviderConfig;
  now: Date;
  validateDataset: (
    path: string,
    role: 'training' | 'validation',
  ) => Promise<{ errors: number; warnings: number; examples: number; summary: string }>;
  lintGrader?: (grader: unknown) => Promise<{ errors: number; messages: string[] }>;
  validateGraderRemotely?: (grader: unknown) => Promise<void>;
  /** File size in bytes (default: fs.stat). */
  fileSize?: (path: string) => Promise<number>;
}

const MB = 1024 * 1024;
/** OpenAI files API per-file limit (larger files go through the uploads API, up to 8 GB). */
const OPENAI_FILE_LIMIT = 512 * MB;
const UPLOADS_LIMIT = 8 * 1024 * MB;
const AZURE_FILE_LIMIT = 512 * MB;
/** RFT limits used by the prep tools (OpenAI). */
const MAX_TRAIN = 50_000;
const MAX_VALID = 1_000;
/** One RFT step (sampling + grading + training + eval) took ~12 minutes in the guide's example. */
const MINUTES_PER_STEP = 12;
const TOP_LEVEL_GRADERS = ['string_check', 'text_similarity', 'python', 'score_model', 'multi'];
const RFT_MODELS: Record<string, string[]> = {
  openai: ['o4-mini-2025-04-16'],
  azure: ['o4-mini', 'o4-mini-2025-04-16', 'gpt-5', 'gpt-5-2025-08-07'],
};

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

function hoursText(minutes: number): string {
  if (minutes < 90) return `about ${Math.max(1, Math.round(minutes))} minutes`;
  return `about ${(minutes / 60).toFixed(minutes < 600 ? 1 : 0)} hours`;
}

export async function runPreflight(resolved: ResolvedJobSpec, deps: PreflightDeps): Promise<PreflightReport> {
  const items: PreflightItem[] = [];
  const add = (level: PreflightItem['level'], title: string, detail?: string) =>
    items.push(detail ? { level, title, detail } : { level, title });
  const provider = deps.provider;
  const caps = capabilitiesOf(provider, deps.now);
  const kind = provider.kind;

  // The provider's situation first: it decides whether anything else matters.
  if (!caps.rftJobs) {
    add('error', `${provider.label} no longer accepts new fine-tuning jobs.`, caps.notes.join(' '));
  } else if (kind === 'openai') {
    const cutoff = caps.jobCutoff ? new Date(`${caps.jobCutoff}T00:00:00Z`) : undefined;
    const days = cutoff ? Math.ceil((cutoff.getTime() - deps.now.getTime()) / 86_400_000) : undefined;
    add(
      days !== undefined && days <= 30 ? 'warning' : 'info',
      days !== undefined
        ? `OpenAI accepts new fine-tuning jobs until ${caps.jobCutoff} (${plural(days, 'day')} left).`
        : 'OpenAI is winding down fine-tuning.',
      'OpenAI is winding down self-serve fine-tuning: organisations that have not used fine-tuning recently get "403 training_not_available" when the job is created (the uploads still succeed).',
    );
  } else {
    for (const note of caps.notes) add('info', note);
  }

  // Datasets (errors block).
  const sizeOf = deps.fileSize ?? (async (p: string) => (await stat(p)).size);
  const datasets = await Promise.all(
    (['training', 'validation'] as const).map(async (role) => {
      const file = role === 'training' ? resolved.trainingFile : resolved.validationFile;
      const name = path.basename(file);
      let bytes: number | undefined;
      try {
        bytes = await sizeOf(file);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        add(
          'error',
          `The ${role} file ${name} cannot be read.`,
          code === 'ENOENT' ? `${file} does not exist.` : (e as Error).message,
        );
        return { role, examples: 0, bytes: undefined };
      }
      try {
        const r = await deps.validateDataset(file, role);
        if (r.errors > 0)
          add('error', `The ${role} file ${name} has ${plural(r.errors, 'error')}.`, r.summary);
        else if (r.warnings > 0)
          add('warning', `The ${role} file ${name} has ${plural(r.warnings, 'warning')}.`, r.summary);
        else add('info', `The ${role} file ${name} is valid (${plural(r.examples, 'example')}).`);
        if (r.examples === 0 && r.errors === 0) add('error', `The ${role} file ${name} has no examples.`);
        return { role, examples: r.examples, bytes };
      } catch (e) {
        add('error', `The ${role} file ${name} could not be validated.`, (e as Error).message);
        return { role, examples: 0, bytes };
      }
    }),
  );
  const [train, valid] = datasets as [(typeof datasets)[0], (typeof datasets)[0]];

  // Limits.
  if (train.examples > MAX_TRAIN)
    add(
      'error',
      `The training file has ${plural(train.examples, 'example')}; the limit is ${MAX_TRAIN.toLocaleString('en-US')}.`,
    );
  else if (train.examples > 0 && train.examples < 10)
    add(
      'warning',
      `The training file has only ${plural(train.examples, 'example')}.`,
      'Fine-tuning needs at least 10 examples; RFT usually wants a few hundred.',
    );
  if (valid.examples > MAX_VALID)
    add(
      'error',
      `The validation file has ${plural(valid.examples, 'example')}; the limit is ${MAX_VALID.toLocaleString('en-US')}.`,
    );
  if (resolved.trainingFile === resolved.validationFile)
    add(
      'warning',
      'The training and validation files are the same file.',
      'Validation rewards then say nothing about generalisation.',
    );
  for (const d of datasets) {
    if (d.bytes === undefined) continue;
    const limit = kind === 'azure' ? AZURE_FILE_LIMIT : caps.uploadsApi ? UPLOADS_LIMIT : OPENAI_FILE_LIMIT;
    if (d.bytes > limit)
      add(
        'error',
        `The ${d.role} file is ${(d.bytes / MB).toFixed(0)} MB; ${provider.label} accepts at most ${(limit / MB).toFixed(0)} MB.`,
      );
  }
  const suffix = resolved.suffix;
  if (suffix !== undefined) {
    if (kind === 'azure' && (suffix.length > 40 || !/^[A-Za-z0-9_-]+$/.test(suffix)))
      add(
        'error',
        `Azure OpenAI wants a suffix of at most 40 characters from [A-Za-z0-9-_]; "${suffix}" is not.`,
      );
    else if (suffix.length < 1 || suffix.length > 64) add('error', 'The suffix must be 1–64 characters.');
  }
  const metaCount = Object.keys(resolved.metadata).length;
  if (metaCount > 15)
    add(
      'error',
      `The job has ${metaCount} metadata entries; at most 15 are allowed (RFT Studio adds one to recognise its job).`,
    );
  const models = RFT_MODELS[kind];
  if (models && !models.includes(resolved.model) && !resolved.model.startsWith('ft:'))
    add(
      'warning',
      `${resolved.model} is not a documented RFT base model for ${provider.label}.`,
      `Documented: ${models.join(', ')}.`,
    );
  const effort = resolved.hyperparameters.reasoning_effort;
  if (kind === 'azure' && effort === 'default')
    add(
      'warning',
      'Azure OpenAI lists reasoning_effort low, medium or high (default medium), not "default".',
    );

  // Grader.
  const graderType = resolved.grader.type;
  if (typeof graderType !== 'string' || !TOP_LEVEL_GRADERS.includes(graderType)) {
    add(
      'error',
      `A job's grader must be one of ${TOP_LEVEL_GRADERS.join(', ')}${typeof graderType === 'string' ? `, not ${graderType}` : ''}.`,
      graderType === 'label_model'
        ? 'label_model graders are only allowed inside a multi grader.'
        : undefined,
    );
  }
  if (!resolved.responseFormat && JSON.stringify(resolved.grader).includes('output_json'))
    add(
      'warning',
      'The grader reads sample.output_json but the job has no response_format.',
      'Without a response format the model answers in free text, and output_json is only set when that text happens to be JSON.',
    );
  if (deps.lintGrader) {
    try {
      const lint = await deps.lintGrader(resolved.grader);
      if (lint.errors > 0)
        add(
          'error',
          `The grader has ${plural(lint.errors, 'problem')}.`,
          lint.messages.slice(0, 10).join('\n'),
        );
      else if (lint.messages.length)
        add(
          'warning',
          `Grader lint: ${plural(lint.messages.length, 'note')}.`,
          lint.messages.slice(0, 10).join('\n'),
        );
      else add('info', 'The grader lints clean against the datasets.');
    } catch (e) {
      add('warning', 'The grader could not be linted.', (e as Error).message);
    }
  }
  if (deps.validateGraderRemotely && caps.graderValidate) {
    try {
      await deps.validateGraderRemotely(resolved.grader);
      add('info', `${provider.label} validated the grader.`);
    } catch (e) {
      const info = describeApiError(e);
      if (
        info.status !== undefined &&
        info.status >= 400 &&
        info.status < 500 &&
        info.status !== 404 &&
        info.status !== 429
      )
        add('error', `${provider.label} rejected the grader.`, info.message);
      else
        add(
          'warning',
          `The grader could not be validated remotely; the job may still be refused.`,
          info.message,
        );
    }
  } else if (!caps.graderValidate)
    add('info', `${provider.label} cannot validate graders remotely; only the local checks ran.`);

  // Estimate.
  const hp = resolved.hyperparameters;
  const epochs = typeof hp.n_epochs === 'number' ? hp.n_epochs : undefined;
  const batch = typeof hp.batch_size === 'number' ? hp.batch_size : undefined;
  const steps = epochs && batch && train.examples ? epochs * Math.ceil(train.examples / batch) : undefined;
  const hourly = DEFAULT_PRICES.rftPerHour.find((p) =>
    resolved.model.startsWith(p.model.replace(/-\d{4}-\d{2}-\d{2}$/, '')),
  );
  const minutes = steps !== undefined ? steps * MINUTES_PER_STEP : undefined;
  const costParts = [
    'RFT is billed by training time, plus the tokens of model graders.',
    hourly
      ? `Published rate: ${hourly.model} $${hourly.usdPerHour}/hour (as of ${DEFAULT_PRICES.asOf}).`
      : undefined,
    hourly && minutes !== undefined
      ? `At ~${MINUTES_PER_STEP} min a step, ${plural(steps!, 'step')} ≈ $${Math.round((minutes / 60) * hourly.usdPerHour).toLocaleString('en-US')} of training time.`
      : undefined,
    kind === 'azure'
      ? 'Azure pauses RFT jobs automatically at $5,000 of training and grading cost.'
      : undefined,
  ].filter(Boolean);
  const timeNote =
    steps !== undefined
      ? `${plural(steps, 'step')} (${epochs} epochs × ${Math.ceil(train.examples / batch!)} batches): ${hoursText(minutes!)} at ~${MINUTES_PER_STEP} minutes a step, plus queueing and file screening.`
      : `The provider picks the number of steps (n_epochs or batch_size is "auto"); RFT jobs commonly run for hours.`;
  const ok = !items.some((i) => i.level === 'error');
  return {
    ok,
    items,
    estimate: {
      trainingExamples: train.examples,
      validationExamples: valid.examples,
      costNote: costParts.join(' '),
      timeNote,
    },
  };
}
