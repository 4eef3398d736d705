// What every host feature receives from the composition root (src/extension.ts).
import type * as vscode from 'vscode';
import type { IDisposable } from '../core/lifecycle';
import type { Config } from './config';
import type { HostLogger } from './log';
import type { Providers } from './providers/providers';

export interface HostContext {
  readonly extension: vscode.ExtensionContext;
  readonly log: HostLogger;
  readonly config: Config;
  /** The providers service (src/host/providers/providers.ts), for features that call a model. */
  readonly providers: Providers;
}

/** A feature registers its commands, providers and views and returns one disposable for all of them. */
export type FeatureRegistration = (ctx: HostContext) => IDisposable;
