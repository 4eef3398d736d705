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
import type { ChunkSummary } from './chunkCheck';
import { checkChunk } from './chunkCheck';
import { ChunkPool, parallelThreads } from './chunkPool';
import { DatasetDocumentModel } from './documentModel';
import type { FileFormat, LineKind } from './format';
import { DETECTION_SAMPLE, detectFileFormat } from './format';
import { readJsonlLines, readLineChunks } from './jsonlReader';
import { kindOfText } from './lineCheck';
import type { DatasetReport, DatasetValidationOptions } from './options';
import { resolveOptions } from './options';
import { ruleSeverity } from './rules';
import { checkInputFile } from '../io/inputFile';

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
  let examples = 0;
  let bytesDone = 0;
  let lineBase = 0;
  let firstExcessLine: number | undefined;
  let anyItemField = false;
  const limit = exampleLimit(o.role);
  const diags: Diagnostic[] = [];
  const perCode = new Map<string, number>();
  const dups = new DuplicateCollector(cap);
  // Byte ranges of the few lines whose text the cross-line diagnostics need at the end.
  const where = new Map<number, [number, number]>();
  let curLine = -1;
  let curOffset = 0;
  let curLength = 0;
  const remember = (line: number) => {
    if (line === curLine && !where.has(line)) where.set(line, [curOffset, curLength]);
  };
  const fields = new FieldCollector(cap, remember);

  // The format comes from the first examples (or the options); every line is then checked as that format.
  const { format, reason: formatReason } = await detectFormatOfFile(path, o, opts.signal);

  /** Folds one checked chunk into the file's results, in file order. */
  const consume = (c: ChunkSummary, chunkOffset: number) => {
    let next = 0;
    for (let i = 0; i < c.lines; i++) {
      const line = lineBase + i;
      curLine = line;
      curOffset = chunkOffset + c.offsets[i];
      curLength = c.lengths[i];
      if (!c.blank[i] && ++examples === limit + 1) {
        firstExcessLine = line;
        where.set(line, [curOffset, curLength]);
      }
      if (next < c.diags.length && c.diags[next].index === i) {
        const lineDiags = c.diags[next++].diags;
        let keep = false;
        for (const d of lineDiags) {
          const n = (perCode.get(d.code) ?? 0) + 1;
          perCode.set(d.code, n);
          if (n <= cap) keep = true;
        }
        if (keep) for (const d of rebase(lineDiags, line)) diags.push(d);
      }
      const hash = c.hashes[i];
      if (hash) {
        const before = dups.found.length;
        dups.add(line, hash);
        if (dups.found.length > before) where.set(line, [curOffset, curLength]);
      }
      const shape = c.shapeOf[i];
      if (shape >= 0) {
        const { keys, types } = c.shapes[shape];
        if (keys.length) anyItemField = true;
        fields.add(line, keys, types);
      }
      bytesDone = curOffset + curLength;
      if (opts.onProgress && (line + 1) % 4096 === 0) opts.onProgress(line + 1, bytesDone);
    }
    for (const code in c.overflow) perCode.set(code, (perCode.get(code) ?? 0) + c.overflow[code]!);
    lineBase += c.lines;
  };

  const bytes = await checkInputFile(path); // a FIFO or a folder is refused here, never read
  const threads = parallelThreads(opts.parallel, bytes);
  const pool = threads && opts.parallel ? new ChunkPool(opts.parallel, threads) : undefined;
  try {
    // With workers, a few chunks are in flight (bounded memory) and merged in order as they come back.
    const inFlight: { offset: number; summary: Promise<ChunkSummary> }[] = [];
    for await (const chunk of readLineChunks(path, {
      signal: opts.signal,
      chunkSize: opts.chunkBytes,
      onBom: (b) => (hasBom = b),
    })) {
      if (!pool) {
        consume(checkChunk(chunk.bytes, format, o.sftTokens, cap), chunk.offset);
        continue;
      }
      const summary = pool.check(chunk.bytes, format, o.sftTokens, cap);
      summary.catch(() => undefined); // awaited below, in order; this only keeps a later failure handled
      inFlight.push({ offset: chunk.offset, summary });
      if (inFlight.length >= threads * 2) {
        const first = inFlight.shift()!;
        consume(await first.summary, first.offset);
      }
    }
    for (const { offset, summary } of inFlight) consume(await summary, offset);
  } finally {
    await pool?.close();
  }
  const handle = await open(path, 'r');
  const texts = new Map<number, string>();
  try {
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
  opts.onProgress?.(lineBase, bytesDone);
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

/** The file's format: forced by the options, else from its name or its first DETECTION_SAMPLE examples. */
async function detectFormatOfFile(
  path: string,
  o: ReturnType<typeof resolveOptions>,
  signal: AbortSignal | undefined,
): Promise<{ format: FileFormat; reason: string }> {
  const kinds: LineKind[] = [];
  for await (const l of readJsonlLines(path, { signal })) {
    const k = kindOfText(l.text);
    if (k !== undefined && kinds.push(k) >= DETECTION_SAMPLE) break;
  }
  const d = detectFileFormat(kinds, { fileName: o.fileName, forced: o.format });
  return { format: d.format, reason: d.reason };
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
