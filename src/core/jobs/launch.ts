// Launching a job: upload both files (files API, or the uploads API above a size threshold) with progress,
// wait for processing, and create the job exactly once even when the create request is retried.
import { open, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import type { FileObject } from 'openai/resources/files';
import type { FineTuningJob, JobCreateParams } from 'openai/resources/fine-tuning/jobs/jobs';
import { describeApiError } from '../providers/errors';
import type { ResolvedJobSpec } from './jobSpec';
export type LaunchStage = 'upload-training' | 'upload-validation' | 'processing' | 'creating';

export interface LaunchProgress {
  stage: LaunchStage;
  /** 0..1 within the stage, when known. */
  fraction?: number;
  message: string;
}

export interface LaunchDeps {
  client: OpenAI;
  onProgress?: (p: LaunchProgress) => void;
  signal?: AbortSignal;
  /** Unique per launch (a UUID): sent as the Idempotency-Key and stored in job metadata `rft_studio_launch`. */
  launchId: string;
  /** Files at least this big go through the uploads API (default 64 MB; Infinity = never). */
  uploadsThresholdBytes?: number;
  /** Part size for the uploads API (default 32 MB, at most 64 MB). */
  partSizeBytes?: number;
  /** File-processing poll interval (default 1 s) and limit (default 30 min). */
  processingPollMs?: number;
  processingTimeoutMs?: number;
  /** Create attempts before giving up (default 5). */
  maxCreateAttempts?: number;
  /** Wait before a create retry when the server gives no retry-after (default 1 s, doubling). */
  retryBaseMs?: number;
  /** Reuse files already uploaded by an earlier attempt of this launch (ids by role). */
  uploaded?: { training?: string; validation?: string };
  /** Told when a file is uploaded, so a retried launch can skip it. */
  onUploaded?: (role: 'training' | 'validation', fileId: string) => void;
}

/** Metadata key carrying the launch id on every job RFT Studio creates. */
export const LAUNCH_METADATA_KEY = 'rft_studio_launch';

/** A launch step failed; `stage` says where, `cause` is the API error. */
export class LaunchError extends Error {
  constructor(
    message: string,
    readonly stage: LaunchStage,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'LaunchError';
  }
}

const MB = 1024 * 1024;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) {
    const e = new Error('The launch was cancelled.');
    e.name = 'AbortError';
    throw e;
  }
}

async function uploadFile(
  filePath: string,
  stage: 'upload-training' | 'upload-validation',
  deps: LaunchDeps,
): Promise<FileObject> {
  const { client, signal } = deps;
  const progress = (fraction: number, message: string) => deps.onProgress?.({ stage, fraction, message });
  const name = path.basename(filePath);
  let size: number;
  try {
    size = (await stat(filePath)).size;
  } catch (e) {
    throw new LaunchError(`Cannot read ${filePath}: ${(e as Error).message}`, stage, e);
  }
  const threshold = deps.uploadsThresholdBytes ?? 64 * MB;
  if (size < threshold) {
    progress(0, `Uploading ${name} (${(size / MB).toFixed(1)} MB)…`);
    const content = await readFile(filePath);
    const file = await client.files.create(
      { file: await toFile(content, name), purpose: 'fine-tune' },
      { signal },
    );
    progress(1, `Uploaded ${name} as ${file.id}.`);
    return file;
  }
  // Large file: the uploads API, part by part, reading the file in chunks (never all of it at once).
  const partSize = Math.min(64 * MB, Math.max(1, deps.partSizeBytes ?? 32 * MB));
  const upload = await client.uploads.create(
    { bytes: size, filename: name, mime_type: 'text/jsonl', purpose: 'fine-tune' },
    { signal },
  );
  const partIds: string[] = [];
  const handle = await open(filePath, 'r');
  try {
    let offset = 0;
    let index = 0;
    const parts = Math.ceil(size / partSize);
    while (offset < size) {
      checkAbort(signal);
      const length = Math.min(partSize, size - offset);
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, offset);
      if (bytesRead !== length) throw new LaunchError(`${name} changed while it was being uploaded.`, stage);
      const part = await client.uploads.parts.create(
        upload.id,
        { data: await toFile(buf, `${name}.part${index}`) },
        { signal },
      );
      partIds.push(part.id);
      offset += length;
      index++;
      progress(offset / size, `Uploading ${name}: part ${index} of ${parts}…`);
    }
  } catch (e) {
    await client.uploads.cancel(upload.id).catch(() => undefined);
    throw e;
  } finally {
    await handle.close();
  }
  const done = await client.uploads.complete(upload.id, { part_ids: partIds }, { signal });
  if (!done.file) throw new LaunchError(`The upload of ${name} completed without a file.`, stage);
  progress(1, `Uploaded ${name} as ${done.file.id}.`);
  return done.file;
}

