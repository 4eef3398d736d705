// The Grader Lab webview panel: the user picks a dataset, candidate graders and sample outputs; the panel runs
// them through the local grader engine and shows whether each grader gives a learning signal. One panel per
// window, restored after a reload.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { GraderEngine } from '../../core/graders/engine';
import { pairSamplesFile, readDataItems } from '../../core/graders/gradeInputs';
import type { Grader } from '../../core/graders/types';
import { toCsv, toJsonl } from '../../core/lab/export';
import type { LabGrader, LabItem, LabRow, LabSample } from '../../core/lab/labRun';
import { analyzeLab, itemKeyOf, runLab, runProbes } from '../../core/lab/labRun';
import { recommendGrader } from '../../core/lab/recommend';
import { planSampling, sampleModel } from '../../core/lab/sampling';
import { Disposable, toDisposable } from '../../core/lifecycle';
import type {
  LabSetup,
  LabStatus,
  LabToHost,
  LabToWebview,
  RemoteDiff,
} from '../../shared/graderLabProtocol';
import { LAB_MESSAGE_SPEC, LAB_VIEW_TYPE } from '../../shared/graderLabProtocol';
import type { HostContext } from '../hostContext';
import { WebviewBridge } from '../webviews/webviewBridge';
import { renderWebviewHtml, webviewOptions } from '../webviews/webviewHtml';

const SETUP_KEY = 'rftStudio.lab.setup';
const MAX_ITEMS = 50_000;
/** Pasted outputs for one item are separated by a line holding only `---`. */
export const PASTE_SEPARATOR = /^\s*---\s*$/m;

export function defaultSetup(): LabSetup {
  return {
    graders: [],
    samplesMode: 'file',
    pasted: { itemIndex: 0, text: '' },
    model: { model: 'o4-mini-2025-04-16', k: 4 },
    threshold: 0.5,
  };
}

interface Loaded {
  items: LabItem[];
  skippedLines: number;
}

export class GraderLabPanel extends Disposable {
  private static current: GraderLabPanel | undefined;

  private readonly bridge: WebviewBridge<LabToHost, LabToWebview>;
  private setup: LabSetup;
  private loaded: Loaded | undefined;
  private rows: LabRow[] = [];
  private lastAnalysis: Extract<LabToWebview, { type: 'analysis' }> | undefined;
  private status: LabStatus = { phase: 'idle', done: 0, total: 0 };
  private running: AbortController | undefined;
  private engine: GraderEngine | undefined;

  static show(ctx: HostContext, addGrader?: vscode.Uri): GraderLabPanel {
    if (!GraderLabPanel.current) {
      const panel = vscode.window.createWebviewPanel(LAB_VIEW_TYPE, 'Grader Lab', vscode.ViewColumn.Active, {
        ...webviewOptions(ctx.extension.extensionUri),
        retainContextWhenHidden: true,
      });
      GraderLabPanel.current = new GraderLabPanel(ctx, panel);
    } else {
      GraderLabPanel.current.panel.reveal();
    }
    if (addGrader) void GraderLabPanel.current.addGrader(addGrader);
    return GraderLabPanel.current;
  }

  static revive(ctx: HostContext, panel: vscode.WebviewPanel): void {
    GraderLabPanel.current?.dispose();
    panel.webview.options = webviewOptions(ctx.extension.extensionUri);
    GraderLabPanel.current = new GraderLabPanel(ctx, panel);
  }

