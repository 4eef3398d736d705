// What the three data-prep commands share: their args object, path resolution, the lazily loaded core modules, the
// field prompt, one error boundary that shows each kind of failure where the user acted, and the PrepCommand base
// class (registration, dataset and field prompts, overwrite question, report offer).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { HostContext } from '../hostContext';
import type { OverwritePrompt } from './overwritePrompt';
import { existingFiles } from './overwritePrompt';
import { Cancelled, pickDataset, pickField, showMarkdownReport } from './prepPrompts';

export interface CommonArgs {
  /** Dataset path (absolute, or relative to the first workspace folder). */
  file?: string;
  field?: string;
  /** false: write without showing the summary. */
  confirm?: boolean;
  /** false: do not open the written files. */
  open?: boolean;
  /** true: replace existing output files without asking (like the CLI's --force). */
  overwrite?: boolean;
}

export const int = (n: number) => n.toLocaleString('en-US');
export const pct = (n: number) => `${n.toFixed(1)}%`;

export const prep = () => import('../../core/prep/runPrep');
export const paths = () => import('../../core/prep/jsonPath');
export const cli = () => import('../../core/prep/prepCli');

export function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

export function resolvePath(p: string): string {
  if (path.isAbsolute(p)) return p;
  return path.resolve(workspaceRoot() ?? process.cwd(), p);
}

/** Separates the explorer's Uri argument from a test's or keybinding's args object. */
export function splitArgs<T extends CommonArgs>(a: unknown): { uri?: vscode.Uri; args: T } {
  if (a instanceof vscode.Uri) return { uri: a, args: {} as T };
  if (a && typeof a === 'object') {
    const args = a as T;
    return { uri: args.file ? vscode.Uri.file(resolvePath(args.file)) : undefined, args };
  }
  return { args: {} as T };
}

/** The label field: given in the args, or picked from the fields found in the file. */
export async function fieldFor(file: string, title: string, given?: string) {
  const { parseJsonPath, JsonPathError } = await paths();
  const validate = (t: string) => {
    try {
      parseJsonPath(t);
      return undefined;
    } catch (e) {
      return e instanceof JsonPathError ? e.message : String(e);
    }
  };
  const text =
    given ??
    (await pickField(
      file,
      title,
      async () => (await import('../../core/prep/fields')).discoverFields(file),
      validate,
    ));
  return parseJsonPath(text);
}

/** The summary note for outputs that exist already (the modal asks again before writing). */
export async function existsNote(files: string[]): Promise<string | undefined> {
  const existing = (await existingFiles(files)).map((f) => path.basename(f));
  return existing.length ? `${existing.join(' and ')} already exist(s) and will be replaced` : undefined;
}

/** Shows errors where the user acted: bad lines with a jump to the first one, request errors as they are. */
export async function guarded<T>(
  ctx: HostContext,
  what: string,
  run: () => Promise<T>,
): Promise<T | undefined> {
  const { PrepInputError, PrepRequestError } = await prep();
  const { JsonPathError } = await paths();
  const { MappingError } = await import('../../core/prep/mapping');
  const { OutputPathError } = await import('../../core/prep/dataset');
  try {
    return await run();
  } catch (e) {
    if (e instanceof Cancelled) {
      ctx.log.info(`${what}: cancelled, nothing written`);
      return undefined;
    }
    if (e instanceof PrepInputError) {
      const first = e.lines[0];
      const choice = await vscode.window.showErrorMessage(
        `${what}: ${e.lines.length} line(s) are not JSON objects; nothing was written.`,
        { detail: e.message },
        ...(first ? ['Go to First Bad Line'] : []),
      );
      if (choice && first) {
        const file = /^(.*?): \d+ line\(s\)/.exec(e.message)?.[1];
        if (file) {
          const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
          const pos = new vscode.Position(first.line - 1, 0);
          await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
        }
      }
      return undefined;
    }
    if (
      e instanceof PrepRequestError ||
      e instanceof JsonPathError ||
      e instanceof MappingError ||
      e instanceof OutputPathError
    ) {
      void vscode.window.showErrorMessage(`${what}: ${e.message}`);
      return undefined;
    }
    ctx.log.error(`${what} failed`, e);
    const choice = await vscode.window.showErrorMessage(
      `${what} failed: ${(e as Error)?.message ?? String(e)}`,
      'Show Log',
    );
    if (choice) ctx.log.show();
    return undefined;
  }
}

export type LabelField = Awaited<ReturnType<typeof fieldFor>>;

/**
 * One prep command: registers `id`, separates its args, asks for the dataset and the label field, and runs `execute`
 * inside `guarded` so every failure is shown the same way.
 */
export abstract class PrepCommand<A extends CommonArgs, R> extends Disposable {
  constructor(
    protected readonly ctx: HostContext,
    private readonly overwritePrompt: OverwritePrompt,
    id: string,
    /** The command's name in messages ("Split Dataset"). */
    private readonly what: string,
    /** The prompts' title ("RFT Studio: Split Dataset"). */
    protected readonly title: string,
  ) {
    super();
    this._register(vscode.commands.registerCommand(id, (arg?: unknown) => this.run(arg)));
  }

  private run(arg: unknown): Promise<R | undefined> {
    const { uri, args } = splitArgs<A>(arg);
    return guarded(this.ctx, this.what, async () => {
      const file = await pickDataset(uri, this.title);
      const field = await fieldFor(file, this.title, args.field);
      return this.execute(file, field, args);
    });
  }

  protected abstract execute(file: string, field: LabelField, args: A): Promise<R>;

  /** Asks before replacing existing outputs unless the args say overwrite; a "no" cancels the command. */
  protected async confirmOverwrite(args: A, outs: string[]): Promise<void> {
    if (!args.overwrite && !(await this.overwritePrompt.confirm(this.title, outs))) throw new Cancelled();
  }
}

/** Shows the result message without waiting for it; "Show Report" opens the markdown report. */
export function offerReport(
  notify: (message: string, ...items: string[]) => Thenable<string | undefined>,
  message: string,
  markdown: (root: string | undefined) => string,
): void {
  void Promise.resolve(notify(message, 'Show Report')).then((c) =>
    c ? showMarkdownReport(markdown(workspaceRoot())) : undefined,
  );
}
