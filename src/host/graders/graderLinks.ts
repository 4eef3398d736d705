// Which dataset and response format a grader file is linked to (setting `rftStudio.graders.links`), and
// a cache of linked datasets read through the core streaming reader (re-read when the file changes).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { datasetFieldsFromItems } from '../../core/graders/datasetFields';
import { readDataItems } from '../../core/graders/gradeInputs';
import type { DatasetItemFields } from '../../core/graders/lint';
import type { HostContext } from '../hostContext';
import type { SettingKey } from '../settingsCatalog';

export interface GraderLink {
  dataset?: string;
  responseFormat?: string;
}

export interface LoadedDataset {
  path: string;
  items: Array<Record<string, unknown>>;
  fields: DatasetItemFields;
  problems: number;
}

/** Items kept per dataset (the platform's training-file maximum); beyond it the checks use the first ones. */
const MAX_ITEMS = 50_000;

export const LINKS_SETTING = 'graders.links' satisfies SettingKey;

function folderOf(uri: vscode.Uri): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
}

function resolve(uri: vscode.Uri, p: string): string {
  if (path.isAbsolute(p)) return p;
  const folder = folderOf(uri);
  return path.join(folder ? folder.uri.fsPath : path.dirname(uri.fsPath), p);
}

/** The link for a grader file: the first `rftStudio.graders.links` entry whose glob matches it. */
export function linkFor(
  ctx: HostContext,
  doc: vscode.TextDocument,
): { dataset?: string; responseFormat?: string } {
  const links: Record<string, GraderLink> = ctx.config.value(LINKS_SETTING, doc.uri);
  const folder = folderOf(doc.uri);
  for (const [glob, link] of Object.entries(links ?? {})) {
    if (!link || typeof link !== 'object') continue;
    const pattern = folder ? new vscode.RelativePattern(folder, glob) : glob;
    if (vscode.languages.match({ pattern }, doc) > 0)
      return {
        dataset:
          typeof link.dataset === 'string' && link.dataset ? resolve(doc.uri, link.dataset) : undefined,
        responseFormat:
          typeof link.responseFormat === 'string' && link.responseFormat
            ? resolve(doc.uri, link.responseFormat)
            : undefined,
      };
  }
  return {};
}

/**
 * Linked datasets and response formats, read once and kept until they change. A watcher drops an entry when its
 * file changes; each lookup also compares the file's modification time and size with those it was read at, since a
 * watcher can miss a file written into a folder created a moment before (the inotify race on a new directory).
 */
export class DatasetCache implements vscode.Disposable {
  private readonly entries = new Map<string, { stamp: string; value: Promise<LoadedDataset | Error> }>();
  private readonly formats = new Map<string, { stamp: string; value: Promise<unknown> }>();
  private readonly watcher: vscode.FileSystemWatcher;
  private readonly _onDidChange = new vscode.EventEmitter<string>();
  readonly onDidChange = this._onDidChange.event;

  constructor(private readonly ctx: HostContext) {
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*.{jsonl,json}');
    const invalidate = (u: vscode.Uri) => {
      const dropped = this.entries.delete(u.fsPath);
      if (this.formats.delete(u.fsPath) || dropped) this._onDidChange.fire(u.fsPath);
    };
    this.watcher.onDidChange(invalidate);
    this.watcher.onDidDelete(invalidate);
    this.watcher.onDidCreate(invalidate);
  }

  /** The file's modification time and size, or "missing". */
  private async stamp(file: string): Promise<string> {
    try {
      const s = await vscode.workspace.fs.stat(vscode.Uri.file(file));
      return `${s.mtime}:${s.size}`;
    } catch {
      return 'missing';
    }
  }

  /** What `cache` holds for `file` while the file is as it was read; otherwise `read` again. */
  private async lookup<T>(
    cache: Map<string, { stamp: string; value: Promise<T> }>,
    file: string,
    read: (file: string) => Promise<T>,
  ): Promise<T> {
    const stamp = await this.stamp(file);
    let e = cache.get(file);
    if (!e || e.stamp !== stamp) {
      e = { stamp, value: read(file) };
      cache.set(file, e);
    }
    return e.value;
  }

  dataset(file: string): Promise<LoadedDataset | Error> {
    return this.lookup(this.entries, file, (f) => this.readDataset(f));
  }

  private async readDataset(file: string): Promise<LoadedDataset | Error> {
    try {
      const { items, problems } = await readDataItems(file);
      const kept = items.slice(0, MAX_ITEMS);
      return {
        path: file,
        items: kept.map((i) => i.item),
        fields: datasetFieldsFromItems(
          kept.map((i) => i.item),
          { source: file, lineNumbers: kept.map((i) => i.line) },
        ),
        problems: problems.length,
      };
    } catch (e) {
      this.ctx.log.warn(`grader link: cannot read dataset ${file}: ${(e as Error).message}`);
      return e as Error;
    }
  }

  responseFormat(file: string): Promise<unknown> {
    return this.lookup(this.formats, file, (f) => this.readResponseFormat(f));
  }

  private async readResponseFormat(file: string): Promise<unknown> {
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(file));
      return JSON.parse(
        Buffer.from(bytes)
          .toString('utf8')
          .replace(/^\uFEFF/, ''),
      ) as unknown;
    } catch (e) {
      this.ctx.log.warn(`grader link: cannot read response format ${file}: ${(e as Error).message}`);
      return new Error((e as Error).message);
    }
  }

  dispose(): void {
    this.watcher.dispose();
    this._onDidChange.dispose();
  }
}
