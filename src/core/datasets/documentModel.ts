// The editor's incremental validator: keeps one summary per document line and running counts, so an
// edit re-checks only the lines it touched. Cross-line rules (duplicates, field drift) come from the
// counts; their line lists are rebuilt from the cached summaries only when something is inconsistent.
import type { Diagnostic } from '../diagnostics';
import {
  DuplicateCollector,
  FieldCollector,
  HashIndex,
  capDiagnostics,
  duplicateDiagnostics,
  exampleLimit,
  fieldDiagnostics,
  fileDiagnostics,
  isDrifting,
  itemFieldInfos,
  rebase,
} from './aggregate';
import type { FileFormat, LineKind } from './format';
import { DETECTION_SAMPLE, detectFileFormat } from './format';
import type { JsonType, LineSummary } from './lineCheck';
import { PHANTOM_SUMMARY, checkLine, kindOfText } from './lineCheck';
import type { DatasetReport, DatasetValidationOptions } from './options';
import { resolveOptions } from './options';

export interface DocumentModelOptions extends DatasetValidationOptions {
  /** The file on disk starts with a BOM (editors strip it from the text). */
  hasBom?: boolean;
  /** Report line-0 columns counting a U+FEFF at the start of the text (true in the editor). */
  bomInTextShifts?: boolean;
  /** Line terminator, for the byte count (default: detected from the text). */
  eol?: '\n' | '\r\n';
}

export interface TextChange {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
  text: string;
}

interface FieldCount {
  present: number;
  types: Map<JsonType, number>;
}

const BOM = 0xfeff;

export class DatasetDocumentModel {
  private raw: string[] = [''];
  private sums: LineSummary[] = [PHANTOM_SUMMARY];
  private byteLens: number[] = [0];
  private bytesTotal = 0;
  private format: FileFormat = 'unknown';
  private formatReason = '';
  private examples = 0;
  private tracked = 0;
  private withItemFields = 0;
  private readonly fieldCounts = new Map<string, FieldCount>();
  private readonly dupCounts = new Map<number, number>();
  private dupExtra = 0;
  private eolLength = 1;
  private readonly opts: ReturnType<typeof resolveOptions>;

  constructor(private readonly options: DocumentModelOptions = {}) {
    this.opts = resolveOptions(options);
  }

  get lineCount(): number {
    return this.raw.length;
  }

  get detectedFormat(): FileFormat {
    return this.format;
  }

