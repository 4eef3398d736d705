// Composition root: builds the object graph, registers every feature, and hands all disposables to VS Code.
// Nothing else touches context.subscriptions. Features load their heavy modules lazily.
import type * as vscode from 'vscode';
import { Config } from './host/config';
import { HostLogger } from './host/log';
import { ProviderHub } from './host/providerHub';
import type { FeatureRegistration, HostContext } from './host/hostContext';
import { registerShowLogCommand } from './host/commands/showLogCommand';
import { registerJobs } from './host/jobs/registerJobs';
import { registerGraderLab } from './host/lab/registerGraderLab';
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

const features: FeatureRegistration[] = [
  registerShowLogCommand,
  registerJobs,
  registerGraderLab,
  registerDatasetPreview,
  datasets,
  prep,
  registerGraderAuthoring,
];

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
  const ctx: HostContext = { extension: context, log, config, providers: new ProviderHub() };
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