  private constructor(
    private readonly ctx: HostContext,
    private readonly panel: vscode.WebviewPanel,
  ) {
    super();
    this.setup = { ...defaultSetup(), ...ctx.extension.workspaceState.get<Partial<LabSetup>>(SETUP_KEY, {}) };
    if (!this.setup.dataset && this.setup.graders.length === 0) this.applyWorkspaceDefaults();
    panel.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, 'webview', 'media', 'rft-studio.svg');
    panel.webview.html = renderWebviewHtml(panel.webview, ctx.extension.extensionUri, {
      app: 'graderLab',
      title: 'Grader Lab',
    });
    this.bridge = this._register(
      new WebviewBridge<LabToHost, LabToWebview>({
        webview: panel.webview,
        spec: LAB_MESSAGE_SPEC,
        log: ctx.log,
        onReady: () => this.fullState(),
        onMessage: (m) => this.onMessage(m),
      }),
    );
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(toDisposable(() => this.running?.abort()));
    this._register(toDisposable(() => this.engine?.dispose()));
    this._register(
      toDisposable(() => GraderLabPanel.current === this && (GraderLabPanel.current = undefined)),
    );
    void this.refreshItems();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.panel.dispose();
  }

  /** Workspace settings rftStudio.lab.* seed an empty lab (the demo workspace uses them). */
  private applyWorkspaceDefaults(): void {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!folder) return;
    const abs = (p: string | undefined) => (p ? path.resolve(folder, p) : undefined);
    const dataset = abs(this.ctx.config.get<string>('lab.dataset', ''));
    const graders = this.ctx.config.get<string[]>('lab.graders', []).map((g) => abs(g)!);
    const samples = abs(this.ctx.config.get<string>('lab.samples', ''));
    const rf = abs(this.ctx.config.get<string>('lab.responseFormat', ''));
    if (dataset) this.setup.dataset = dataset;
    if (samples) this.setup.samplesFile = samples;
    if (rf) this.setup.responseFormat = rf;
    this.setup.graders = graders.map((p) => ({ path: p, label: path.basename(p), type: '' }));
  }

  private fullState(): LabToWebview[] {
    const msgs: LabToWebview[] = [this.setupMessage(), { type: 'status', status: this.status }];
    if (this.rows.length) msgs.push({ type: 'rows', rows: this.rows, reset: true });
    if (this.lastAnalysis) msgs.push(this.lastAnalysis);
    return msgs;
  }

  private setupMessage(): LabToWebview {
    const items = (this.loaded?.items ?? []).slice(0, 500).map((x, index) => ({
      index,
      key: x.key,
      line: x.line,
      preview: lastUserPreview(x.item),
    }));
    const plan =
      this.setup.samplesMode === 'model' && this.loaded
        ? planSampling(this.loaded.items, this.setup.model.model, this.setup.model.k).summary
        : undefined;
    return {
      type: 'setup',
      setup: this.setup,
      items,
      samplingPlan: plan,
      trusted: vscode.workspace.isTrusted,
    };
  }

  private async pushSetup(): Promise<void> {
    await this.ctx.extension.workspaceState.update(SETUP_KEY, this.setup);
    const msg = this.setupMessage();
    const provider = await this.ctx.providers.active().catch(() => undefined);
    if (msg.type === 'setup' && provider)
      msg.provider = { label: provider.label, graderRun: provider.graderRun };
    this.bridge.post(msg);
  }

  private notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.bridge.post({ type: 'notice', level, message });
  }

  private setStatus(status: LabStatus): void {
    this.status = status;
    this.bridge.post({ type: 'status', status });
  }

  private async onMessage(m: LabToHost): Promise<void> {
    switch (m.type) {
      case 'pick':
        return this.pick(m.what);
      case 'removeGrader':
        this.setup.graders = this.setup.graders.filter((g) => g.path !== m.path);
        return this.pushSetup();
      case 'clearResponseFormat':
        this.setup.responseFormat = undefined;
        return this.pushSetup();
      case 'setMode':
        this.setup.samplesMode = m.mode;
        return this.pushSetup();
      case 'setPasted':
        this.setup.pasted = { itemIndex: m.itemIndex, text: m.text };
        await this.ctx.extension.workspaceState.update(SETUP_KEY, this.setup);
        return;
      case 'setModel':
        this.setup.model = { model: m.model.trim(), k: m.k };
        return this.pushSetup();
      case 'setThreshold':
        this.setup.threshold = m.threshold;
        await this.ctx.extension.workspaceState.update(SETUP_KEY, this.setup);
        if (this.rows.length) await this.analyze();
        return;
      case 'run':
        return this.run();
      case 'cancel':
        this.running?.abort();
        return;
      case 'export':
        return this.export(m.format);
      case 'verifyRemote':
        return this.verifyRemote(m.count);
      case 'reveal':
        return this.reveal(m.line);
    }
  }

  private async pick(what: 'dataset' | 'samples' | 'responseFormat' | 'grader'): Promise<void> {
    const filters: Record<string, Record<string, string[]>> = {
      dataset: { 'JSON Lines': ['jsonl'] },
      samples: { 'JSON Lines': ['jsonl'] },
      responseFormat: { JSON: ['json'] },
      grader: { 'Grader JSON': ['json'] },
    };
    const titles = {
      dataset: 'Dataset',
      samples: 'Sample outputs',
      responseFormat: 'Response format',
      grader: 'Add grader',
    };
    const uris = await vscode.window.showOpenDialog({
      canSelectMany: what === 'grader',
      filters: filters[what],
      title: `Grader Lab: ${titles[what]}`,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (!uris?.length) return;
    if (what === 'grader') {
      for (const u of uris) await this.addGrader(u);
      return;
    }
    if (what === 'dataset') {
      this.setup.dataset = uris[0].fsPath;
      await this.refreshItems();
    } else if (what === 'samples') this.setup.samplesFile = uris[0].fsPath;
    else this.setup.responseFormat = uris[0].fsPath;
    await this.pushSetup();
  }

  async addGrader(uri: vscode.Uri): Promise<void> {
    try {
      const grader = await readGrader(uri.fsPath);
      if (!this.setup.graders.some((g) => g.path === uri.fsPath)) {
        this.setup.graders.push({
          path: uri.fsPath,
          label: grader.name || path.basename(uri.fsPath),
          type: grader.type,
        });
      }
    } catch (e) {
      this.notice('error', `${path.basename(uri.fsPath)}: ${(e as Error).message}`);
    }
    await this.pushSetup();
  }

  private async refreshItems(): Promise<void> {
    this.loaded = undefined;
    if (this.setup.dataset) {
      try {
        this.loaded = await loadItems(this.setup.dataset);
        if (this.loaded.skippedLines) {
          this.notice(
            'warning',
            `${this.loaded.skippedLines} line(s) of the dataset are not JSON objects and were skipped; validate the file to see where.`,
          );
        }
      } catch (e) {
        this.notice('error', `Cannot read the dataset: ${(e as Error).message}`);
      }
    }
    // Refresh grader labels/types from disk (files may have changed since the state was saved).
    for (const g of this.setup.graders) {
      try {
        const grader = await readGrader(g.path);
        g.label = grader.name || path.basename(g.path);
        g.type = grader.type;
      } catch {
        g.type = '?';
      }
    }
    await this.pushSetup();
  }

  private async run(): Promise<void> {
    if (this.running) return;
    const setup = this.setup;
    if (!setup.dataset) return this.notice('warning', 'Choose a dataset first.');
    if (!setup.graders.length) return this.notice('warning', 'Add at least one grader.');
    const controller = new AbortController();
    this.running = controller;
    this.rows = [];
    this.lastAnalysis = undefined;
    this.bridge.post({ type: 'rows', rows: [], reset: true });
    try {
      await this.refreshItems();
      const loaded = this.loaded;
      if (!loaded?.items.length) throw new Error('The dataset has no examples.');
      const graders: LabGrader[] = [];
      for (const g of setup.graders) {
        try {
          graders.push({ id: g.path, label: g.label, grader: await readGrader(g.path) });
        } catch (e) {
          throw new Error(`${path.basename(g.path)}: ${(e as Error).message}`);
        }
      }
      const responseFormat = setup.responseFormat ? await readJson(setup.responseFormat) : undefined;
      const samples = await this.collectSamples(loaded.items, responseFormat, controller.signal);
      if (!samples.length) throw new Error('No samples to grade.');
      const provider = await this.ctx.providers.active().catch(() => undefined);
      this.engine?.dispose();
      this.engine = new GraderEngine({
        log: this.ctx.log,
        python: {
          allow: vscode.workspace.isTrusted,
          allowUnsandboxed: this.ctx.config.get<boolean>('python.allowUnsandboxed', false),
          interpreter: this.ctx.config.get<string>('python.interpreter', 'python3'),
          timeoutMs: this.ctx.config.get<number>('python.timeoutSeconds', 120) * 1000,
        },
        modelClient: provider?.modelGraders ? provider.client : undefined,
      });
      if (!vscode.workspace.isTrusted && graders.some((g) => usesPython(g.grader))) {
        this.notice(
          'warning',
          'This workspace is not trusted, so python graders are not run (they score 0 with python_grader_server_error). Trust the workspace to run them.',
        );
      }
      const total = samples.length * graders.length;
      this.setStatus({ phase: 'grading', done: 0, total });
      const rows = await runLab(this.engine, loaded.items, samples, graders, {
        responseFormat,
        signal: controller.signal,
        onRows: (batch) => {
          this.rows.push(...batch);
          this.bridge.post({ type: 'rows', rows: batch });
        },
        onProgress: (done) => this.setStatus({ phase: 'grading', done, total }),
      });
      this.rows = rows;
      if (controller.signal.aborted) {
        this.setStatus({ phase: 'cancelled', done: rows.length, total, message: 'Cancelled.' });
        return;
      }
      this.setStatus({
        phase: 'probing',
        done: rows.length,
        total,
        message: 'Grading reward-hacking probes…',
      });
      await this.analyze(loaded.items, graders, responseFormat, controller.signal);
      this.setStatus(
        controller.signal.aborted
          ? { phase: 'cancelled', done: rows.length, total, message: 'Cancelled.' }
          : {
              phase: 'done',
              done: rows.length,
              total,
              message: `Graded ${samples.length} sample(s) with ${graders.length} grader(s).`,
            },
      );
    } catch (e) {
      const message = controller.signal.aborted ? 'Cancelled.' : (e as Error).message;
      this.setStatus({
        phase: controller.signal.aborted ? 'cancelled' : 'error',
        done: this.rows.length,
        total: 0,
        message,
      });
      if (!controller.signal.aborted) this.ctx.log.error('Grader Lab run failed', e);
    } finally {
      this.running = undefined;
    }
  }

  /** Analyses of the current rows; probes are re-run only when graders/items are given (after a run). */
  private async analyze(
    items?: LabItem[],
    graders?: LabGrader[],
    responseFormat?: unknown,
    signal?: AbortSignal,
  ): Promise<void> {
    const labGraders =
      graders ??
      this.setup.graders.map((g) => ({ id: g.path, label: g.label, grader: undefined as unknown as Grader }));
    const analysis = analyzeLab(this.rows, labGraders, this.setup.threshold);
    let probes = this.lastAnalysis?.probes ?? [];
    if (items && graders && this.engine) {
      const baselines = Object.fromEntries(analysis.graders.map((a) => [a.graderId, a.signal.meanReward]));
      probes = await runProbes(this.engine, items, graders, {
        responseFormat,
        maxItems: 10,
        signal,
        baselines,
      });
    }
    const labels = new Map(this.setup.graders.map((g) => [g.path, g.label]));
    const recommendation = recommendGrader(analysis, probes, (id) => labels.get(id) ?? path.basename(id));
    this.lastAnalysis = { type: 'analysis', analysis, probes, recommendation };
    this.bridge.post(this.lastAnalysis);
  }

  private async collectSamples(
    items: LabItem[],
    responseFormat: unknown,
    signal: AbortSignal,
  ): Promise<LabSample[]> {
    const setup = this.setup;
    switch (setup.samplesMode) {
      case 'file': {
        if (!setup.samplesFile)
          throw new Error('Choose a samples file (one sample per line), or paste outputs.');
        // The same pairing as `rft-studio grade --samples`: by id when the samples carry item ids, else by line.
        const byLine = new Map(items.map((x, i) => [x.line + 1, i]));
        const data = items.map((x) => ({ line: x.line + 1, item: x.item }));
        const { rows, problems, notes } = await pairSamplesFile(data, setup.samplesFile, {
          responseFormat,
          signal,
        });
        if (problems.length) {
          const first = problems.slice(0, 3).map((p) => `line ${p.line}: ${p.message}`);
          this.notice('warning', `${problems.length} sample line(s) skipped — ${first.join('; ')}`);
        }
        for (const n of notes) this.notice('info', n);
        const counters = new Map<number, number>();
        return rows.map((r) => {
          const itemIndex = byLine.get(r.line)!;
          const sampleIndex = counters.get(itemIndex) ?? 0;
          counters.set(itemIndex, sampleIndex + 1);
          return { itemIndex, sampleIndex, input: r.sample };
        });
      }
      case 'pasted': {
        const itemIndex = Math.min(Math.max(0, setup.pasted.itemIndex), items.length - 1);
        const outputs = setup.pasted.text
          .split(PASTE_SEPARATOR)
          .map((s) => s.replace(/^\r?\n|\r?\n$/g, ''))
          .filter((s) => s.trim() !== '');
        if (!outputs.length)
          throw new Error('Paste at least one output (separate several with a line holding only ---).');
        return outputs.map((text, sampleIndex) => ({ itemIndex, sampleIndex, input: text }));
      }
      case 'model': {
        const provider = await this.ctx.providers.active();
        if (!provider)
          throw new Error('Sampling a model needs a provider: run "RFT Studio: Add Provider" first.');
        const plan = planSampling(items, setup.model.model, setup.model.k);
        const go = await vscode.window.showWarningMessage(
          `Sample ${setup.model.model} through ${provider.label}?`,
          { modal: true, detail: `${plan.summary}\nNothing is sent until you confirm.` },
          'Send',
        );
        if (go !== 'Send') throw new Error('Sampling not confirmed; nothing was sent.');
        this.setStatus({ phase: 'sampling', done: 0, total: plan.calls });
        return sampleModel(provider.client, items, {
          model: setup.model.model,
          k: setup.model.k,
          responseFormat,
          signal,
          onSample: (_s, done, total) => this.setStatus({ phase: 'sampling', done, total }),
        });
      }
    }
  }

  private async export(format: 'jsonl' | 'csv'): Promise<void> {
    if (!this.rows.length) return this.notice('warning', 'Run the lab first: there is nothing to export.');
    const base = this.setup.dataset
      ? this.setup.dataset.replace(/\.jsonl$/i, '')
      : path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', 'grader-lab');
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(`${base}.lab-results.${format}`),
      filters: format === 'csv' ? { CSV: ['csv'] } : { 'JSON Lines': ['jsonl'] },
      title: `Export Grader Lab results (${format.toUpperCase()})`,
    });
    if (!target) return;
    const labels = new Map(this.setup.graders.map((g) => [g.path, g.label]));
    const rows = this.rows.map((r) => ({
      grader: labels.get(r.graderId) ?? r.graderId,
      line: r.line + 1,
      itemKey: r.itemKey,
      sample: r.output,
      reward: r.reward,
      subRewards: r.subRewards,
      errors: r.errors,
      traceback: r.traceback,
    }));
    await vscode.workspace.fs.writeFile(
      target,
      Buffer.from(format === 'csv' ? toCsv(rows) : toJsonl(rows), 'utf8'),
    );
    this.notice('info', `Exported ${rows.length} row(s) to ${vscode.workspace.asRelativePath(target)}.`);
    void vscode.window.showInformationMessage(
      `Grader Lab: exported ${rows.length} row(s) to ${vscode.workspace.asRelativePath(target)}.`,
    );
  }

  /** Runs a subset through the provider's graders/run endpoint and reports every difference. */
  private async verifyRemote(count: number): Promise<void> {
    const provider = await this.ctx.providers.active();
    if (!provider)
      return this.notice(
        'warning',
        'Remote verification needs a provider: run "RFT Studio: Add Provider" first.',
      );
    if (!provider.graderRun)
      return this.notice('warning', `${provider.label} does not offer the graders/run endpoint.`);
    if (!this.loaded || !this.rows.length) return this.notice('warning', 'Run the lab locally first.');
    const items = this.loaded.items;
    const subset = this.rows.slice(0, count);
    const diffs: RemoteDiff[] = [];
    this.setStatus({
      phase: 'grading',
      done: 0,
      total: subset.length,
      message: `Verifying with ${provider.label}…`,
    });
    let done = 0;
    for (const row of subset) {
      const grader = await readGrader(row.graderId);
      try {
        const remote = await provider.client.fineTuning.alpha.graders.run({
          grader: grader as never,
          model_sample: row.output,
          item: items[row.itemIndex].item,
        });
        const differences: string[] = [];
        if (Math.abs(remote.reward - row.reward) > 1e-9)
          differences.push(`reward ${row.reward} → ${remote.reward}`);
        for (const [k, v] of Object.entries(remote.sub_rewards ?? {})) {
          if (typeof v === 'number' && Math.abs(v - (row.subRewards[k] ?? NaN)) > 1e-9)
            differences.push(`sub_rewards.${k} ${row.subRewards[k]} → ${v}`);
        }
        const remoteErrors = Object.entries(remote.metadata?.errors ?? {})
          .filter(([, v]) => v === true)
          .map(([k]) => k);
        for (const e of new Set([...remoteErrors, ...row.errors])) {
          if (remoteErrors.includes(e) !== row.errors.includes(e))
            differences.push(`errors.${e} ${row.errors.includes(e)} → ${remoteErrors.includes(e)}`);
        }
        if (differences.length)
          diffs.push({
            graderId: row.graderId,
            itemKey: row.itemKey,
            sampleIndex: row.sampleIndex,
            local: row.reward,
            remote: remote.reward,
            differences,
          });
      } catch (e) {
        diffs.push({
          graderId: row.graderId,
          itemKey: row.itemKey,
          sampleIndex: row.sampleIndex,
          local: row.reward,
          remote: null,
          differences: [(e as Error).message],
        });
      }
      this.setStatus({
        phase: 'grading',
        done: ++done,
        total: subset.length,
        message: `Verifying with ${provider.label}…`,
      });
    }
    this.setStatus({
      phase: 'done',
      done,
      total: subset.length,
      message: `Verified ${done} row(s) remotely: ${diffs.length} differ.`,
    });
    this.bridge.post({ type: 'remote', checked: done, diffs });
  }

  private async reveal(line: number): Promise<void> {
    if (!this.setup.dataset) return;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(this.setup.dataset));
    const pos = new vscode.Position(Math.min(line, doc.lineCount - 1), 0);
    await vscode.window.showTextDocument(doc, {
      selection: new vscode.Range(pos, pos),
      viewColumn: vscode.ViewColumn.Beside,
      preview: true,
    });
  }
}

