// File-level and cross-line rules: duplicates, item-field drift, example limits, provider profiles,
// format explanations, and the per-rule cap. The streaming validator feeds lines in order; the
// editor's incremental model keeps counts itself and replays its cached summaries through the same
// collectors only when something is inconsistent, so both produce identical diagnostics.
import type { Diagnostic } from '../diagnostics';
import { compareDiagnostics } from '../diagnostics';
import type { DatasetFormat, FileFormat } from './format';
import { FORMAT_LABEL } from './format';
import { LineTree } from './jsonPositions';
import type { JsonType, LineSummary } from './lineCheck';
import { itemFieldsOf } from './lineCheck';
import type { DatasetRuleCode } from './rules';
import { isPerFileRule, ruleSeverity } from './rules';

export type Provider = 'openai' | 'azure';
export type DatasetRole = 'training' | 'validation';

export const LIMITS = {
  maxTrainingExamples: 50_000,
  maxValidationExamples: 1_000,
  minTrainingExamples: 10,
  maxFileBytes: 512 * 1024 * 1024,
  maxTrackedFields: 1_000,
} as const;

export const DEFAULT_MAX_PER_RULE = 1_000;

export interface ItemFieldInfo {
  /** Examples that have the field. */
  present: number;
  /** JSON type → number of examples with that type. */
  types: Record<string, number>;
  /** First few 0-based lines of examples that lack the field. */
  firstMissingLines: number[];
}

export interface ExampleFingerprints {
  /** Open-addressing table of example hashes (0 = empty slot) and the 0-based line of each. */
  keys: Float64Array;
  lines: Int32Array;
  size: number;
}

/** Compact hash → first line table: ~12 bytes per example, so a million examples stay small. */
export class HashIndex {
  keys: Float64Array;
  lines: Int32Array;
  size = 0;
  constructor(capacity = 1024) {
    this.keys = new Float64Array(capacity);
    this.lines = new Int32Array(capacity);
  }
  /** Inserts hash at line; returns the earlier line when the hash was already there, else -1. */
  add(hash: number, line: number): number {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    let i = (hash >>> 0) & mask;
    for (;;) {
      const k = this.keys[i];
      if (k === 0) {
        this.keys[i] = hash;
        this.lines[i] = line;
        this.size++;
        return -1;
      }
      if (k === hash) return this.lines[i];
      i = (i + 1) & mask;
    }
  }
  private grow(): void {
    const oldK = this.keys;
    const oldL = this.lines;
    this.keys = new Float64Array(oldK.length * 2);
    this.lines = new Int32Array(oldK.length * 2);
    this.size = 0;
    for (let i = 0; i < oldK.length; i++) if (oldK[i] !== 0) this.add(oldK[i], oldL[i]);
  }
  toFingerprints(): ExampleFingerprints {
    return { keys: this.keys, lines: this.lines, size: this.size };
  }
}

export function lookupFingerprint(f: ExampleFingerprints, hash: number): number {
  const mask = f.keys.length - 1;
  let i = (hash >>> 0) & mask;
  for (;;) {
    const k = f.keys[i];
    if (k === 0) return -1;
    if (k === hash) return f.lines[i];
    i = (i + 1) & mask;
  }
}

interface FieldState {
  present: number;
  /** Examples per JSON type (a plain object: cheaper than a Map on the per-line path). */
  counts: Partial<Record<JsonType, number>>;
  lastLine: number;
  firstPresent: number[];
  missing: number[];
  byType: Partial<Record<JsonType, number[]>>;
}

/** JSON type → examples, in a stable order. */
export function typesOf(f: { counts: Partial<Record<JsonType, number>> }): Map<JsonType, number> {
  const m = new Map<JsonType, number>();
  for (const t of Object.keys(f.counts).sort() as JsonType[]) if (f.counts[t]) m.set(t, f.counts[t]!);
  return m;
}

