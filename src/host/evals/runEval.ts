// "RFT Studio: Run Eval" and "Estimate Eval Cost" on a *.rfteval.json: load the spec (problems on the spec's
// fields), require a trusted workspace for python graders, reach each candidate's provider, estimate, ask in a
// modal before anything is spent, then run the core runner under a cancellable notification, log the outcome and
// open the comparison of the run folder.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EvalCache } from '../../core/evals/cache';
import type { EvalEstimate } from '../../core/evals/estimate';
import { estimateEval } from '../../core/evals/estimate';
import type { EvalCandidateClient, EvalProgress } from '../../core/evals/runner';
import { runEval } from '../../core/evals/runner';
import type { ResolvedEvalSpec } from '../../core/evals/spec';
import { EvalSpecError, loadEvalSpec } from '../../core/evals/spec';
import type { EvalReport } from '../../core/evals/types';
import type { Grader } from '../../core/graders/types';
import { Disposable } from '../../core/lifecycle';
import { describeApiError } from '../../core/providers';
import { toVscodeDiagnostic } from '../diagnosticsAdapter';
import type { HostContext } from '../hostContext';
import { MissingCredentialError } from '../providers/providerStore';
import { EvalCodeLensProvider } from './evalCodeLens';

export const RUN_EVAL_COMMAND = 'rftStudio.runEval';
export const ESTIMATE_EVAL_COMMAND = 'rftStudio.estimateEval';
/** Test mode only: queue answers (true = Run) for the next confirmations (a second argument true first drops the
 * unused ones), and read the questions asked so far. */
export const EVAL_TEST_CONFIRM_COMMAND = '_rftStudio.evalTestConfirmAnswers';
/** Test mode only: the lens titles each *.rfteval.json editor was last given. */
export const EVAL_TEST_LENSES_COMMAND = '_rftStudio.evalTestLenses';
const RUN = 'Run';

/** The commands' argument besides a bare URI (tests, CodeLens, other commands). */
export interface RunEvalArgs {
  uri?: vscode.Uri | string;
  /** false: start a new run folder even when an unfinished run of this spec could be resumed. */
  resume?: boolean;
  /** false: do not open the comparison when the run ends. */
  openComparison?: boolean;
}

export type RunEvalResult =
  | {
      ok: true;
      dir: string;
      status: string;
      resumed: boolean;
      estimate: Pick<EvalEstimate, 'calls' | 'cached' | 'usd' | 'promptTokens'>;
      report?: EvalReport;
    }
  | { ok: false; stage: 'spec' | 'trust' | 'provider' | 'estimate' | 'confirm' | 'run'; message: string };

type Failure = Extract<RunEvalResult, { ok: false }>;

/** Asks before a run spends anything. */
export interface EvalConfirm {
  confirm(message: string, detail: string): Promise<boolean>;
}

class ModalEvalConfirm implements EvalConfirm {
  async confirm(message: string, detail: string): Promise<boolean> {
    return (await vscode.window.showInformationMessage(message, { modal: true, detail }, RUN)) === RUN;
  }
}

/** Under the test harness: scripted answers first (recording each question), then the real modal. */
class ScriptedEvalConfirm extends Disposable implements EvalConfirm {
  private readonly answers: boolean[] = [];
  private readonly asked: Array<{ message: string; detail: string }> = [];

  constructor(private readonly real: EvalConfirm) {
    super();
    this._register(
      vscode.commands.registerCommand(EVAL_TEST_CONFIRM_COMMAND, (answers?: unknown, clear?: unknown) => {
        if (clear === true) this.answers.length = 0;
        if (Array.isArray(answers)) this.answers.push(...answers.map((a) => a === true));
        return [...this.asked];
      }),
    );
  }

  async confirm(message: string, detail: string): Promise<boolean> {
    if (!this.answers.length) return this.real.confirm(message, detail);
    this.asked.push({ message, detail });
    return this.answers.shift()!;
  }
}

/** A loaded spec with a client per candidate: what both commands need before estimating. */
interface Prepared {
  uri: vscode.Uri;
  rel: string;
  root: string;
  spec: ResolvedEvalSpec;
  clients: Map<string, EvalCandidateClient & { providerLabel: string }>;
}

export class EvalRunCommands extends Disposable {
  private readonly diagnostics = this._register(
    vscode.languages.createDiagnosticCollection('rftStudio.evalSpec'),
  );
  private readonly confirmer: EvalConfirm;
  private readonly running = new Set<string>();

