// "Evaluate against base model" on a succeeded job or a checkpoint (Jobs view menus, job details): fetches the job,
// finds the files it was launched with, writes the eval spec (core specFromJob), opens it and offers to run it.
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckpointForEval, JobForEval, LocalJobFiles } from '../../core/evals/specFromJob';
import {
  SpecFromJobError,
  localFilesOf,
  samplesPerItemFor,
  specFromJob,
  writeSpecFromJob,
} from '../../core/evals/specFromJob';
import { parseJobSpec, resolveJobSpec } from '../../core/jobs/jobSpec';
import { JobsService } from '../../core/jobs/jobsService';
import { Disposable } from '../../core/lifecycle';
import { describeApiError } from '../../core/providers';
import type { HostContext } from '../hostContext';
import type { JobMonitor } from '../jobs/jobMonitor';
import type { JobView } from '../jobs/jobsModel';
import type { JobStore } from '../jobs/jobStore';

export const EVALUATE_JOB_COMMAND = 'rftStudio.evaluateJob';
export const RUN_NOW = 'Run Now';

/** The command's argument: a Jobs tree node (job or checkpoint row), a job key, or this object (tests, webview). */
export interface EvaluateJobArgs {
  key: string;
  /** A checkpoint's id (`ftckpt-…`) or model id; without it the job's fine-tuned model is evaluated. */
  checkpoint?: string;
  /** Absolute path of the dataset to use when the job's own is not known locally (instead of a file picker). */
  dataset?: string;
  /** false: do not offer "Run Now" (tests read the result instead). */
  offerRun?: boolean;
}

/** What the command returns (tests read it). */
export type EvaluateJobResult =
  { ok: true; specPath: string; notes: string[]; needsDataset: boolean } | { ok: false; message: string };

export class EvaluateJobCommand extends Disposable {
  constructor(
    private readonly ctx: HostContext,
    private readonly store: JobStore,
    private readonly monitor: JobMonitor,
  ) {
    super();
    this._register(
      vscode.commands.registerCommand(EVALUATE_JOB_COMMAND, (arg?: unknown) => this.evaluate(arg)),
    );
  }

