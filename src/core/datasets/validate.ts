// Public entry points of the dataset validator: in-memory text (the editor), files on disk
// (streaming, constant memory), and a training/validation pair.
import type { Diagnostic } from '../diagnostics';
import { range } from '../diagnostics';
import { readJsonlLines, splitJsonlText } from './jsonlReader';
import type { DatasetFormat, FileFormat, LineKind } from './format';
import { detectFileFormat, detectLineKind } from './format';

export type Provider = 'openai' | 'azure';
export type DatasetRole = 'training' | 'validation';

export interface DatasetValidationOptions {
  format?: DatasetFormat | 'auto';
  provider?: Provider;
  role?: DatasetRole;
  fileName?: string;
  signal?: AbortSignal;
  onProgress?: (linesDone: number, bytesDone: number) => void;
}

export interface ItemFieldInfo {
  present: number;
  types: Record<string, number>;
  firstMissingLines: number[];
}

export interface DatasetReport {
  path?: string;
  format: FileFormat;
  examples: number;
  bytes: number;
  hasBom: boolean;
  diagnostics: Diagnostic[];
  itemFields: Record<string, ItemFieldInfo>;
}

// Interim implementation (syntax + detection); the full engine replaces it.
function checkLines(lines: Iterable<string>): DatasetReport {
  const diagnostics: Diagnostic[] = [];
  const kinds: LineKind[] = [];
  let n = 0;
  let examples = 0;
  for (const text of lines) {
    if (text.trim() !== '') {
      examples++;
      try {
        kinds.push(detectLineKind(JSON.parse(text)));
      } catch (e) {
        diagnostics.push({ range: range(n, 0, n, text.length), severity: 'error', code: 'jsonl/invalid-json', message: (e as Error).message });
      }
    }
    n++;
  }
  return { format: detectFileFormat(kinds).format, examples, bytes: 0, hasBom: false, diagnostics, itemFields: {} };
}

export function validateDatasetText(text: string, opts: DatasetValidationOptions = {}): DatasetReport {
  const { lines, hasBom } = splitJsonlText(text);
  return { ...checkLines(lines), hasBom, bytes: Buffer.byteLength(text), path: opts.fileName };
}

export async function validateDatasetFile(path: string, opts: DatasetValidationOptions = {}): Promise<DatasetReport> {
  const lines: string[] = [];
  let hasBom = false;
  for await (const l of readJsonlLines(path, { signal: opts.signal, onBom: (b) => (hasBom = b) })) lines.push(l.text);
  return { ...checkLines(lines), hasBom, path };
}

export function validatePair(_train: DatasetReport, _valid: DatasetReport): Diagnostic[] {
  return [];
}
