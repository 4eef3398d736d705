// Public entry points of the dataset validator: in-memory text (the editor's model), files on disk
// (streaming, constant memory: one line at a time plus bounded per-rule lists), and a
// training/validation pair. All three share the line checks and the aggregation rules.
import { open } from 'node:fs/promises';
import type { Diagnostic } from '../diagnostics';
import {
  DuplicateCollector,
  FieldCollector,
  capDiagnostics,
  duplicateDiagnostics,
  exampleLimit,
  fieldDiagnostics,
  fileDiagnostics,
  itemFieldInfos,
  lookupFingerprint,
  rebase,
} from './aggregate';
import { DatasetDocumentModel } from './documentModel';
import type { FileFormat, LineKind } from './format';
import { DETECTION_SAMPLE, detectFileFormat } from './format';
import type { JsonlLine } from './jsonlReader';
import { readJsonlLines } from './jsonlReader';
import { checkLine, kindOfText } from './lineCheck';
import type { DatasetReport, DatasetValidationOptions } from './options';
import { resolveOptions } from './options';
import { ruleSeverity } from './rules';

export type { DatasetFormat, FileFormat, LineKind } from './format';
export type {
  DatasetReport,
  DatasetRole,
  DatasetValidationOptions,
  ItemFieldInfo,
  Provider,
} from './options';
export { DatasetDocumentModel } from './documentModel';

/** Validates text held in memory (an open editor, a test). Positions ignore a leading BOM. */
export function validateDatasetText(text: string, opts: DatasetValidationOptions = {}): DatasetReport {
  const model = new DatasetDocumentModel({ ...opts, bomInTextShifts: false });
  model.setText(text);
  const report = model.report();
  report.bytes = Buffer.byteLength(text);
  report.fingerprints = model.fingerprints().toFingerprints();
  return report;
}

/** Streams a file from disk: memory stays flat whatever its size (1 GB files included). */
export async function validateDatasetFile(
  path: string,
  opts: DatasetValidationOptions = {},
): Promise<DatasetReport> {
  const o = resolveOptions({ ...opts, fileName: opts.fileName ?? path });
  const cap = o.maxPerRule;
  let hasBom = false;
  let format: FileFormat = 'unknown';
  let formatReason = '';
  const pending: JsonlLine[] = [];
  let decided = false;
  let pendingExamples = 0;
  let examples = 0;
  let bytesDone = 0;
  let linesDone = 0;
  let firstExcessLine: number | undefined;
  let anyItemField = false;
  const limit = exampleLimit(o.role);
  const diags: Diagnostic[] = [];
  const perCode = new Map<string, number>();
  const dups = new DuplicateCollector(cap);
  // Byte ranges of the few lines whose text the cross-line diagnostics need at the end.
  const where = new Map<number, [number, number]>();
  let current: JsonlLine | undefined;
  const remember = (line: number) => {
    if (current && current.line === line && !where.has(line))
      where.set(line, [current.byteOffset, current.byteLength]);
  };
  const fields = new FieldCollector(cap, remember);

  const process = (l: JsonlLine) => {
    current = l;
    const s = checkLine(l.text, { format });
    if (!s.blank) {
      examples++;
      if (examples === limit + 1) {
        firstExcessLine = l.line;
        where.set(l.line, [l.byteOffset, l.byteLength]);
      }
    }
    if (s.diags.length) {
      let keep = false;
      for (const d of s.diags) {
        const c = (perCode.get(d.code) ?? 0) + 1;
        perCode.set(d.code, c);
        if (c <= cap) keep = true;
      }
      if (keep) for (const d of rebase(s.diags, l.line)) diags.push(d);
    }
    if (s.hash) {
      const before = dups.found.length;
      dups.add(l.line, s.hash);
      if (dups.found.length > before) where.set(l.line, [l.byteOffset, l.byteLength]);
    }
    if (s.fieldKeys && s.fieldTypes) {
      if (s.fieldKeys.length) anyItemField = true;
      fields.add(l.line, s.fieldKeys, s.fieldTypes);
    }
  };
  const decide = () => {
    const kinds: LineKind[] = [];
    for (const l of pending) {
      const k = kindOfText(l.text);
      if (k !== undefined) kinds.push(k);
    }
    const d = detectFileFormat(kinds, { fileName: o.fileName, forced: o.format });
    format = d.format;
    formatReason = d.reason;
    decided = true;
    for (const l of pending) process(l);
    pending.length = 0;
  };

  for await (const l of readJsonlLines(path, { signal: opts.signal, onBom: (b) => (hasBom = b) })) {
    if (!decided) {
      pending.push(l);
      if (l.text.trim() !== '' && ++pendingExamples >= DETECTION_SAMPLE) decide();
    } else {
      process(l);
    }
    bytesDone = l.byteOffset + l.byteLength;
    if (opts.onProgress && ++linesDone % 4096 === 0) opts.onProgress(linesDone, bytesDone);
  }
  if (!decided) decide();
  const handle = await open(path, 'r');
  let bytes: number;
  const texts = new Map<number, string>();
  try {
    bytes = (await handle.stat()).size;
    const needed = new Set<number>(fields.linesNeeded());
    for (const d of dups.found) needed.add(d.line);
    if (firstExcessLine !== undefined) needed.add(firstExcessLine);
    for (const line of [...needed].sort((a, b) => a - b)) {
      const at = where.get(line);
      if (!at) continue;
      const buf = Buffer.alloc(at[1]);
      await handle.read(buf, 0, at[1], at[0]);
      texts.set(line, buf.toString('utf8'));
    }
  } finally {
    await handle.close();
  }
  const getText = (line: number) => texts.get(line) ?? '';
  opts.onProgress?.(linesDone, bytesDone);
  const extra = new Map<string, number>(perCode);
  diags.push(...duplicateDiagnostics(dups, getText));
  if (dups.total) extra.set('dataset/duplicate-example', dups.total);
  const fd = fieldDiagnostics(fields, format, getText);
  diags.push(...fd.diags);
  for (const [k, v] of fd.totals) extra.set(k, v);
  diags.push(
    ...fileDiagnostics(
      {
        format,
        formatReason,
        forced: o.format !== 'auto',
        provider: o.provider,
        role: o.role,
        examples,
        firstExcessLine,
        bytes,
        hasBom,
        maxPerRule: cap,
        anyItemField,
      },
      getText,
    ),
  );
  return {
    path,
    format,
    formatReason,
    examples,
    bytes,
    hasBom,
    diagnostics: capDiagnostics(diags, cap, extra),
    itemFields: itemFieldInfos(fields),
    fingerprints: dups.index.toFingerprints(),
  };
}

