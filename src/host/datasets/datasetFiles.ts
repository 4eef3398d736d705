// Which documents are datasets, and what the settings say about a dataset file: its training/validation pair and
// the validator options for it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LineSource } from '../../core/datasets/fixes';
import { isGraderTestFile } from '../../core/gradertests/discover';
import type { DatasetValidationOptions } from '../../core/datasets/validate';
import type { Config } from '../config';

/** A training/validation pair as absolute, normalised paths. */
export interface DatasetPair {
  training: string;
  validation: string;
}

export function isDatasetDocument(doc: vscode.TextDocument): boolean {
  if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled' && doc.uri.scheme !== 'vscode-remote')
    return false;
  if (doc.languageId !== 'jsonl' && !doc.uri.path.toLowerCase().endsWith('.jsonl')) return false;
  // JSONL that is not a training file: grader unit tests (the Testing view checks them) and eval run output.
  return !isGraderTestFile(doc.uri.path) && !/\/\.rft\//.test(doc.uri.path);
}

/** VS Code strips the BOM from the text; the validator still needs to know it is on disk. */
export function hasBomOnDisk(doc: vscode.TextDocument): boolean {
  const encoding = (doc as { encoding?: string }).encoding;
  if (typeof encoding === 'string') return encoding === 'utf8bom';
  if (doc.uri.scheme !== 'file') return false;
  try {
    const fd = fs.openSync(doc.uri.fsPath, 'r');
    try {
      const b = Buffer.alloc(3);
      const n = fs.readSync(fd, b, 0, 3, 0);
      return n === 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

export function docLines(doc: vscode.TextDocument): LineSource {
  return { lineAt: (i) => doc.lineAt(i).text, lineCount: doc.lineCount };
}

export function sameFile(uri: vscode.Uri, file: string): boolean {
  return uri.scheme === 'file' && path.normalize(uri.fsPath) === file;
}

/** Reads the datasets settings for one file: its pair and its validator options. */
export class DatasetSettings {
  constructor(private readonly config: Config) {}

  forFile(uri: vscode.Uri) {
    return this.config.section('datasets', uri);
  }

  /** The pair this file belongs to, if the settings name one. */
  pairOf(uri: vscode.Uri): DatasetPair | undefined {
    if (uri.scheme !== 'file') return undefined;
    const me = path.normalize(uri.fsPath);
    for (const p of this.forFile(uri).pairs) {
      if (!p || typeof p.training !== 'string' || typeof p.validation !== 'string') continue;
      const training = resolveFrom(p.training, uri);
      const validation = resolveFrom(p.validation, uri);
      if (me === training || me === validation) return { training, validation };
    }
    return undefined;
  }

  /** Validator options without callbacks, so they can cross to a worker thread. */
  optionsFor(
    uri: vscode.Uri,
    pair = this.pairOf(uri),
  ): Omit<DatasetValidationOptions, 'signal' | 'onProgress'> {
    const s = this.forFile(uri);
    return {
      format: s.format,
      provider: s.provider,
      maxPerRule: s.maxProblemsPerRule,
      fileName: uri.scheme === 'file' ? uri.fsPath : uri.path,
      role: pair ? (sameFile(uri, pair.validation) ? 'validation' : 'training') : undefined,
    };
  }
}

function resolveFrom(p: string, scope: vscode.Uri): string {
  if (path.isAbsolute(p)) return path.normalize(p);
  const folder = vscode.workspace.getWorkspaceFolder(scope) ?? vscode.workspace.workspaceFolders?.[0];
  return path.normalize(path.join(folder?.uri.fsPath ?? '', p));
}