function usesPython(g: Grader): boolean {
  return (
    g.type === 'python' || (g.type === 'multi' && Object.values(g.graders).some((c) => c.type === 'python'))
  );
}

async function readJson(p: string): Promise<unknown> {
  const text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(p)))
    .toString('utf8')
    .replace(/^\ufeff/, '');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`not valid JSON (${(e as Error).message})`);
  }
}

async function readGrader(p: string): Promise<Grader> {
  const g = (await readJson(p)) as Grader;
  if (!g || typeof g !== 'object' || typeof (g as { type?: unknown }).type !== 'string')
    throw new Error('not a grader (no "type")');
  return g;
}

async function loadItems(file: string): Promise<Loaded> {
  const { items, problems } = await readDataItems(file);
  return {
    items: items
      .slice(0, MAX_ITEMS)
      .map((d) => ({ line: d.line - 1, key: itemKeyOf(d.item, d.line - 1), item: d.item })),
    skippedLines: problems.length,
  };
}

function lastUserPreview(item: Record<string, unknown>): string {
  const messages = Array.isArray(item.messages) ? (item.messages as Array<Record<string, unknown>>) : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === 'user' && typeof messages[i].content === 'string')
      return (messages[i].content as string).slice(0, 160);
  }
  return JSON.stringify(item).slice(0, 160);
}
