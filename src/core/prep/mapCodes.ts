// Codes to names: replaces the codes in one field of every line (a string or an array of strings/numbers) by the
// names in a mapping. Each output line is the input line byte for byte except the replaced values; codes that the
// mapping does not know are left as they are and listed with their lines.
import { stat } from 'node:fs/promises';
import { readJsonlLines } from '../datasets/jsonlReader';
import { checkInputFile } from '../io/inputFile';
import { AtomicFileWriter, assertUnchanged, type ScanOptions } from './dataset';
import { formatJsonPath, getAtPath, locateValue, type PathSegment } from './jsonPath';
import type { CodeMapping } from './mapping';
import { PrepInputError } from './runPrep';

export type MapProblemKind = 'invalid-json' | 'missing-field' | 'not-a-code';

export interface MapProblem {
  /** 1-based line. */
  line: number;
  kind: MapProblemKind;
  message: string;
}

export interface MapLineResult {
  text: string;
  /** Codes replaced on this line. */
  mapped: { code: string; name: string }[];
  /** Codes the mapping does not know (left unchanged). */
  unknown: string[];
  /** Values that already are names of the mapping (left unchanged). */
  alreadyNames: string[];
  problem?: { kind: MapProblemKind; message: string };
}

function codeOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Maps the codes of one line. `segments` is the parsed field path. */
export function mapLine(text: string, segments: readonly PathSegment[], mapping: CodeMapping): MapLineResult {
  const res: MapLineResult = { text, mapped: [], unknown: [], alreadyNames: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    res.problem = { kind: 'invalid-json', message: `not valid JSON (${(e as Error).message})` };
    return res;
  }
  const target = getAtPath(value, segments);
  const span = target === undefined ? undefined : locateValue(text, segments);
  if (!span) {
    res.problem = { kind: 'missing-field', message: `no field '${formatJsonPath(segments)}'` };
    return res;
  }
  const isList = Array.isArray(target);
  const values: unknown[] = isList ? target : [target];
  const spans = isList ? (span.elements ?? []) : [span];
  const edits: { offset: number; length: number; text: string }[] = [];
  values.forEach((leaf, k) => {
    const code = codeOf(leaf);
    if (code === undefined) {
      res.problem = {
        kind: 'not-a-code',
        message: `'${formatJsonPath(segments)}' holds ${describe(leaf)}${isList ? ' element' : ''}, not a code (a string or a number)`,
      };
      return;
    }
    const name = mapping.names.get(code);
    if (name !== undefined) {
      res.mapped.push({ code, name });
      const at = spans[k];
      if (!(typeof leaf === 'string' && name === code) && at) {
        edits.push({ offset: at.start, length: at.end - at.start, text: JSON.stringify(name) });
      }
    } else if (mapping.nameSet.has(code)) res.alreadyNames.push(code);
    else res.unknown.push(code);
  });
  let out = text;
  for (const e of edits.sort((a, b) => b.offset - a.offset))
    out = out.slice(0, e.offset) + e.text + out.slice(e.offset + e.length);
  res.text = out;
  return res;
}

export interface MapReport {
  file: string;
  out: string;
  field: string;
  mapping: string;
  /** Non-blank lines read. */
  lines: number;
  /** Lines with at least one code replaced. */
  changedLines: number;
  /** Per code: its name and how many times it was replaced. */
  codes: { code: string; name: string; count: number }[];
  /** Unknown codes with their 1-based lines (left unchanged in the output). */
  unknown: { code: string; count: number; lines: number[] }[];
  /** Values that were already names (e.g. a file mapped before). */
  alreadyNames: number;
  problems: MapProblem[];
  written: boolean;
}

export interface MapOptions extends ScanOptions {
  /** false: analyse only (for a summary before writing). */
  write?: boolean;
}

/** Maps a file into `out` (atomically, never the input). Lines are read with the streaming reader. */
export async function mapCodesInFile(
  file: string,
  field: readonly PathSegment[],
  mapping: CodeMapping,
  out: string,
  opts: MapOptions = {},
): Promise<MapReport> {
  const write = opts.write ?? true;
  await checkInputFile(file);
  const st = await stat(file);
  const report: MapReport = {
    file,
    out,
    field: formatJsonPath(field),
    mapping: mapping.source,
    lines: 0,
    changedLines: 0,
    codes: [],
    unknown: [],
    alreadyNames: 0,
    problems: [],
    written: false,
  };
  const codeCounts = new Map<string, { name: string; count: number }>();
  const unknown = new Map<string, { count: number; lines: number[] }>();
  const writer = write ? await AtomicFileWriter.create(out) : undefined;
  try {
    let bom = false;
    let last = -1;
    const lines = readJsonlLines(file, { signal: opts.signal, onBom: (b) => (bom = b), checkUtf8: true });
    for await (const l of lines) {
      if (l.invalidUtf8At !== undefined)
        // Unchanged lines are copied as they are; bytes that are not UTF-8 would come out as U+FFFD.
        throw new PrepInputError(
          `${file}: line ${l.line + 1} is not valid UTF-8 (byte ${l.invalidUtf8At + 1} of the line); nothing written. Save the file as UTF-8 first.`,
          [{ line: l.line + 1, message: 'not valid UTF-8' }],
        );
      if (writer && l.line === 0 && bom) await writer.write(Buffer.from([0xef, 0xbb, 0xbf]));
      if (opts.onProgress && st.size) {
        const f = l.byteOffset / st.size;
        if (f - last >= 0.01) opts.onProgress((last = f));
      }
      const terminated = l.byteOffset + l.byteLength < st.size;
      const eol = terminated ? (l.crlf ? '\r\n' : '\n') : '';
      if (l.text.trim() === '') {
        await writer?.write(l.text + eol);
        continue;
      }
      report.lines++;
      const r = mapLine(l.text, field, mapping);
      if (r.problem) report.problems.push({ line: l.line + 1, ...r.problem });
      for (const m of r.mapped) {
        const c = codeCounts.get(m.code) ?? { name: m.name, count: 0 };
        c.count++;
        codeCounts.set(m.code, c);
      }
      if (r.text !== l.text) report.changedLines++;
      report.alreadyNames += r.alreadyNames.length;
      for (const code of r.unknown) {
        const u = unknown.get(code) ?? { count: 0, lines: [] };
        u.count++;
        if (u.lines[u.lines.length - 1] !== l.line + 1) u.lines.push(l.line + 1);
        unknown.set(code, u);
      }
      await writer?.write(r.text + eol);
    }
    opts.onProgress?.(1);
    if (writer) {
      await assertUnchanged(file, { size: st.size, mtimeMs: st.mtimeMs });
      await writer.commit();
      report.written = true;
    }
  } catch (e) {
    await writer?.abort();
    throw e;
  }
  report.codes = [...codeCounts.entries()]
    .map(([code, v]) => ({ code, name: v.name, count: v.count }))
    .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : 1));
  report.unknown = [...unknown.entries()]
    .map(([code, v]) => ({ code, ...v }))
    .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : 1));
  return report;
}