/** Item-field statistics over examples fed in line order, with the first `cap` lines of each list. */
export class FieldCollector {
  tracked = 0;
  overflow = false;
  readonly fields = new Map<string, FieldState>();
  private readonly firstTracked: number[] = [];
  // Consecutive examples usually have the same keys in the same order: reuse the resolved states.
  private lastKeys: readonly string[] = [];
  private lastStates: FieldState[] = [];
  /** `onListed` hears of every line kept in a list (the streaming validator remembers where it is). */
  constructor(
    private readonly cap: number,
    private readonly onListed?: (line: number) => void,
  ) {}

  add(line: number, keys: readonly string[], types: readonly JsonType[]): void {
    if (this.overflow) return;
    const index = this.tracked++;
    if (this.firstTracked.length < this.cap) {
      this.firstTracked.push(line);
      this.onListed?.(line);
    }
    let states = this.lastStates;
    if (!sameKeys(keys, this.lastKeys)) {
      states = [];
      for (let i = 0; i < keys.length; i++) {
        let f = this.fields.get(keys[i]);
        if (!f) {
          if (this.fields.size >= LIMITS.maxTrackedFields) {
            this.overflow = true;
            this.fields.clear();
            this.lastKeys = [];
            this.lastStates = [];
            return;
          }
          f = {
            present: 0,
            counts: {},
            lastLine: -1,
            firstPresent: [],
            missing: this.firstTracked.slice(0, Math.min(index, this.cap)),
            byType: {},
          };
          this.fields.set(keys[i], f);
        }
        states.push(f);
      }
      this.lastKeys = keys;
      this.lastStates = states;
    }
    for (let i = 0; i < states.length; i++) {
      const f = states[i];
      f.present++;
      f.lastLine = line;
      const t = types[i];
      f.counts[t] = (f.counts[t] ?? 0) + 1;
      if (f.firstPresent.length < this.cap) {
        f.firstPresent.push(line);
        this.onListed?.(line);
      }
      let list = f.byType[t];
      if (!list) f.byType[t] = list = [];
      if (list.length < this.cap) {
        list.push(line);
        this.onListed?.(line);
      }
    }
    if (keys.length < this.fields.size) {
      for (const f of this.fields.values())
        if (f.lastLine !== line && f.missing.length < this.cap) {
          f.missing.push(line);
          this.onListed?.(line);
        }
    }
  }

  /** Lines whose text the emitted diagnostics need. */
  linesNeeded(): Set<number> {
    const out = new Set<number>();
    for (const f of this.fields.values()) {
      const types = typesOf(f);
      if (!isDrifting(f.present, types, this.tracked)) continue;
      for (const l of f.missing) out.add(l);
      if (f.present * 2 < this.tracked) for (const l of f.firstPresent) out.add(l);
      const major = majorityType(types);
      for (const [t, list] of Object.entries(f.byType)) if (t !== major) for (const l of list) out.add(l);
    }
    return out;
  }
}

export function isDrifting(present: number, types: Map<JsonType, number>, tracked: number): boolean {
  return present !== tracked || types.size > 1;
}

/** The most common type; ties go to the alphabetically first, so the answer never depends on order. */
export function majorityType(types: Map<JsonType, number>): JsonType | undefined {
  let best: JsonType | undefined;
  let n = -1;
  for (const [t, c] of types) {
    if (c > n || (c === n && best !== undefined && t < best)) {
      best = t;
      n = c;
    }
  }
  return best;
}

/** Duplicate examples in line order: the first `cap` repeats and the total. */
export class DuplicateCollector {
  readonly index = new HashIndex();
  readonly found: { line: number; first: number }[] = [];
  total = 0;
  constructor(private readonly cap: number) {}
  add(line: number, hash: number): void {
    const first = this.index.add(hash, line);
    if (first < 0) return;
    this.total++;
    if (this.found.length < this.cap) this.found.push({ line, first });
  }
}