async function waitProcessed(fileIds: string[], deps: LaunchDeps): Promise<void> {
  const { client, signal } = deps;
  const pollMs = deps.processingPollMs ?? 1000;
  const deadline = Date.now() + (deps.processingTimeoutMs ?? 30 * 60_000);
  const pending = new Set(fileIds);
  deps.onProgress?.({ stage: 'processing', fraction: 0, message: 'Waiting for the files to be processed…' });
  while (pending.size) {
    for (const id of [...pending]) {
      const f = await client.files.retrieve(id, { signal });
      const status = f.status as string;
      if (status === 'processed') pending.delete(id);
      else if (status === 'error' || status === 'deleted' || status === 'deleting')
        throw new LaunchError(
          `File ${f.filename} (${id}) failed processing${f.status_details ? `: ${f.status_details}` : '.'}`,
          'processing',
        );
    }
    deps.onProgress?.({
      stage: 'processing',
      fraction: (fileIds.length - pending.size) / fileIds.length,
      message: pending.size ? `Waiting for ${pending.size} file(s) to be processed…` : 'Files processed.',
    });
    if (!pending.size) break;
    if (Date.now() > deadline)
      throw new LaunchError('The files were not processed in time; try launching again later.', 'processing');
    await sleep(pollMs, signal);
  }
}

/** The create request body for a resolved spec (the launch id goes into metadata). */
export function jobCreateParams(
  resolved: ResolvedJobSpec,
  training: string,
  validation: string,
  launchId: string,
): JobCreateParams {
  const reinforcement: Record<string, unknown> = { grader: resolved.grader };
  if (resolved.responseFormat) reinforcement.response_format = resolved.responseFormat;
  if (Object.keys(resolved.hyperparameters).length) reinforcement.hyperparameters = resolved.hyperparameters;
  const params: Record<string, unknown> = {
    model: resolved.model,
    training_file: training,
    validation_file: validation,
    method: { type: 'reinforcement', reinforcement },
    metadata: { ...resolved.metadata, [LAUNCH_METADATA_KEY]: launchId },
  };
  if (resolved.suffix) params.suffix = resolved.suffix;
  if (resolved.seed !== undefined) params.seed = resolved.seed;
  return params as unknown as JobCreateParams;
}

/** A job this launch already created (its create response was lost), if the provider lists it. */
export async function findLaunchedJob(
  client: OpenAI,
  launchId: string,
  signal?: AbortSignal,
): Promise<FineTuningJob | undefined> {
  // The metadata filter narrows the list where supported; the check below works where it is ignored.
  const page = await client.fineTuning.jobs.list(
    { limit: 100, metadata: { [LAUNCH_METADATA_KEY]: launchId } },
    { signal, maxRetries: 2 },
  );
  return page.data.find(
    (j) => (j.metadata as Record<string, string> | null | undefined)?.[LAUNCH_METADATA_KEY] === launchId,
  );
}

async function createOnce(params: JobCreateParams, deps: LaunchDeps): Promise<FineTuningJob> {
  const { client, signal, launchId } = deps;
  const attempts = Math.max(1, deps.maxCreateAttempts ?? 5);
  let wait = deps.retryBaseMs ?? 1000;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    checkAbort(signal);
    if (attempt > 1) {
      // Before sending again, look for a job an earlier attempt created whose response was lost.
      try {
        const found = await findLaunchedJob(client, launchId, signal);
        if (found) return found;
      } catch (e) {
        if (!describeApiError(e).retryable) throw e;
      }
    }
    deps.onProgress?.({
      stage: 'creating',
      message:
        attempt === 1
          ? 'Creating the fine-tuning job…'
          : `Creating the fine-tuning job (attempt ${attempt})…`,
    });
    try {
      // No SDK retries here: each retry goes through the lookup above first.
      return await client.fineTuning.jobs.create(params, {
        signal,
        maxRetries: 0,
        headers: { 'Idempotency-Key': launchId },
      });
    } catch (e) {
      lastError = e;
      const info = describeApiError(e);
      if (!info.retryable) throw e;
      if (attempt === attempts) {
        // Out of attempts: the last response may still have been lost after the job was created.
        const found = await findLaunchedJob(client, launchId, signal).catch(() => undefined);
        if (found) return found;
        throw e;
      }
      const retryAfter = Number((e as { headers?: Headers }).headers?.get?.('retry-after'));
      await sleep(
        Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(60_000, retryAfter * 1000) : wait,
        signal,
      );
      wait = Math.min(wait * 2, 30_000);
    }
  }
  throw lastError;
}

export async function launchJob(resolved: ResolvedJobSpec, deps: LaunchDeps): Promise<FineTuningJob> {
  checkAbort(deps.signal);
  let training = deps.uploaded?.training;
  if (!training) {
    training = (await uploadFile(resolved.trainingFile, 'upload-training', deps)).id;
    deps.onUploaded?.('training', training);
  }
  checkAbort(deps.signal);
  let validation = deps.uploaded?.validation;
  if (!validation && resolved.validationFile === resolved.trainingFile) validation = training;
  if (!validation) {
    validation = (await uploadFile(resolved.validationFile, 'upload-validation', deps)).id;
    deps.onUploaded?.('validation', validation);
  }
  await waitProcessed([...new Set([training, validation])], deps);
  const job = await createOnce(jobCreateParams(resolved, training, validation, deps.launchId), deps);
  deps.onProgress?.({ stage: 'creating', fraction: 1, message: `Created job ${job.id}.` });
  return job;
}
