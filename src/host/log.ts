// The one LogOutputChannel, behind core's Logger interface. Every line is redacted before it is written.
import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { formatLogArgs } from '../core/log';

export class HostLogger implements Logger, vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor(name = 'RFT Studio') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  trace(message: string, ...args: unknown[]): void {
    this.channel.trace(formatLogArgs(message, args));
  }
  debug(message: string, ...args: unknown[]): void {
    this.channel.debug(formatLogArgs(message, args));
  }
  info(message: string, ...args: unknown[]): void {
    this.channel.info(formatLogArgs(message, args));
  }
  warn(message: string, ...args: unknown[]): void {
    this.channel.warn(formatLogArgs(message, args));
  }
  error(message: string | Error, ...args: unknown[]): void {
    this.channel.error(formatLogArgs(message, args));
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.channel.dispose();
  }
}