  constructor(
    private readonly ctx: HostContext,
    testMode: boolean,
  ) {
    super();
    this.confirmer = testMode
      ? this._register(new ScriptedEvalConfirm(new ModalEvalConfirm()))
      : new ModalEvalConfirm();
    const lenses = this._register(new EvalCodeLensProvider());
    this._register(
      vscode.commands.registerCommand(RUN_EVAL_COMMAND, (arg?: RunEvalArgs | vscode.Uri) =>
        this.run(normaliseArgs(arg)),
      ),
    );
    this._register(
      vscode.commands.registerCommand(ESTIMATE_EVAL_COMMAND, (arg?: RunEvalArgs | vscode.Uri) =>
        this.estimate(normaliseArgs(arg)),
      ),
    );
    if (testMode)
      this._register(vscode.commands.registerCommand(EVAL_TEST_LENSES_COMMAND, () => lenses.shownTitles()));
  }

  async estimate(args: RunEvalArgs): Promise<EvalEstimate | Failure | undefined> {
    const prepared = await this.prepare(args);
    if (!prepared || 'stage' in prepared) return prepared;
    const estimate = await this.estimateOf(prepared);
    if ('stage' in estimate) return estimate;
    this.ctx.log.info(`Estimate of ${prepared.rel}: ${estimate.summary}`);
    void vscode.window
      .showInformationMessage(`Eval "${prepared.spec.name}": ${estimate.summary}`, RUN)
      .then((pick) => pick === RUN && vscode.commands.executeCommand(RUN_EVAL_COMMAND, prepared.uri));
    return estimate;
  }