export interface FileFacts {
  format: FileFormat;
  formatReason: string;
  forced: boolean;
  provider: Provider;
  role: DatasetRole;
  examples: number;
  /** 0-based line of each example beyond the provider limit's first one (for too-many-examples). */
  firstExcessLine: number | undefined;
  bytes: number;
  hasBom: boolean;
  maxPerRule: number;
  /** Whether any example has item fields (RFT files only). */
  anyItemField: boolean;
}

export function exampleLimit(role: DatasetRole): number {
  return role === 'validation' ? LIMITS.maxValidationExamples : LIMITS.maxTrainingExamples;
}

function diag(
  code: DatasetRuleCode,
  line: number,
  start: number,
  end: number,
  message: string,
  extra?: Partial<Diagnostic>,
): Diagnostic {
  return {
    range: { start: { line, character: start }, end: { line, character: end } },
    severity: ruleSeverity(code),
    code,
    message,
    ...extra,
  };
}

/** Rebases a line summary's diagnostics (ranges on line 0) to `line`, shifting line 0 by `shift` characters. */
export function rebase(diags: readonly Diagnostic[], line: number, shift = 0): Diagnostic[] {
  return diags.map((d) => ({
    ...d,
    range: {
      start: { line, character: d.range.start.character + shift },
      end: { line, character: d.range.end.character + shift },
    },
  }));
}

/** Diagnostics about the file as a whole, anchored at the start of the file. */
export function fileDiagnostics(f: FileFacts, getText: (line: number) => string): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (f.examples === 0) {
    out.push(diag('dataset/empty', 0, 0, 0, 'The file has no examples: write one JSON object per line.'));
    return out;
  }
  if (f.format === 'eval-items') {
    out.push(
      diag(
        'dataset/not-training-data',
        0,
        0,
        0,
        'This file holds {"item": …} evaluation rows (an Evals data source), not fine-tuning examples; a fine-tuning job rejects it. For RFT, put the item fields at the top level of each line next to "messages" (the prompt, ending with a user message).',
        { data: { format: f.format } },
      ),
    );
  } else if (f.format === 'records') {
    out.push(
      diag(
        'dataset/not-training-data',
        0,
        0,
        0,
        'This file holds plain records without "messages", not fine-tuning examples; a fine-tuning job rejects it. To train on it, turn each record into an example: "messages" (the prompt) plus the record\'s fields as reference data for the grader.',
        { data: { format: f.format } },
      ),
    );
  } else if (f.format === 'unknown') {
    out.push(
      diag(
        'dataset/unknown-format',
        0,
        0,
        0,
        `Cannot tell whether this is RFT, SFT or DPO data (${f.formatReason}). Set rftStudio.datasets.format or pass --format.`,
      ),
    );
  }
  const training = f.format === 'rft' || f.format === 'sft' || f.format === 'dpo';
  if (!training) return out;
  const limit = exampleLimit(f.role);
  if (f.firstExcessLine !== undefined) {
    const t = getText(f.firstExcessLine);
    out.push(
      diag(
        'dataset/too-many-examples',
        f.firstExcessLine,
        0,
        t.length,
        `${f.examples.toLocaleString('en-US')} examples: a ${f.role} file may hold at most ${limit.toLocaleString('en-US')}; this is the first one over the limit.`,
      ),
    );
  }
  if (f.role === 'training' && f.examples < LIMITS.minTrainingExamples) {
    out.push(
      diag(
        'dataset/too-few-examples',
        0,
        0,
        0,
        `Only ${f.examples} example(s): fine-tuning needs at least ${LIMITS.minTrainingExamples} (start with several dozen to a few hundred).`,
      ),
    );
  }
  if (f.bytes > LIMITS.maxFileBytes) {
    out.push(
      diag(
        'dataset/file-too-large',
        0,
        0,
        0,
        `The file is ${(f.bytes / 2 ** 20).toFixed(0)} MB; uploads are limited to 512 MB per file (the multipart Uploads API takes up to 8 GB).`,
      ),
    );
  }
  if (f.provider === 'azure' && !f.hasBom) {
    out.push(
      diag(
        'azure/missing-bom',
        0,
        0,
        0,
        'Azure OpenAI wants training and validation files encoded as UTF-8 with a byte-order mark (BOM); this file has none.',
        { data: { fix: 'add-bom' } },
      ),
    );
  }
  if (f.format === 'rft' && !f.anyItemField) {
    out.push(
      diag(
        'rft/no-reference-fields',
        0,
        0,
        0,
        'No example has fields besides "messages" and "tools", so a grader can only look at the model\'s output. Add reference fields (e.g. "reference_answer") to grade against.',
      ),
    );
  }
  return out;
}

