// Private (underscore) commands for the in-editor tests: the jobs feature's view model (never any secret), a click
// on a job notification's button, and the details panel serializer VS Code calls after a window reload.
import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { Providers } from '../providers/providers';
import type { ProviderEntry } from '../providers/providerStore';
import type { JobDetailsPanels } from './jobDetailsPanel';
import type { JobMonitor } from './jobMonitor';
import type { JobNotifier, ShownNotification } from './jobNotifier';
import type { JobView } from './jobsModel';
import type { JobsView } from './jobsView';
import type { SpecCodeLensProvider } from './specCodeLens';

export const TEST_STATE_COMMAND = '_rftStudio.jobsTestState';
export const TEST_ANSWER_COMMAND = '_rftStudio.jobsTestAnswer';
export const TEST_PANEL_SERIALIZER_COMMAND = '_rftStudio.jobsTestPanelSerializer';

/** What TEST_STATE_COMMAND returns: the in-editor tests read the feature's state through it. */
export interface JobsTestState {
  providers: ProviderEntry[];
  activeProvider: string | undefined;
  jobs: JobView[];
  panels: string[];
  postedMessages: string[];
  specLenses: Record<string, string[]>;
  notifications: ShownNotification[];
  viewVisible: boolean;
}

export class JobsTestCommands extends Disposable {
  constructor(parts: {
    providers: Providers;
    monitor: JobMonitor;
    panels: JobDetailsPanels;
    specLenses: SpecCodeLensProvider;
    notifier: JobNotifier;
    view: JobsView;
  }) {
    super();
    const { providers, monitor, panels, specLenses, notifier, view } = parts;
    this._register(
      vscode.commands.registerCommand(TEST_STATE_COMMAND, (): JobsTestState => ({
        providers: providers.list().map((p) => ({ ...p })),
        activeProvider: providers.activeEntry()?.id,
        jobs: monitor.jobs(),
        panels: panels.openKeys(),
        postedMessages: panels.postedMessages(),
        specLenses: specLenses.shownTitles(),
        notifications: notifier.log(),
        viewVisible: view.visible,
      })),
    );
    this._register(
      vscode.commands.registerCommand(TEST_ANSWER_COMMAND, (id: unknown, item: unknown) =>
        typeof id === 'number' && typeof item === 'string' ? notifier.answer(id, item) : false,
      ),
    );
    // Only a window reload makes VS Code revive webviews (Reopen Closed Editor skips them), and a reload would end
    // the in-editor test run: the tests call the serializer themselves.
    this._register(vscode.commands.registerCommand(TEST_PANEL_SERIALIZER_COMMAND, () => panels.serializer));
  }
}