  async run(args: RunEvalArgs): Promise<RunEvalResult | undefined> {
    const prepared = await this.prepare(args);
    if (!prepared || 'stage' in prepared) return prepared;
    const { uri, rel, root, spec, clients } = prepared;
    if (this.running.has(uri.fsPath)) {
      const message = `The eval ${rel} is already running.`;
      void vscode.window.showWarningMessage(message);
      return fail('run', message);
    }
    const estimate = await this.estimateOf(prepared);
    if ('stage' in estimate) return estimate;
    const providerLine = [...clients.entries()]
      .map(
        ([label, c]) =>
          `${label}: ${spec.candidates.find((x) => x.label === label)?.model} on ${c.providerLabel}`,
      )
      .join('\n');
    // Every request answered by the cache (model graders too, from theirs): nothing to spend, nothing to ask.
    const free = estimate.calls > 0 && estimate.cached === estimate.calls;
    if (free)
      this.ctx.log.info(`Eval ${rel}: all ${estimate.calls} request(s) cached; running without asking.`);
    const ok =
      free ||
      (await this.confirmer.confirm(
        `Run eval "${spec.name}"? ${estimate.calls - estimate.cached} model call(s), ${estimate.cached} cached, ${estimate.promptTokens.toLocaleString('en-US')} prompt tokens, about $${estimate.usd.toFixed(estimate.usd < 1 ? 3 : 2)}.`,
        `${estimate.summary}\n\n${providerLine}\n\nNothing is sent until you choose Run. Results go to .rft/evals/ in a new folder (an unfinished run of this spec is resumed).`,
      ));
    if (!ok) {
      this.ctx.log.info(`Eval ${rel} not run: not confirmed.`);
      return fail('confirm', 'Not confirmed.');
    }

    this.running.add(uri.fsPath);
    const started = Date.now();
    this.ctx.log.info(`Eval ${rel}: ${estimate.summary}`);
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Eval ${spec.name}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          let shown = 0;
          const onProgress = (p: EvalProgress) => {
            const fraction = p.total ? p.done / p.total : 0;
            progress.report({
              message: progressText(p),
              increment: Math.max(0, (fraction - shown) * 100),
            });
            shown = Math.max(shown, fraction);
          };
          try {
            return await runEval(
              spec,
              {
                clientFor: (c) => clients.get(c.label)!,
                grading: {
                  python: {
                    allow: vscode.workspace.isTrusted,
                    interpreter: this.ctx.config.value('python.interpreter'),
                    timeoutMs: this.ctx.config.value('python.timeoutSeconds') * 1000,
                    allowUnsandboxed: this.ctx.config.value('python.allowUnsandboxed'),
                  },
                  textSimilarity: { tokenizerSwitch: this.ctx.config.value('grading.tokenizerSwitch') },
                },
                log: this.ctx.log,
              },
              { root, signal: abort.signal, onProgress, resume: args.resume !== false },
            );
          } finally {
            sub.dispose();
          }
        },
      );
      const { manifest, dir, report } = result;
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      this.ctx.log.info(
        `Eval ${rel} ${manifest.status} in ${secs} s${result.resumed ? ' (resumed)' : ''}: ${dir}; ${manifest.counts.requests} request(s), ${manifest.counts.cached} cached, ${manifest.counts.failed} failed${manifest.counts.spent_usd !== undefined ? `, $${manifest.counts.spent_usd.toFixed(4)} spent` : ''}.`,
      );
      if (report) this.ctx.log.info(reportLines(report).join('\n'));
      const headline = report ? headlineOf(report) : '';
      const dirUri = vscode.Uri.file(dir);
      if (manifest.status === 'completed') {
        if (args.openComparison !== false)
          await vscode.commands.executeCommand('rftStudio.openEvalComparison', dirUri);
        void vscode.window.showInformationMessage(
          `Eval ${spec.name} finished${headline ? `: ${headline}` : ''}.${manifest.counts.failed ? ` ${manifest.counts.failed} sample(s) failed (see the log).` : ''}`,
        );
      } else {
        const why =
          manifest.status === 'cancelled'
            ? 'was cancelled'
            : manifest.status === 'spend_limit'
              ? 'stopped at its spend limit'
              : 'failed';
        void vscode.window
          .showWarningMessage(
            `Eval ${spec.name} ${why} after ${report ? report.candidates.reduce((n, c) => n + c.samples, 0) : 0} sample(s). Run it again to resume without paying for the finished requests.`,
            'Open Comparison',
            'Show Log',
          )
          .then((pick) => {
            if (pick === 'Open Comparison')
              void vscode.commands.executeCommand('rftStudio.openEvalComparison', dirUri);
            if (pick === 'Show Log') this.ctx.log.show();
          });
      }
      return {
        ok: true,
        dir,
        status: manifest.status,
        resumed: result.resumed,
        estimate: {
          calls: estimate.calls,
          cached: estimate.cached,
          usd: estimate.usd,
          promptTokens: estimate.promptTokens,
        },
        report,
      };
    } catch (e) {
      const info = describeApiError(e);
      this.ctx.log.error(`Eval ${rel} failed`, e);
      const message = `Eval ${spec.name} failed: ${info.message}`;
      void vscode.window.showErrorMessage(message, 'Show Log').then((p) => p && this.ctx.log.show());
      return fail('run', message);
    } finally {
      this.running.delete(uri.fsPath);
    }
  }

  /** The spec loaded (problems shown on it), python allowed, and every candidate's provider reached. */
  private async prepare(args: RunEvalArgs): Promise<Prepared | Failure | undefined> {
    const uri = await this.pickSpec(args.uri);
    if (!uri) return undefined;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open?.isDirty) await open.save();
    const rel = vscode.workspace.asRelativePath(uri);
    const root = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(uri.fsPath);

    let spec: ResolvedEvalSpec;
    try {
      spec = await loadEvalSpec(uri.fsPath);
      this.diagnostics.delete(uri);
    } catch (e) {
      if (!(e instanceof EvalSpecError)) throw e;
      this.diagnostics.set(
        uri,
        e.diagnostics.map((d) => toVscodeDiagnostic(d, uri)),
      );
      const first = e.diagnostics[0]?.message ?? e.message;
      const message = `${rel} cannot run: ${first}`;
      this.ctx.log.warn(message);
      void vscode.window
        .showErrorMessage(message, 'Show Problems')
        .then((p) => p && vscode.commands.executeCommand('workbench.actions.view.problems'));
      return fail('spec', message);
    }

    const python = spec.graders.filter((g) => usesPython(g.grader)).map((g) => g.name);
    if (python.length && !vscode.workspace.isTrusted) {
      const message = `${rel} grades with python (${python.join(', ')}): python graders run code from the workspace, so they run only in a trusted workspace.`;
      void vscode.window
        .showErrorMessage(message, 'Manage Workspace Trust')
        .then((p) => p && vscode.commands.executeCommand('workbench.trust.manage'));
      return fail('trust', message);
    }

    const clients: Prepared['clients'] = new Map();
    const active = this.ctx.providers.activeEntry();
    for (const c of spec.candidates) {
      const entry = c.provider ? this.ctx.providers.get(c.provider) : active;
      if (!entry) {
        const message = c.provider
          ? `Candidate "${c.label}" names the provider "${c.provider}", which is not configured.`
          : `Candidate "${c.label}" samples through the active provider, and there is none: add one (OpenAI, Azure OpenAI, an OpenAI-compatible server, or the local emulator).`;
        void vscode.window
          .showErrorMessage(message, 'Add Provider')
          .then((p) => p && vscode.commands.executeCommand('rftStudio.addProvider'));
        return fail('provider', message);
      }
      try {
        const pc = await this.ctx.providers.client(entry.id, { interactive: true });
        clients.set(c.label, { client: pc.client, kind: entry.kind, providerLabel: entry.label });
      } catch (e) {
        const message =
          e instanceof MissingCredentialError
            ? e.message
            : `Cannot reach ${entry.label} for candidate "${c.label}": ${describeApiError(e).message}`;
        void vscode.window.showErrorMessage(message);
        return fail('provider', message);
      }
    }
    return { uri, rel, root, spec, clients };
  }

  private async estimateOf(p: Prepared): Promise<EvalEstimate | Failure> {
    try {
      return await estimateEval(p.spec, {
        baseUrlOf: (label) => {
          const c = p.clients.get(label)!;
          return c.baseUrl ?? c.client.baseURL;
        },
        cache: EvalCache.forWorkspace(p.root),
      });
    } catch (e) {
      this.ctx.log.error(`Cannot estimate ${p.rel}`, e);
      const message = `Cannot estimate ${p.rel}: ${(e as Error).message}`;
      void vscode.window.showErrorMessage(message);
      return fail('estimate', message);
    }
  }

  private async pickSpec(uri: vscode.Uri | string | undefined): Promise<vscode.Uri | undefined> {
    if (uri) return typeof uri === 'string' ? toUri(uri) : uri;
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active && active.path.endsWith('.rfteval.json')) return active;
    const found = await vscode.workspace.findFiles('**/*.rfteval.json', '**/node_modules/**', 200);
    if (!found.length) {
      void vscode.window.showErrorMessage(
        'No *.rfteval.json eval spec in this workspace. Write one (see demo/evals/countdown.rfteval.json), or use "Evaluate Against Base Model" on a succeeded job.',
      );
      return undefined;
    }
    if (found.length === 1) return found[0];
    const pick = await vscode.window.showQuickPick(
      found.map((u) => ({
        label: path.basename(u.fsPath),
        description: vscode.workspace.asRelativePath(u),
        uri: u,
      })),
      { title: 'Which eval spec?', matchOnDescription: true },
    );
    return pick?.uri;
  }
}

