// The job monitor's notifications (state changes, metric alerts, a missing key): shown with VS Code's message API
// and kept in a short log with the button picked, so the in-editor tests can read what the user was told and
// answer a notification the way a person clicks one of its buttons.
import * as vscode from 'vscode';

export type NotificationSeverity = 'info' | 'warning' | 'error';

export interface ShownNotification {
  id: number;
  severity: NotificationSeverity;
  message: string;
  items: string[];
  /** The button picked; undefined while the notification is open or after it was dismissed. */
  picked?: string;
}

const LOG_LIMIT = 200;

export class JobNotifier {
  private readonly shown: ShownNotification[] = [];
  private readonly open = new Map<number, (item: string) => void>();
  private nextId = 1;

  /** Shows a notification; resolves with the button picked (undefined when dismissed). */
  async show(
    severity: NotificationSeverity,
    message: string,
    ...items: string[]
  ): Promise<string | undefined> {
    const entry: ShownNotification = { id: this.nextId++, severity, message, items };
    this.shown.push(entry);
    if (this.shown.length > LOG_LIMIT) this.shown.splice(0, this.shown.length - LOG_LIMIT);
    const show =
      severity === 'error'
        ? vscode.window.showErrorMessage
        : severity === 'warning'
          ? vscode.window.showWarningMessage
          : vscode.window.showInformationMessage;
    const answered = new Promise<string>((resolve) => this.open.set(entry.id, resolve));
    try {
      const pick = await Promise.race([show(message, ...items), answered]);
      entry.picked = pick;
      return pick;
    } finally {
      this.open.delete(entry.id);
    }
  }

  /** What was shown, oldest first (no secret ever reaches a notification). */
  log(): ShownNotification[] {
    return this.shown.map((n) => ({ ...n, items: [...n.items] }));
  }

  /** Picks a button of an open notification, as a click would (the in-editor tests' private command). */
  answer(id: number, item: string): boolean {
    const resolve = this.open.get(id);
    const entry = this.shown.find((n) => n.id === id);
    if (!resolve || !entry?.items.includes(item)) return false;
    resolve(item);
    return true;
  }
}