const TYPE_ARTICLE = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

export function fieldDiagnostics(
  fields: FieldCollector,
  format: FileFormat,
  getText: (line: number) => string,
): { diags: Diagnostic[]; totals: Map<string, number> } {
  const diags: Diagnostic[] = [];
  const totals = new Map<string, number>();
  const bump = (code: string, n: number) => totals.set(code, (totals.get(code) ?? 0) + n);
  if (fields.overflow) {
    diags.push(
      diag(
        'dataset/too-many-fields',
        0,
        0,
        0,
        `More than ${LIMITS.maxTrackedFields.toLocaleString('en-US')} distinct item fields: field consistency was not checked.`,
      ),
    );
    return { diags, totals };
  }
  const n = fields.tracked;
  const prefix = format === 'eval-items' ? ['item'] : [];
  const tree = new Map<number, LineTree>();
  const treeOf = (line: number) => {
    let t = tree.get(line);
    if (!t) tree.set(line, (t = new LineTree(getText(line))));
    return t;
  };
  for (const [key, f] of fields.fields) {
    const types = typesOf(f);
    if (!isDrifting(f.present, types, n)) continue;
    const label = format === 'rft' || format === 'eval-items' ? `{{ item.${key} }}` : `"${key}"`;
    if (f.present * 2 >= n) {
      bump('dataset/field-missing', n - f.present);
      for (const line of f.missing) {
        const t = getText(line);
        diags.push(
          diag(
            'dataset/field-missing',
            line,
            0,
            t.length,
            `Field "${key}" is missing here but present in ${f.present} of ${n} examples; a grader reading ${label} fails on this example.`,
            {
              data: { field: key },
            },
          ),
        );
      }
    } else {
      bump('dataset/field-rare', f.present);
      for (const line of f.firstPresent) {
        const s = treeOf(line).keySpan([...prefix, key]);
        diags.push(
          diag(
            'dataset/field-rare',
            line,
            s.start,
            s.end,
            `Field "${key}" appears in only ${f.present} of ${n} examples: a typo, or a field the others lack?`,
            { data: { field: key } },
          ),
        );
      }
    }
    if (types.size > 1) {
      const major = majorityType(types)!;
      const majorCount = types.get(major)!;
      for (const [t, lines] of Object.entries(f.byType) as [JsonType, number[]][]) {
        if (t === major) continue;
        bump('dataset/field-type', types.get(t)!);
        for (const line of lines) {
          const s = treeOf(line).valueSpan([...prefix, key]);
          diags.push(
            diag(
              'dataset/field-type',
              line,
              s.start,
              s.end,
              `Field "${key}" is ${TYPE_ARTICLE(t)} here but ${TYPE_ARTICLE(major)} in ${majorCount} of ${f.present} examples; graders compare values literally.`,
              {
                data: { field: key, type: t, expected: major },
              },
            ),
          );
        }
      }
    }
  }
  return { diags, totals };
}

