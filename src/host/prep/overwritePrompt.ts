// Asks before a data-prep command replaces files that already exist (a modal warning with "Overwrite"); declining
// writes nothing. Under the test harness the answers can be scripted through a test-only command.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';

export const OVERWRITE_ACTION = 'Overwrite';
/** Test mode only: queue answers for the next questions (true = Overwrite) and get the questions asked so far. */
export const PREP_TEST_OVERWRITE_COMMAND = '_rftStudio.prepTestOverwriteAnswers';

export interface OverwritePrompt {
  /** True when none of the files exists or the user chose to overwrite them. */
  confirm(title: string, files: readonly string[]): Promise<boolean>;
}

export async function existingFiles(files: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const f of files) {
    try {
      await vscode.workspace.fs.stat(vscode.Uri.file(f));
      found.push(f);
    } catch {
      // Missing: nothing to replace.
    }
  }
  return found;
}

export function overwriteQuestion(files: readonly string[]): { message: string; detail: string } {
  const names = files.map((f) => path.basename(f));
  return {
    message: `${names.join(' and ')} already ${files.length === 1 ? 'exists' : 'exist'}. Overwrite?`,
    detail: files.join('\n'),
  };
}

export class ModalOverwritePrompt implements OverwritePrompt {
  async confirm(title: string, files: readonly string[]): Promise<boolean> {
    const existing = await existingFiles(files);
    if (!existing.length) return true;
    const { message, detail } = overwriteQuestion(existing);
    const choice = await vscode.window.showWarningMessage(
      `${title}: ${message}`,
      { modal: true, detail },
      OVERWRITE_ACTION,
    );
    return choice === OVERWRITE_ACTION;
  }
}

/** The prompt under the test harness: scripted answers first (recording each question), then the real modal. */
export class ScriptedOverwritePrompt extends Disposable implements OverwritePrompt {
  private readonly answers: boolean[] = [];
  private readonly asked: string[] = [];

  constructor(private readonly real: OverwritePrompt = new ModalOverwritePrompt()) {
    super();
    this._register(
      vscode.commands.registerCommand(PREP_TEST_OVERWRITE_COMMAND, (answers?: unknown) => {
        if (Array.isArray(answers)) this.answers.push(...answers.map((a) => a === true));
        return [...this.asked];
      }),
    );
  }

  async confirm(title: string, files: readonly string[]): Promise<boolean> {
    if (!this.answers.length) return this.real.confirm(title, files);
    const existing = await existingFiles(files);
    if (!existing.length) return true;
    this.asked.push(`${title}: ${overwriteQuestion(existing).message}`);
    return this.answers.shift()!;
  }
}
