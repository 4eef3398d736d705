// Composition root: builds the object graph, registers every feature, and hands all disposables to VS Code.
// Nothing else touches context.subscriptions. Features load their heavy modules lazily.
import type * as vscode from 'vscode';
import { Config } from './host/config';
import { HostLogger } from './host/log';
import { EmulatorHost } from './host/providers/emulatorHost';
import { ProviderCommands, ProviderStatusBar } from './host/providers/providerCommands';
import { Providers } from './host/providers/providers';
import type { FeatureRegistration, HostContext } from './host/hostContext';
import { registerShowLogCommand } from './host/commands/showLogCommand';
import { JobCommands } from './host/jobs/jobCommands';
import { JobDetailsPanels } from './host/jobs/jobDetailsPanel';
import { JobMonitor } from './host/jobs/jobMonitor';
import { JobNotifier } from './host/jobs/jobNotifier';
import { JobsTestCommands } from './host/jobs/jobsTestCommands';
import { JobStore } from './host/jobs/jobStore';
import { JobsView } from './host/jobs/jobsView';
import { JobLauncher } from './host/jobs/launchCommand';
import { SpecCodeLensProvider, registerSpecCodeLenses } from './host/jobs/specCodeLens';
import { registerGraderLab } from './host/lab/registerGraderLab';
import { EvaluateJobCommand } from './host/evals/evaluateJob';
import { EvalRunCommands } from './host/evals/runEval';
import { registerTesting } from './host/testing/registerTesting';
import { EvalCompareCommands } from './host/evals/compareCommand';
import { registerDatasetPreview } from './host/preview/registerDatasetPreview';
import { DisposableStore } from './core/lifecycle';
import { DatasetDiagnostics } from './host/datasets/datasetDiagnostics';
import { DatasetSettings } from './host/datasets/datasetFiles';
import { DatasetQuickFixes } from './host/datasets/datasetQuickFixes';
import { DatasetStatusBar } from './host/datasets/datasetStatusBar';
import { ValidateFileCommand } from './host/datasets/validateFileCommand';
import { MapCodesCommand } from './host/prep/mapCodesCommand';
import { ModalOverwritePrompt, ScriptedOverwritePrompt } from './host/prep/overwritePrompt';
import { SampleDatasetCommand } from './host/prep/sampleDatasetCommand';
import { SplitDatasetCommand } from './host/prep/splitDatasetCommand';
import { isTestMode } from './host/testMode';
import { registerGraderAuthoring } from './host/graders/registerGraderAuthoring';
import { AgentTools } from './host/tools/languageModelTools';

const features: FeatureRegistration[] = [
  registerShowLogCommand,
  jobs,
  registerGraderLab,
  registerDatasetPreview,
  datasets,
  prep,
  registerGraderAuthoring,
  agentTools,
  evalRuns,
  registerTesting,
  evalComparison,
];

/** Evals: the comparison view of a run folder's candidates or of two runs (rftStudio.openEvalComparison). */
function evalComparison(ctx: HostContext): EvalCompareCommands {
  return new EvalCompareCommands(ctx);
}

/** Evals: Run Eval / Estimate Eval Cost on *.rfteval.json (command, CodeLens); the runs open the comparison. */
function evalRuns(ctx: HostContext): EvalRunCommands {
  return new EvalRunCommands(ctx, isTestMode(ctx.extension));
}

/** Agent tools: RFT Studio's checks as language-model tools for the chat agent (#rftValidate, …). */
function agentTools(ctx: HostContext): AgentTools {
  return new AgentTools(ctx);
}

/** Jobs: launch (command + CodeLens), the monitor, the Jobs view, details panels; the provider commands and
 * status bar (removing a provider forgets its jobs; the status bar spins while one runs); the local emulator. */
function jobs(ctx: HostContext): DisposableStore {
  const store = new DisposableStore();
  const { providers } = ctx;
  const jobStore = store.add(new JobStore(ctx.extension.workspaceState));
  const notifier = new JobNotifier();
  const monitor = store.add(new JobMonitor(ctx, jobStore, providers, notifier));
  const emulator = store.add(new EmulatorHost(ctx, providers.store));
  const launcher = store.add(new JobLauncher(ctx, providers, jobStore));
  const panels = store.add(new JobDetailsPanels(ctx, monitor));
  store.add(new ProviderCommands(ctx, providers, jobStore, emulator));
  store.add(new ProviderStatusBar(providers, monitor));
  const view = store.add(new JobsView(providers, monitor, panels));
  const specLenses = store.add(new SpecCodeLensProvider(providers, jobStore, monitor));
  store.add(registerSpecCodeLenses(specLenses));
  store.add(new JobCommands(ctx.log, providers, jobStore, monitor, panels, launcher));
  store.add(new EvaluateJobCommand(ctx, jobStore, monitor));
  // Private commands the in-editor jobs suites read state through; never in a user's window.
  if (isTestMode(ctx.extension))
    store.add(new JobsTestCommands({ providers, monitor, panels, specLenses, notifier, view }));
  return store;
}

/** Datasets: diagnostics as you type, their status-bar item and quick fixes, and "Validate Dataset File…". */
function datasets(ctx: HostContext): DisposableStore {
  const store = new DisposableStore();
  const settings = new DatasetSettings(ctx.config);
  const diagnostics = store.add(new DatasetDiagnostics(ctx, settings));
  store.add(new DatasetStatusBar(diagnostics));
  store.add(new DatasetQuickFixes(diagnostics, settings));
  store.add(new ValidateFileCommand(ctx, diagnostics, settings));
  return store;
}

/** Data prep: Map Codes to Names…, Sample Balanced Subset…, Split Dataset…; each asks before overwriting. */
function prep(ctx: HostContext): DisposableStore {
  const store = new DisposableStore();
  const overwrite = isTestMode(ctx.extension)
    ? store.add(new ScriptedOverwritePrompt())
    : new ModalOverwritePrompt();
  store.add(new MapCodesCommand(ctx, overwrite));
  store.add(new SampleDatasetCommand(ctx, overwrite));
  store.add(new SplitDatasetCommand(ctx, overwrite));
  return store;
}

export function activate(context: vscode.ExtensionContext): void {
  const log = new HostLogger();
  const config = new Config();
  context.subscriptions.push(log, config);
  // One providers service for every feature that calls a model (jobs, the Grader Lab, model graders).
  const providers = new Providers({ extension: context, log, config });
  context.subscriptions.push(providers);
  const ctx: HostContext = { extension: context, log, config, providers };
  for (const register of features) {
    try {
      context.subscriptions.push(register(ctx));
    } catch (e) {
      // One broken feature must not take the others down; the log says which one failed.
      log.error(`Feature ${register.name} failed to register`, e);
    }
  }
  log.info(`RFT Studio ${String(context.extension.packageJSON.version)} activated`);
}

export function deactivate(): void {}