  setText(text: string): void {
    const lines = text.split('\n');
    // A CR at the very end ends the last line, as the file reader (and the editor) read it.
    if (lines.length && lines[lines.length - 1].endsWith('\r')) lines.push('');
    let crlf = false;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].endsWith('\r')) {
        lines[i] = lines[i].slice(0, -1);
        crlf = true;
      }
    }
    this.eolLength = (this.options.eol ?? (crlf ? '\r\n' : '\n')).length;
    this.setLines(lines);
  }

  /** Replaces the whole content with document lines (as the editor has them, with no terminators). */
  setLines(lines: readonly string[]): void {
    if (this.options.eol) this.eolLength = this.options.eol.length;
    this.raw = lines.length ? [...lines] : [''];
    this.recheckAll(true);
  }

  /** Applies one editor content change (ranges in the document before the change). */
  applyChange(c: TextChange): void {
    const { startLine, endLine } = c;
    if (startLine < 0 || endLine >= this.raw.length || startLine > endLine) {
      throw new RangeError(`change ${startLine}-${endLine} outside a ${this.raw.length}-line document`);
    }
    const prefix = this.raw[startLine].slice(0, c.startCharacter);
    const suffix = this.raw[endLine].slice(c.endCharacter);
    const newLines = (prefix + c.text + suffix).split('\n');
    for (let i = 0; i < newLines.length; i++)
      if (newLines[i].endsWith('\r')) newLines[i] = newLines[i].slice(0, -1);
    const removed = endLine - startLine + 1;
    const oldSums = this.sums.slice(startLine, endLine + 1);
    const dupsBefore = this.dupExtra;
    for (let i = startLine; i <= endLine; i++) this.removeLine(i);
    this.raw.splice(startLine, removed, ...newLines);
    this.sums.splice(startLine, removed, ...newLines.map(() => PHANTOM_SUMMARY));
    this.byteLens.splice(startLine, removed, ...newLines.map(() => 0));
    const formatBefore = this.format;
    for (let i = startLine; i < startLine + newLines.length; i++) this.addLine(i);
    if (this.cross && !this.crossSurvives(startLine, endLine, oldSums, newLines.length, dupsBefore))
      this.cross = undefined;
    // The phantom line after a final newline, and the line that used to be it.
    const last = this.raw.length - 1;
    for (const i of [last - 1, last]) {
      if (i < 0 || (i >= startLine && i < startLine + newLines.length)) continue;
      const shouldBePhantom = i === last && this.raw[i] === '';
      if ((this.sums[i] === PHANTOM_SUMMARY) !== shouldBePhantom) {
        this.removeLine(i);
        this.addLine(i);
        this.cross = undefined;
      }
    }
    if (startLine <= this.windowEnd() || this.format === 'unknown') {
      this.decideFormat();
      if (this.format !== formatBefore) this.recheckAll(false);
    }
  }

  /**
   * Whether the cached cross-line results (duplicates, field drift) still hold after lines
   * [start, end] were replaced: same line count, same item fields and types on every replaced line,
   * no duplicate involved, and no cached diagnostic on a replaced line (its range may have moved).
   */
  private crossSurvives(
    start: number,
    end: number,
    old: LineSummary[],
    added: number,
    dupsBefore: number,
  ): boolean {
    if (added !== old.length) return false;
    for (let k = 0; k < old.length; k++) {
      const a = old[k];
      const b = this.sums[start + k];
      if (a.blank !== b.blank || !sameFields(a, b)) return false;
      if (a.hash !== b.hash && (dupsBefore > 0 || this.dupExtra > 0)) return false;
    }
    for (const d of this.cross!.diags)
      if (d.range.start.line >= start && d.range.start.line <= end) return false;
    return true;
  }

  /** Cross-line diagnostics (duplicates, field drift) from the last report, while they still hold. */
  private cross:
    { diags: Diagnostic[]; totals: Map<string, number>; fields: FieldCollector | undefined } | undefined;

  private windowEndCache = -1;
  /** Last line index inside the format-detection window. */
  private windowEnd(): number {
    return this.windowEndCache;
  }

  private decideFormat(): void {
    const kinds: LineKind[] = [];
    let i = 0;
    for (; i < this.sums.length && kinds.length < DETECTION_SAMPLE; i++) {
      const s = this.sums[i];
      if (s.blank) continue;
      kinds.push(s.kind ?? 'unknown');
    }
    this.windowEndCache = kinds.length < DETECTION_SAMPLE ? Number.MAX_SAFE_INTEGER : i - 1;
    const d = detectFileFormat(kinds, { fileName: this.opts.fileName, forced: this.opts.format });
    this.format = d.format;
    this.formatReason = d.reason;
  }

  private recheckAll(decide: boolean): void {
    this.cross = undefined;
    this.sums = this.raw.map(() => PHANTOM_SUMMARY);
    this.byteLens = this.raw.map(() => 0);
    this.bytesTotal = 0;
    this.examples = this.tracked = this.withItemFields = this.dupExtra = 0;
    this.fieldCounts.clear();
    this.dupCounts.clear();
    if (decide) {
      // Decide from the first examples' kinds before checking anything, so each line is checked once.
      const kinds: LineKind[] = [];
      const last = this.raw.length - 1;
      for (let i = 0; i <= last && kinds.length < DETECTION_SAMPLE; i++) {
        if (i === last && this.raw[i] === '') break;
        const k = kindOfText(this.lineText(i));
        if (k !== undefined) kinds.push(k);
      }
      const d = detectFileFormat(kinds, { fileName: this.opts.fileName, forced: this.opts.format });
      this.format = d.format;
      this.formatReason = d.reason;
    }
    for (let i = 0; i < this.raw.length; i++) this.addLine(i);
    this.decideFormat();
  }

  private lineText(i: number): string {
    const t = this.raw[i];
    return i === 0 && t.charCodeAt(0) === BOM ? t.slice(1) : t;
  }

  private addLine(i: number): void {
    const text = this.raw[i];
    const len = Buffer.byteLength(text);
    this.byteLens[i] = len;
    this.bytesTotal += len;
    const s =
      i === this.raw.length - 1 && text === ''
        ? PHANTOM_SUMMARY
        : checkLine(this.lineText(i), { format: this.format, sftTokens: this.opts.sftTokens });
    this.sums[i] = s;
    this.contribute(s, 1);
  }

  private removeLine(i: number): void {
    this.bytesTotal -= this.byteLens[i];
    this.contribute(this.sums[i], -1);
  }

  private contribute(s: LineSummary, sign: 1 | -1): void {
    if (s === PHANTOM_SUMMARY || s.blank) return;
    this.examples += sign;
    if (s.hash) {
      const n = (this.dupCounts.get(s.hash) ?? 0) + sign;
      if (sign > 0 && n > 1) this.dupExtra++;
      if (sign < 0 && n >= 1) this.dupExtra--;
      if (n === 0) this.dupCounts.delete(s.hash);
      else this.dupCounts.set(s.hash, n);
    }
    if (s.fieldKeys && s.fieldTypes) {
      this.tracked += sign;
      if (s.fieldKeys.length) this.withItemFields += sign;
      for (let k = 0; k < s.fieldKeys.length; k++) {
        const key = s.fieldKeys[k];
        let f = this.fieldCounts.get(key);
        if (!f) this.fieldCounts.set(key, (f = { present: 0, types: new Map() }));
        f.present += sign;
        const t = s.fieldTypes[k];
        const tn = (f.types.get(t) ?? 0) + sign;
        if (tn === 0) f.types.delete(t);
        else f.types.set(t, tn);
        if (f.present === 0) this.fieldCounts.delete(key);
      }
    }
  }

  private get hasBomInText(): boolean {
    return this.raw[0].charCodeAt(0) === BOM;
  }

  report(): DatasetReport {
    const cap = this.opts.maxPerRule;
    const n = this.sums.length;
    const perCode = new Map<string, number>();
    const diags: Diagnostic[] = [];
    for (let i = 0; i < n; i++) {
      const s = this.sums[i];
      if (s.diags.length === 0) continue;
      let keep = false;
      for (const d of s.diags) {
        const c = (perCode.get(d.code) ?? 0) + 1;
        perCode.set(d.code, c);
        if (c <= cap) keep = true;
      }
      if (keep) for (const d of rebase(s.diags, i)) diags.push(d);
    }
    const getText = (line: number) => this.lineText(line);
    const extra = new Map<string, number>(perCode);
    if (!this.cross) this.cross = this.crossLine(cap, getText);
    diags.push(...this.cross.diags);
    for (const [k, v] of this.cross.totals) extra.set(k, v);
    const fields = this.cross.fields;
    const limit = exampleLimit(this.opts.role);
    let firstExcessLine: number | undefined;
    if (this.examples > limit) {
      let seen = 0;
      for (let i = 0; i < n; i++) {
        if (this.sums[i].blank) continue;
        if (++seen === limit + 1) {
          firstExcessLine = i;
          break;
        }
      }
    }
    const bomInText = this.hasBomInText;
    const hasBom = bomInText || (this.options.hasBom ?? false);
    const bytes = this.bytesTotal + (this.raw.length - 1) * this.eolLength + (hasBom && !bomInText ? 3 : 0);
    diags.push(
      ...fileDiagnostics(
        {
          format: this.format,
          formatReason: this.formatReason,
          forced: this.opts.format !== 'auto',
          provider: this.opts.provider,
          role: this.opts.role,
          examples: this.examples,
          firstExcessLine,
          bytes,
          hasBom,
          maxPerRule: cap,
          anyItemField: this.withItemFields > 0,
        },
        getText,
      ),
    );
    let out = capDiagnostics(diags, cap, extra);
    if (bomInText && this.options.bomInTextShifts)
      out = out.map((d) =>
        d.range.start.line === 0 && d.code !== 'dataset/truncated'
          ? {
              ...d,
              range: {
                start: { line: 0, character: d.range.start.character + 1 },
                end: {
                  line: d.range.end.line,
                  character: d.range.end.character + (d.range.end.line === 0 ? 1 : 0),
                },
              },
            }
          : d,
      );
    return {
      path: this.opts.fileName,
      format: this.format,
      formatReason: this.formatReason,
      examples: this.examples,
      bytes,
      hasBom,
      diagnostics: out,
      itemFields: itemFieldInfos(fields, fields ? undefined : this.fieldCounts),
    };
  }

  private crossLine(
    cap: number,
    getText: (line: number) => string,
  ): NonNullable<DatasetDocumentModel['cross']> {
    const n = this.sums.length;
    const diags: Diagnostic[] = [];
    const totals = new Map<string, number>();
    if (this.dupExtra > 0) {
      const dups = new DuplicateCollector(cap);
      for (let i = 0; i < n; i++) if (this.sums[i].hash) dups.add(i, this.sums[i].hash);
      diags.push(...duplicateDiagnostics(dups, getText));
      totals.set('dataset/duplicate-example', dups.total);
    }
    let fields: FieldCollector | undefined;
    let drifting = this.fieldCounts.size > 1000;
    if (!drifting)
      for (const f of this.fieldCounts.values())
        if (isDrifting(f.present, f.types, this.tracked)) drifting = true;
    if (drifting) {
      fields = new FieldCollector(cap);
      for (let i = 0; i < n; i++) {
        const s = this.sums[i];
        if (s.fieldKeys && s.fieldTypes) fields.add(i, s.fieldKeys, s.fieldTypes);
      }
      const fd = fieldDiagnostics(fields, this.format, getText);
      diags.push(...fd.diags);
      for (const [k, v] of fd.totals) totals.set(k, v);
    }
    return { diags, totals, fields };
  }

  /** Hashes of every example, for a training/validation overlap check. */
  fingerprints(): HashIndex {
    const idx = new HashIndex();
    for (let i = 0; i < this.sums.length; i++) if (this.sums[i].hash) idx.add(this.sums[i].hash, i);
    return idx;
  }

  /** The cached summary of a line (for code actions and the dataset preview). */
  summary(line: number): LineSummary | undefined {
    return this.sums[line];
  }
}

function sameFields(a: LineSummary, b: LineSummary): boolean {
  const ak = a.fieldKeys;
  const bk = b.fieldKeys;
  if (!ak || !bk) return ak === bk;
  if (ak.length !== bk.length) return false;
  for (let i = 0; i < ak.length; i++)
    if (ak[i] !== bk[i] || a.fieldTypes![i] !== b.fieldTypes![i]) return false;
  return true;
}