export function duplicateDiagnostics(
  dups: DuplicateCollector,
  getText: (line: number) => string,
): Diagnostic[] {
  return dups.found.map(({ line, first }) =>
    diag(
      'dataset/duplicate-example',
      line,
      0,
      getText(line).length,
      `This example duplicates line ${first + 1}.`,
      {
        related: [
          {
            range: { start: { line: first, character: 0 }, end: { line: first, character: 0 } },
            message: 'first occurrence',
          },
        ],
        data: { fix: 'delete-line', first },
      },
    ),
  );
}

/** The one diagnostic a once-per-file rule leaves: at its first example, with how many examples it concerns. */
function perFileSummary(first: Diagnostic, total: number): Diagnostic {
  const n = total.toLocaleString('en-US');
  switch (first.code) {
    case 'sft/no-system-message':
      return {
        ...first,
        message: `${n} example(s) have no system message (the first is this one). Fine if intended; otherwise give every example the system prompt you will use at inference time.`,
        data: { count: total },
      };
    default:
      return { ...first, message: `${first.message} (${n} example(s) in this file)`, data: { count: total } };
  }
}

/**
 * Sorts, keeps the first `cap` diagnostics of each code, and adds one summary per truncated code.
 * Once-per-file rules (rules.ts `perFile`) keep only their first diagnostic, counting all of them.
 */
export function capDiagnostics(
  diags: Diagnostic[],
  cap: number,
  extraTotals: ReadonlyMap<string, number>,
): Diagnostic[] {
  diags.sort(compareDiagnostics);
  const kept: Diagnostic[] = [];
  const seen = new Map<string, number>();
  const perFile = new Map<string, { index: number; count: number }>();
  for (const d of diags) {
    if (isPerFileRule(d.code)) {
      const p = perFile.get(d.code);
      if (p) p.count++;
      else {
        perFile.set(d.code, { index: kept.length, count: 1 });
        kept.push(d);
      }
      continue;
    }
    const n = (seen.get(d.code) ?? 0) + 1;
    seen.set(d.code, n);
    if (n <= cap) kept.push(d);
  }
  for (const [code, p] of perFile)
    kept[p.index] = perFileSummary(kept[p.index]!, Math.max(p.count, extraTotals.get(code) ?? 0));
  const summaries: Diagnostic[] = [];
  const codes = new Set([...seen.keys(), ...extraTotals.keys()]);
  for (const code of [...codes].sort()) {
    if (perFile.has(code) || isPerFileRule(code)) continue;
    const total = Math.max(seen.get(code) ?? 0, extraTotals.get(code) ?? 0);
    const shown = Math.min(seen.get(code) ?? 0, cap);
    if (total > shown)
      summaries.push(
        diag(
          'dataset/truncated',
          0,
          0,
          0,
          `${(total - shown).toLocaleString('en-US')} more "${code}" problem(s) not shown (${shown.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} listed).`,
          { data: { code, total } },
        ),
      );
  }
  if (!summaries.length) return kept;
  return [...kept, ...summaries].sort(compareDiagnostics);
}

export function itemFieldInfos(
  fields: FieldCollector | undefined,
  counts?: ReadonlyMap<string, { present: number; types: Map<JsonType, number> }>,
): Record<string, ItemFieldInfo> {
  const out: Record<string, ItemFieldInfo> = {};
  if (fields && !fields.overflow) {
    for (const [k, f] of fields.fields)
      out[k] = {
        present: f.present,
        types: Object.fromEntries(typesOf(f)),
        firstMissingLines: f.missing.slice(0, 10),
      };
  } else if (counts) {
    for (const [k, f] of counts)
      out[k] = { present: f.present, types: Object.fromEntries(f.types), firstMissingLines: [] };
  }
  return out;
}

export function formatDescription(format: FileFormat): string {
  return FORMAT_LABEL[format];
}

export function isTrainingFormat(f: FileFormat): f is DatasetFormat {
  return f === 'rft' || f === 'sft' || f === 'dpo';
}

export { itemFieldsOf };
export type { LineSummary };

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
