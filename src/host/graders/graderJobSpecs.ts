// Finds the `*.rftjob.json` in the workspace that names a grader file, so the grader is linted against the
// job's training and validation files and response format. Spec texts are cached until a spec changes, or until
// a grader is opened or saved: a file watcher can miss files written into a folder created a moment before (the
// inotify race on a new directory), and opening a grader is rare enough to pay for a fresh search.
import * as vscode from 'vscode';
import { graderJobContext, type GraderJobContext } from '../../core/graders/jobContext';
import type { HostContext } from '../hostContext';

const SPEC_GLOB = '**/*.rftjob.json';
const MAX_SPECS = 200;

export class GraderJobSpecs implements vscode.Disposable {
  private specs: Promise<Array<{ path: string; text: string }>> | undefined;
  private readonly watcher: vscode.FileSystemWatcher;
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this._onDidChange.event;

  constructor(private readonly ctx: HostContext) {
    this.watcher = vscode.workspace.createFileSystemWatcher(SPEC_GLOB);
    const invalidate = () => {
      this.specs = undefined;
      this._onDidChange.fire();
    };
    this.watcher.onDidChange(invalidate);
    this.watcher.onDidCreate(invalidate);
    this.watcher.onDidDelete(invalidate);
  }

  /** Forget the cached specs without relinting anything; the next lookup searches the workspace again. */
  refresh(): void {
    this.specs = undefined;
  }

  /** The first job spec (by path) that names `graderPath` as its grader file. */
  async contextFor(graderPath: string): Promise<GraderJobContext | undefined> {
    for (const s of await this.load()) {
      const c = graderJobContext(s.text, s.path, graderPath);
      if (c) return c;
    }
    return undefined;
  }

  private load(): Promise<Array<{ path: string; text: string }>> {
    this.specs ??= (async () => {
      const uris = await vscode.workspace.findFiles(SPEC_GLOB, '**/node_modules/**', MAX_SPECS);
      const out: Array<{ path: string; text: string }> = [];
      for (const u of uris.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
        try {
          out.push({
            path: u.fsPath,
            text: Buffer.from(await vscode.workspace.fs.readFile(u)).toString('utf8'),
          });
        } catch (e) {
          this.ctx.log.warn(`grader lint: cannot read job spec ${u.fsPath}: ${(e as Error).message}`);
        }
      }
      return out;
    })();
    return this.specs;
  }

  dispose(): void {
    this.watcher.dispose();
    this._onDidChange.dispose();
  }
}
