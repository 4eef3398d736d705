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
import { registerDatasets } from './host/datasets/registerDatasets';
import { registerPrep } from './host/prep/registerPrep';
import { registerGraderAuthoring } from './host/graders/registerGraderAuthoring';

const features: FeatureRegistration[] = [
  registerShowLogCommand,
  registerJobs,
  registerGraderLab,
  registerDatasetPreview,
  registerDatasets,
  registerPrep,
  registerGraderAuthoring,
];

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