function fail(stage: Failure['stage'], message: string): Failure {
  return { ok: false, stage, message };
}

function normaliseArgs(arg: RunEvalArgs | vscode.Uri | undefined): RunEvalArgs {
  if (!arg) return {};
  if (arg instanceof vscode.Uri) return { uri: arg };
  return typeof arg === 'object' ? arg : {};
}

function toUri(s: string): vscode.Uri {
  if (/^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s)) return vscode.Uri.parse(s);
  if (path.isAbsolute(s)) return vscode.Uri.file(s);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  return root ? vscode.Uri.joinPath(root, s) : vscode.Uri.file(path.resolve(s));
}

function usesPython(g: Grader): boolean {
  if (g.type === 'python') return true;
  return g.type === 'multi' && Object.values(g.graders).some((c) => usesPython(c as Grader));
}

function progressText(p: EvalProgress): string {
  return [
    `${p.done}/${p.total} samples`,
    p.cached ? `${p.cached} cached` : '',
    p.failed ? `${p.failed} failed` : '',
    p.spentUsd ? `$${p.spentUsd.toFixed(3)}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

const fmt = (v: number) => v.toFixed(3);

function reportLines(r: EvalReport): string[] {
  return [
    ...r.candidates.map(
      (c) =>
        `  ${c.label} (${c.model}): mean ${fmt(c.mean)} [${fmt(c.ci[0])}, ${fmt(c.ci[1])}], ${c.samples} sample(s), ${c.errors} error(s), pass rate ${fmt(c.pass_rate)}`,
    ),
    ...r.comparisons.map(
      (x) =>
        `  ${x.a} − ${x.b}: ${x.difference >= 0 ? '+' : ''}${fmt(x.difference)} [${fmt(x.ci[0])}, ${fmt(x.ci[1])}], p = ${x.p_value.toPrecision(2)} (Wilcoxon), wins/ties/losses ${x.wins}/${x.ties}/${x.losses}`,
    ),
  ];
}

/** "tuned 0.743 vs base 0.331: +0.412, p = 0.0012". */
function headlineOf(r: EvalReport): string {
  const x = r.comparisons[0];
  if (!x) return r.candidates.map((c) => `${c.label} ${fmt(c.mean)}`).join(', ');
  const mean = (l: string) => r.candidates.find((c) => c.label === l)?.mean;
  const a = mean(x.a);
  const b = mean(x.b);
  return `${x.a} ${a === undefined ? '?' : fmt(a)} vs ${x.b} ${b === undefined ? '?' : fmt(b)}: ${x.difference >= 0 ? '+' : ''}${fmt(x.difference)}, p = ${x.p_value.toPrecision(2)}`;
}