export interface PairOptions {
  /** Path of the training file, for related locations. */
  trainingPath?: string;
}

/**
 * Checks a training and a validation file together: examples present in both (anchored in the
 * validation file, pointing at the training line) and item fields that differ between them.
 */
export function validatePair(
  train: DatasetReport,
  valid: DatasetReport,
  opts: PairOptions = {},
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const trainPath = opts.trainingPath ?? train.path;
  if (train.fingerprints && valid.fingerprints) {
    const v = valid.fingerprints;
    const hits: { line: number; trainLine: number }[] = [];
    for (let i = 0; i < v.keys.length; i++) {
      if (v.keys[i] === 0) continue;
      const t = lookupFingerprint(train.fingerprints, v.keys[i]);
      if (t >= 0) hits.push({ line: v.lines[i], trainLine: t });
    }
    hits.sort((a, b) => a.line - b.line);
    for (const h of hits)
      out.push({
        range: { start: { line: h.line, character: 0 }, end: { line: h.line, character: 0 } },
        severity: ruleSeverity('pair/overlap'),
        code: 'pair/overlap',
        message: `This example is also in the training file${trainPath ? ` ${baseName(trainPath)}` : ''} (line ${h.trainLine + 1}); the same data should not be in both.`,
        related: [
          {
            path: trainPath,
            range: { start: { line: h.trainLine, character: 0 }, end: { line: h.trainLine, character: 0 } },
            message: 'training example',
          },
        ],
      });
  }
  const trainFields = train.itemFields;
  const validFields = valid.itemFields;
  const keys = [...new Set([...Object.keys(trainFields), ...Object.keys(validFields)])].sort();
  for (const k of keys) {
    const t = trainFields[k];
    const v = validFields[k];
    let msg: string | undefined;
    if (!v)
      msg = `Item field "${k}" is in the training file (${t.present} examples) but not in the validation file.`;
    else if (!t)
      msg = `Item field "${k}" is in the validation file (${v.present} examples) but not in the training file.`;
    else {
      const tt = Object.keys(t.types).sort().join('/');
      const vt = Object.keys(v.types).sort().join('/');
      if (tt !== vt)
        msg = `Item field "${k}" is ${tt} in the training file but ${vt} in the validation file.`;
    }
    if (msg)
      out.push({
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: ruleSeverity('pair/field-mismatch'),
        code: 'pair/field-mismatch',
        message: msg,
        data: { field: k },
      });
  }
  return out;
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}