  async evaluate(arg: unknown): Promise<EvaluateJobResult | undefined> {
    const args = await this.resolveArgs(arg);
    if (!args) return undefined;
    const view = this.monitor.view(args.key);
    if (!view) return this.fail(`The job ${args.key} is not in the Jobs view.`);
    const name = view.snapshot.suffix ? `"${view.snapshot.suffix}"` : view.jobId;

    let checkpoint: CheckpointForEval | undefined;
    if (args.checkpoint) {
      const row = view.checkpoints.find((c) => c.id === args.checkpoint || c.model === args.checkpoint);
      if (!row?.model) return this.fail(`Job ${name} has no checkpoint ${args.checkpoint}.`);
      checkpoint = { model: row.model, step: row.step };
    }

    let job: JobForEval;
    try {
      const { client } = await this.ctx.providers.client(view.providerId, { interactive: true });
      job = (await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `Reading job ${view.jobId}` },
        () => new JobsService(client).retrieve(view.jobId),
      )) as unknown as JobForEval;
    } catch (e) {
      this.ctx.log.error(`Evaluate against base model: cannot read ${view.jobId}`, e);
      return this.fail(`Cannot read job ${name} from ${view.providerLabel}: ${describeApiError(e).message}`);
    }

    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!root) return this.fail('Open a folder first: the eval spec is written into the workspace.');
    const local = await this.localFiles(view, job, root);
    if (args.dataset) local.dataset = args.dataset;
    const build = async () =>
      specFromJob(job, {
        checkpoint,
        local,
        fallbackDir: path.join(root, 'evals'),
        samplesPerItem: samplesPerItemFor(local.dataset ? await countLines(local.dataset) : undefined),
      });
    let made;
    try {
      made = await build();
      if (made.needsDataset && !args.dataset && args.offerRun !== false) {
        const picked = await vscode.window.showOpenDialog({
          title: `Choose a local copy of ${job.validation_file ?? job.training_file} (the data job ${name} was ${job.validation_file ? 'validated' : 'trained'} on)`,
          filters: { 'RFT dataset': ['jsonl'] },
          defaultUri: vscode.Uri.file(root),
          canSelectMany: false,
        });
        if (picked?.[0]) {
          local.dataset = picked[0].fsPath;
          made = await build();
        }
      }
    } catch (e) {
      if (e instanceof SpecFromJobError) return this.fail(e.message);
      throw e;
    }

    let specPath: string;
    try {
      specPath = await writeSpecFromJob(made);
    } catch (e) {
      return this.fail(`Cannot write the eval spec in ${made.dir}: ${(e as Error).message}`);
    }
    const rel = vscode.workspace.asRelativePath(specPath);
    this.ctx.log.info(
      `Wrote ${rel}: ${made.spec.candidates.map((c) => `${c.label} ${c.model}`).join(' vs ')}${made.notes.length ? ` (${made.notes.join(' ')})` : ''}`,
    );
    await vscode.window.showTextDocument(vscode.Uri.file(specPath), { preview: false });
    if (args.offerRun !== false) {
      const message = made.needsDataset
        ? `Wrote ${rel}. Put the path of a local copy of the job's data in "dataset", then run it.`
        : `Wrote ${rel}: base ${job.model} against ${checkpoint ? `the step ${checkpoint.step} checkpoint` : 'the fine-tuned model'}.${made.notes.length ? ` ${made.notes.join(' ')}` : ''}`;
      void vscode.window
        .showInformationMessage(message, ...(made.needsDataset ? [] : [RUN_NOW]))
        .then((pick) => {
          if (pick === RUN_NOW)
            void vscode.commands.executeCommand('rftStudio.runEval', vscode.Uri.file(specPath));
        });
    }
    return { ok: true, specPath, notes: made.notes, needsDataset: made.needsDataset };
  }

  /** The spec the job was launched from (when this workspace launched it) and the files it uploaded. */
  private async localFiles(view: JobView, job: JobForEval, root: string): Promise<LocalJobFiles> {
    const tracked = this.store.get(view.key);
    let local: LocalJobFiles = {};
    if (tracked?.specPath) {
      const specPath = path.resolve(root, tracked.specPath);
      try {
        const parsed = parseJobSpec(await fs.readFile(specPath, 'utf8'));
        if (parsed.spec)
          local = localFilesOf(await resolveJobSpec(parsed.spec, specPath, (p) => fs.readFile(p, 'utf8')));
      } catch (e) {
        // The spec moved or changed beyond use: the job's own grader and response format are inlined instead.
        this.ctx.log.warn(`Evaluate against base model: ${tracked.specPath} is not usable (${String(e)})`);
      }
    }
    // The file actually uploaded for the job wins over what the spec names now.
    const uploaded = tracked?.files?.find(
      (f) =>
        (f.role === 'validation' && f.id === job.validation_file) ||
        (!job.validation_file && f.role === 'training' && f.id === job.training_file),
    );
    const candidates = [uploaded?.localPath && path.resolve(root, uploaded.localPath), local.dataset];
    local.dataset = undefined;
    for (const c of candidates) {
      if (c && (await exists(c))) {
        local.dataset = c;
        break;
      }
    }
    return local;
  }

  private async resolveArgs(arg: unknown): Promise<EvaluateJobArgs | undefined> {
    if (typeof arg === 'string') return { key: arg };
    if (arg && typeof arg === 'object') {
      const a = arg as Record<string, unknown>;
      // A Jobs tree node: a job row carries its view, a checkpoint row its id `${key}#ckpt:${checkpointId}`.
      if (a.kind === 'job' && a.job && typeof (a.job as JobView).key === 'string')
        return { key: (a.job as JobView).key };
      if (a.kind === 'leaf' && typeof a.id === 'string') {
        const m = /^(.*)#ckpt:(.+)$/.exec(a.id);
        if (m) return { key: m[1]!, checkpoint: m[2]! };
      }
      if (typeof a.key === 'string')
        return {
          key: a.key,
          checkpoint: typeof a.checkpoint === 'string' ? a.checkpoint : undefined,
          dataset: typeof a.dataset === 'string' ? a.dataset : undefined,
          offerRun: a.offerRun !== false,
        };
    }
    const done = this.monitor.jobs().filter((j) => !!j.snapshot.fineTunedModel);
    if (!done.length) {
      void vscode.window.showInformationMessage(
        'No job in the Jobs view has a fine-tuned model yet: evaluate a succeeded job, or a checkpoint from its Checkpoints list.',
      );
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      done.map((j) => ({
        label: j.snapshot.suffix ?? j.jobId,
        description: `${j.snapshot.fineTunedModel} · ${j.providerLabel}`,
        detail: j.jobId,
        key: j.key,
      })),
      { title: 'Evaluate which job against its base model?' },
    );
    return pick ? { key: pick.key } : undefined;
  }

  private fail(message: string): EvaluateJobResult {
    void vscode.window.showErrorMessage(message);
    return { ok: false, message };
  }
}

/** Non-blank lines of a JSONL file, streamed (a dataset may be large). */
async function countLines(file: string): Promise<number | undefined> {
  try {
    let n = 0;
    let blank = true;
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      for (const byte of chunk) {
        if (byte === 10) {
          if (!blank) n++;
          blank = true;
        } else if (byte !== 13 && byte !== 32 && byte !== 9) blank = false;
      }
    }
    return blank ? n : n + 1;
  } catch {
    return undefined;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}
