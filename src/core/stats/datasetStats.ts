// Statistics of one JSONL dataset, computed in one streaming pass: examples per format, role sequences, tokens per
// example (o200k_base), item-field inventory, a chosen field's value distribution, exact and near duplicates,
// answer leakage and a cost estimate. Line numbers in the results are 1-based, as people count them.
import { stat } from 'node:fs/promises';
import type { LineKind } from '../datasets/format';
import { detectFileFormat, detectLineKind } from '../datasets/format';
import { readJsonlLines } from '../datasets/jsonlReader';
import { jsonValueKeyInto } from '../json/jsonValueKey';
import { grow, KeyTable } from './keyTable';
import { madeUpLines } from './warmUp';
import {
  canonicalJson,
  getPath,
  itemFields,
  jsonType,
  nearDuplicateText,
  roleSequence,
  userText,
} from './exampleView';
import type { NearDuplicatePair, NearDuplicateResult, TextFingerprint } from './nearDuplicates';
import {
  FingerprintSigner,
  NEAR_DUPLICATE_DEFINITION,
  NearDuplicateIndex,
  textFingerprint,
} from './nearDuplicates';
import { exampleTokenCount, hasTokenCount } from './exampleTokens';
import type { NearJob, PrefixTokenCounts } from './fileTokens';
import {
  fingerprintAt,
  NearClaims,
  startTokenWorker,
  TOKEN_WORKER_SHARE,
  tokenWorkerScript,
  useTokenWorker,
} from './fileTokens';
import type { PriceTable } from './pricing';
import type {
  DatasetStats,
  FieldInventoryEntry,
  JsonType,
  PairStats,
  StatsLineKind,
  TokenStats,
  ValueCount,
  ValueDistribution,
  Histogram,
} from '../../shared/datasetStats';

export type * from '../../shared/datasetStats';
import { DEFAULT_PRICES, estimateCost } from './pricing';

export interface StatsOptions {
  /** Field whose value distribution is reported (dotted path); otherwise a label-like field is picked. */
  field?: string;
  /** Examples with more tokens than this are listed (default 65,536). */
  tokenLimit?: number;
  /** Epochs assumed by the cost estimate (default 3). */
  epochs?: number;
  prices?: PriceTable;
  nearThreshold?: number;
  /** Bounds on near-duplicate detection (memory). */
  nearMaxExamples?: number;
  /** Skip token counting (it dominates the time on very large files). */
  skipTokens?: boolean;
  /** Called every `progressEvery` lines with the number of lines read and bytes consumed. */
  onProgress?: (lines: number, bytes: number) => void;
  progressEvery?: number;
  signal?: AbortSignal;
  /**
   * Worker script that counts the tokens of the first part of a large file in parallel (dist/workers/statsTokens.js,
   * found next to the bundle by default); false = count everything in-thread. Same results either way.
   */
  tokenWorker?: string | false;
  /** Files from this size on get the token worker (default TOKEN_WORKER_MIN_BYTES; tests lower it). */
  tokenWorkerMinBytes?: number;
  /** Share of the file's bytes whose lines the worker counts (default TOKEN_WORKER_SHARE); the rest in-thread. */
  tokenWorkerShare?: number;
  /**
   * Whether the worker shares the near-duplicate fingerprints (default true): each thread takes the chunks of lines
   * it reaches first, so a worker still loading its rank table takes none and a warm one takes its share. false =
   * the calling thread fingerprints every text. Same results either way.
   */
  workerNear?: boolean;
}

export const DISTINCT_CAP = 1000;
export const DISTRIBUTION_CAP = 200;
export const LIST_CAP = 200;
const VALUE_TEXT_CAP = 200;
/** jsonValueKeyInto's output, reused. */
const VALUE_KEY = new Int32Array(2);
export const DEFAULT_TOKEN_LIMIT = 65_536;

/** Item fields whose values are reference answers (checked for leakage into the prompt). */
const ANSWER_FIELD =
  /(answer|label|solution|expected|ground_?truth|gold|reference|completion|output|compliant|clause_type)/i;
const NOT_ANSWER_FIELD =
  /(message|prompt|input|question|developer|user|system|tool|context|instruction|text_input)/i;

export function isAnswerField(name: string): boolean {
  return ANSWER_FIELD.test(name) && !NOT_ANSWER_FIELD.test(name);
}

const LABEL_FIELD =
  /(label|answer|class|categor|tag|topic|sentiment|compliant|clause_type|cwe|intent|level)/i;

/** Text used to count a value in a distribution: strings as they are, anything else as JSON (bounded). */
export function valueKey(v: unknown): string {
  const s = typeof v === 'string' ? v : canonicalJson(v);
  return s.length > VALUE_TEXT_CAP ? `${s.slice(0, VALUE_TEXT_CAP)}…` : s;
}

function elementsOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

class ValueCounter {
  counts: Map<string, number> | undefined = new Map();
  rows = 0;
  arrayRows = 0;
  elements = 0;
  add(v: unknown): void {
    this.rows++;
    if (Array.isArray(v)) this.arrayRows++;
    for (const e of elementsOf(v)) {
      this.elements++;
      if (!this.counts) continue;
      const k = valueKey(e);
      this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
      if (this.counts.size > DISTINCT_CAP) this.counts = undefined;
    }
  }
}

function sortedCounts(m: Map<string, number>): ValueCount[] {
  return [...m.entries()]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

/** Rounds up to 1, 2 or 5 × 10^n. */
function niceStep(raw: number): number {
  if (raw <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/** Equal-width bins of a nice width (1, 2 or 5 × 10^n) covering [min, max], about `target` of them. */
export function histogram(values: ArrayLike<number>, target = 20): Histogram {
  if (!values.length) return { binWidth: 1, bins: [{ from: 0, to: 1, count: 0 }] };
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > max) max = values[i];
    if (values[i] < min) min = values[i];
  }
  const binWidth = niceStep((max - min + 1) / target);
  const start = Math.floor(min / binWidth) * binWidth;
  const n = Math.floor((max - start) / binWidth) + 1;
  const bins = Array.from({ length: n }, (_, i) => ({
    from: start + i * binWidth,
    to: start + (i + 1) * binWidth,
    count: 0,
  }));
  for (let i = 0; i < values.length; i++) bins[Math.floor((values[i] - start) / binWidth)].count++;
  return { binWidth, bins };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!sorted.length) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

function median(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (!n) return 0;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/** Tokens of one example as it is trained on: the conversation (DPO: prompt + each of the two answers). */
export const exampleTokens = exampleTokenCount;

/** Accumulates one dataset line by line; `finish()` returns the statistics. Usable on any line source. */
export class DatasetStatsBuilder {
  private lines = 0;
  private bytes = 0;
  private examples = 0;
  private blank = 0;
  private invalid = { count: 0, lines: [] as number[] };
  private readonly kinds: Partial<Record<StatsLineKind, number>> = {};
  private readonly sampleKinds: LineKind[] = [];
  private readonly roleSeqs = new Map<string, { count: number; firstLine: number }>();
  private tokenValues = new Uint32Array(1024);
  /** The 1-based line of each token count. */
  private tokenLines = new Uint32Array(1024);
  private tokenCount = 0;
  /** The first `deferredTokens` counts are placeholders until fillDeferredTokens (a worker counts them). */
  private deferredTokens = 0;
  /** While set, lines added leave their token count to fillDeferredTokens. */
  deferTokens = false;
  /** While set, examples added leave their near-duplicate fingerprint to fillDeferredNear. */
  deferNear = false;
  /**
   * Examples waiting for fillDeferredNear: those from id `pendingFrom` on (-1: none), in order. `pendingFps[k]` is
   * the fingerprint this thread made for the k-th (undefined: the worker's, by line) and `pendingCross[k]` its id in
   * the cross index. Columns, not an object per example: fewer objects for the collector to copy.
   */
  private pendingFrom = -1;
  private pendingFps: (TextFingerprint | undefined)[] = [];
  private pendingCross = new Int32Array(0);
  private readonly fields = new Map<
    string,
    { present: number; types: Partial<Record<JsonType, number>>; values: ValueCounter }
  >();
  private readonly chosen: ValueCounter | undefined;
  /**
   * Exact duplicates: each distinct value's key (jsonValueKey) gets an id in `exactKeys`; `exactOf[e]` is example
   * e's (by order added, as in `nearLines`) and `exactCount[id]` how many examples have it.
   */
  private readonly exactKeys = new KeyTable();
  private exactOf = new Int32Array(1024);
  private exactCount = new Int32Array(1024);
  readonly near: NearDuplicateIndex;
  /** Signs the fingerprints this thread makes (the worker signs its own). */
  private readonly signer = new FingerprintSigner();
  /** Example id (insertion index in `near`) → 1-based line. */
  private readonly nearLines: number[] = [];
  private readonly leaks: { line: number; field: string; value: string }[] = [];
  private leakCount = 0;
  private readonly leakFields = new Set<string>();
  private readonly tokenLimit: number;

  constructor(
    private readonly opts: StatsOptions = {},
    /** Also feeds a shared index for near duplicates across a training/validation pair, tagged with `group`. */
    private readonly cross?: {
      index: NearDuplicateIndex;
      sink: { line: number; group: number }[];
      group: number;
    },
  ) {
    this.tokenLimit = opts.tokenLimit ?? DEFAULT_TOKEN_LIMIT;
    this.chosen = opts.field ? new ValueCounter() : undefined;
    this.near = new NearDuplicateIndex({ threshold: opts.nearThreshold, maxExamples: opts.nearMaxExamples });
  }

  /** Adds one line (0-based `line`, its text and byte length). */
  addLine(line: number, text: string, byteLength = Buffer.byteLength(text)): void {
    this.lines = Math.max(this.lines, line + 1);
    this.bytes += byteLength;
    const display = line + 1;
    if (text.trim() === '') {
      this.blank++;
      this.kinds.blank = (this.kinds.blank ?? 0) + 1;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.invalid.count++;
      if (this.invalid.lines.length < LIST_CAP) this.invalid.lines.push(display);
      this.kinds['invalid-json'] = (this.kinds['invalid-json'] ?? 0) + 1;
      return;
    }
    this.addValue(display, value, text);
  }

  private addValue(display: number, value: unknown, text: string): void {
    this.examples++;
    const kind = detectLineKind(value);
    this.kinds[kind] = (this.kinds[kind] ?? 0) + 1;
    if (this.sampleKinds.length < 100) this.sampleKinds.push(kind);

    const seq = roleSequence(value);
    if (seq) {
      const e = this.roleSeqs.get(seq);
      if (e) e.count++;
      else this.roleSeqs.set(seq, { count: 1, firstLine: display });
    }

    if (!this.opts.skipTokens) {
      const t = this.deferTokens ? (hasTokenCount(value) ? 0 : undefined) : exampleTokenCount(value);
      if (t !== undefined) {
        if (this.tokenCount === this.tokenValues.length) {
          this.tokenValues = grow(this.tokenValues, this.tokenCount + 1);
          this.tokenLines = grow(this.tokenLines, this.tokenCount + 1);
        }
        if (this.deferTokens) {
          if (this.deferredTokens !== this.tokenCount)
            throw new Error('deferred token counts must come first');
          this.deferredTokens++;
        }
        this.tokenLines[this.tokenCount] = display;
        this.tokenValues[this.tokenCount++] = t;
      }
    }

    const item = itemFields(value);
    for (const [k, v] of Object.entries(item)) {
      let f = this.fields.get(k);
      if (!f) this.fields.set(k, (f = { present: 0, types: {}, values: new ValueCounter() }));
      f.present++;
      const t = jsonType(v);
      f.types[t] = (f.types[t] ?? 0) + 1;
      f.values.add(v);
    }
    if (this.chosen && this.opts.field) {
      const got = getPath(value, this.opts.field);
      if (got.found) this.chosen.add(got.value);
    }

    // Exact duplicates: same JSON value whatever the key order and whitespace.
    const id = this.nearLines.length;
    jsonValueKeyInto(value, VALUE_KEY);
    const key = this.exactKeys.add(VALUE_KEY[0], VALUE_KEY[1], 0);
    if (id === this.exactOf.length) this.exactOf = grow(this.exactOf, id + 1);
    if (key === this.exactCount.length) this.exactCount = grow(this.exactCount, key + 1);
    this.exactOf[id] = key;
    this.exactCount[key]++;

    this.nearLines.push(display);
    let crossId = -1;
    if (this.cross) {
      this.cross.sink.push({ line: display, group: this.cross.group });
      crossId = this.cross.sink.length - 1;
    }
    if (this.deferNear || this.pendingFrom >= 0) {
      // The worker fingerprints this line; or it did earlier ones, and the index must get the texts in order.
      if (this.pendingFrom < 0) this.pendingFrom = id;
      const k = this.pendingFps.length;
      this.pendingFps.push(this.deferNear ? undefined : this.fingerprint(value, text, item));
      if (this.cross) {
        if (k === this.pendingCross.length) this.pendingCross = grow(this.pendingCross, k + 1);
        this.pendingCross[k] = crossId;
      }
    } else {
      // Made once for both indexes, and only while one has room.
      let fp: TextFingerprint | undefined;
      const made = () => (fp ??= this.fingerprint(value, text, item));
      this.near.addFingerprint(id, made);
      this.cross?.index.addFingerprint(crossId, made, this.cross.group);
    }

    this.checkLeakage(display, value, item);
  }

  /** The example's near-duplicate fingerprint, signed ahead of the search where the signer can. */
  private fingerprint(value: unknown, text: string, item: Record<string, unknown>): TextFingerprint {
    return this.signer.sign(textFingerprint(nearDuplicateText(value, text, item)));
  }

  private checkLeakage(display: number, value: unknown, item: Record<string, unknown>): void {
    // The prompt's text only once a field can leak (most answers are too short to tell: a label, a digit).
    let prompt: string | undefined;
    for (const k of Object.keys(item)) {
      if (!isAnswerField(k)) continue;
      const v = item[k];
      const parts = elementsOf(v)
        .filter((e) => typeof e === 'string' || typeof e === 'number')
        .map((e) => String(e).trim());
      if (!parts.length || parts.some((p) => p.length < 2)) continue;
      const text = (prompt ??= userText(value));
      if (!text) return;
      this.leakFields.add(k);
      if (parts.every((p) => containsWord(text, p))) {
        this.leakCount++;
        if (this.leaks.length < LIST_CAP) this.leaks.push({ line: display, field: k, value: valueKey(v) });
      }
    }
  }

  /** Sets the deferred token counts from counts by 0-based line (what the token worker returns). */
  fillDeferredTokens(prefix: PrefixTokenCounts): void {
    for (let k = 0; k < this.deferredTokens; k++) {
      const line = this.tokenLines[k] - 1;
      const t = line < prefix.lines ? prefix.counts[line] : -1;
      if (t < 0) throw new Error(`no token count for line ${line + 1}`);
      this.tokenValues[k] = t;
    }
    this.deferredTokens = 0;
  }

  /** Adds the examples left to the worker, in order, with the fingerprints it computed (fillDeferredTokens' pair). */
  fillDeferredNear(prefix: PrefixTokenCounts): void {
    const from = prefix.fingerprints;
    for (let k = 0; k < this.pendingFps.length; k++) {
      const id = this.pendingFrom + k;
      let fp = this.pendingFps[k];
      // Unpacked once for both indexes, and only while one has room.
      const made = () => (fp ??= from && fingerprintAt(from, this.nearLines[id] - 1));
      this.near.addFingerprint(id, made);
      this.cross?.index.addFingerprint(this.pendingCross[k], made, this.cross.group);
    }
    this.pendingFrom = -1;
    this.pendingFps = [];
    this.pendingCross = new Int32Array(0);
  }

  /**
   * What the worker must fingerprint — the lines it claims — so that every index this builder feeds has each text
   * it keeps.
   */
  nearJob(claims: NearClaims): NearJob {
    const own = this.near;
    const cross = this.cross?.index;
    return {
      claims: claims.claims,
      shift: claims.shift,
      maxExamples: Math.max(own.maxExamples, cross?.maxExamples ?? 0),
      maxShingles: Math.max(own.maxShingles, cross?.maxShingles ?? 0),
    };
  }

  /** The distinct values' keys (jsonValueKey's two halves, and 0), numbered (for cross-file overlap). */
  get valueKeys(): KeyTable {
    return this.exactKeys;
  }

  /** The 1-based lines of each value key id in `ids` (for cross-file overlap). */
  exactLines(ids: ReadonlySet<number>): Map<number, number[]> {
    return this.linesByKey((id) => ids.has(id));
  }

  /** Lines of the values found more than once, in groups ordered by first line. */
  private exactGroups(): number[][] {
    return [...this.linesByKey((id) => this.exactCount[id] > 1).values()];
  }

  /**
   * The 1-based lines of each value key id that `wanted`, in order. Ids are numbered in order of first appearance,
   * and so come the map's entries.
   */
  private linesByKey(wanted: (id: number) => boolean): Map<number, number[]> {
    const lines = new Map<number, number[]>();
    for (let e = 0; e < this.nearLines.length; e++) {
      const id = this.exactOf[e];
      if (!wanted(id)) continue;
      const list = lines.get(id);
      if (list) list.push(this.nearLines[e]);
      else lines.set(id, [this.nearLines[e]]);
    }
    return lines;
  }

  fieldCounter(name: string): Map<string, number> | undefined {
    return this.chosen && name === this.opts.field
      ? this.chosen.counts
      : this.fields.get(name)?.values.counts;
  }

  /** The distribution field: the one asked for, else a label-like low-cardinality item field. */
  pickDistributionField(): string | undefined {
    if (this.opts.field) return this.opts.field;
    const candidates = [...this.fields.entries()].filter(([, f]) => {
      const c = f.values.counts;
      return c && c.size >= 2 && (f.types.string ?? 0) + (f.types.array ?? 0) + (f.types.boolean ?? 0) > 0;
    });
    const named = candidates
      .filter(([k, f]) => LABEL_FIELD.test(k) && f.values.counts!.size <= 100)
      .sort((a, b) => a[1].values.counts!.size - b[1].values.counts!.size);
    if (named.length) return named[0][0];
    const lowCard = candidates
      .filter(([, f]) => f.values.counts!.size <= 50 && f.values.counts!.size * 2 <= f.values.elements)
      .sort((a, b) => a[1].values.counts!.size - b[1].values.counts!.size);
    return lowCard[0]?.[0];
  }

  finish(path?: string): DatasetStats {
    // Tokens.
    if (this.deferredTokens) throw new Error('token counts still deferred');
    const tv = this.tokenValues.subarray(0, this.tokenCount);
    const sorted = Uint32Array.from(tv).sort();
    let tokenTotal = 0;
    const overLimit = { count: 0, lines: [] as number[] };
    for (let k = 0; k < tv.length; k++) {
      tokenTotal += tv[k];
      if (tv[k] > this.tokenLimit) {
        overLimit.count++;
        if (overLimit.lines.length < LIST_CAP) overLimit.lines.push(this.tokenLines[k]);
      }
    }
    const tokens: TokenStats = {
      counted: this.tokenCount,
      total: tokenTotal,
      min: sorted.length ? sorted[0] : 0,
      max: sorted.length ? sorted[sorted.length - 1] : 0,
      mean: this.tokenCount ? tokenTotal / this.tokenCount : 0,
      median: median(sorted),
      p95: percentile(sorted, 95),
      histogram: histogram(tv),
      limit: this.tokenLimit,
      overLimit,
      ...(this.opts.skipTokens ? { skipped: true } : {}),
    };

    const fields: FieldInventoryEntry[] = [...this.fields.entries()]
      .map(([name, f]) => ({
        name,
        present: f.present,
        presencePct: this.examples ? Math.round((f.present / this.examples) * 1000) / 10 : 0,
        types: f.types,
        distinct: f.values.counts?.size,
      }))
      .sort((a, b) => b.present - a.present || (a.name < b.name ? -1 : 1));

    const fieldName = this.pickDistributionField();
    let distribution: ValueDistribution | undefined;
    if (fieldName) {
      const counter = this.chosen ?? this.fields.get(fieldName)!.values;
      const all = counter.counts ? sortedCounts(counter.counts) : [];
      const shown = all.slice(0, DISTRIBUTION_CAP);
      distribution = {
        field: fieldName,
        auto: !this.opts.field,
        rowsWithField: counter.rows,
        rowsWithoutField: this.examples - counter.rows,
        elements: counter.elements,
        arrayRows: counter.arrayRows,
        distinct: counter.counts ? counter.counts.size : -1,
        values: shown,
        otherCount: counter.elements - shown.reduce((s, v) => s + v.count, 0),
      };
    }

    const groups = this.exactGroups();
    // Two examples are exact copies when they have the same key (a set of pairs would be quadratic in copies).
    const near = this.near.findPairs('within', (a, b) => this.exactOf[a] === this.exactOf[b]);
    const nearPairs = near.pairs.map((p: NearDuplicatePair) => ({
      a: this.nearLines[p.a],
      b: this.nearLines[p.b],
      similarity: round3(p.similarity),
    }));
    const nearShown = nearPairs.slice(0, LIST_CAP * 5);
    const nearBound = boundNote(near);
    const nearClusters = near.clusters.slice(0, LIST_CAP).map((c) => c.map((id) => this.nearLines[id]));

    const format = detectFileFormat(this.sampleKinds, path ? { fileName: path } : {});
    const method =
      format.format === 'rft' || format.format === 'sft' || format.format === 'dpo' ? format.format : 'none';

    return {
      ...(path ? { path } : {}),
      bytes: this.bytes,
      lines: this.lines,
      examples: this.examples,
      blankLines: this.blank,
      invalidJson: this.invalid,
      kinds: this.kinds,
      fileFormat: format,
      roleSequences: [...this.roleSeqs.entries()]
        .map(([sequence, v]) => ({ sequence, ...v }))
        .sort((a, b) => b.count - a.count || a.firstLine - b.firstLine),
      tokens,
      fields,
      ...(distribution ? { distribution } : {}),
      exactDuplicates: {
        groups: groups.slice(0, LIST_CAP),
        extraCopies: groups.reduce((s, g) => s + g.length - 1, 0),
      },
      nearDuplicates: {
        definition: NEAR_DUPLICATE_DEFINITION,
        threshold: this.near.threshold,
        pairs: nearShown,
        ...(nearShown.length < near.total ? { total: near.total } : {}),
        clusters: nearClusters,
        compared: this.near.compared,
        notCompared: this.near.notCompared,
        ...(nearBound ? { bounded: nearBound } : {}),
      },
      leakage: {
        fieldsChecked: [...this.leakFields].sort(),
        rows: this.leaks,
        ...(this.leakCount > this.leaks.length ? { total: this.leakCount } : {}),
      },
      cost: estimateCost(
        method,
        this.opts.skipTokens ? 0 : tokenTotal,
        this.opts.epochs ?? 3,
        this.opts.prices ?? DEFAULT_PRICES,
      ),
    };
  }
}

/** Says what bounded a near-duplicate search, or undefined when nothing did. */
function boundNote(r: NearDuplicateResult): string | undefined {
  const notes: string[] = [];
  if (r.countCut)
    notes.push(
      `counting stopped after ${r.total.toLocaleString('en-US')} pairs (the count and the clusters are lower bounds)`,
    );
  if (r.pairsCut)
    notes.push(
      `${r.pairs.length.toLocaleString('en-US')} pairs listed, the first found (not necessarily the lowest line numbers)`,
    );
  if (r.uncheckedCandidates)
    notes.push(
      `up to ${r.uncheckedCandidates.toLocaleString('en-US')} candidate pairs were not checked (work bound); some near duplicates may be missing`,
    );
  return notes.length ? notes.join('; ') : undefined;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** `needle` occurs in `haystack` and is not glued to letters or digits on either side. */
export function containsWord(haystack: string, needle: string): boolean {
  let from = 0;
  for (;;) {
    const i = haystack.indexOf(needle, from);
    if (i < 0) return false;
    const before = i > 0 ? haystack[i - 1] : '';
    const after = haystack[i + needle.length] ?? '';
    const glued = (c: string) => c !== '' && /[\p{L}\p{N}]/u.test(c);
    if (
      !(glued(before) && /[\p{L}\p{N}]/u.test(needle[0])) &&
      !(glued(after) && /[\p{L}\p{N}]/u.test(needle[needle.length - 1]))
    )
      return true;
    from = i + 1;
  }
}

/**
 * Runs this thread's statistics code (parse, inventory, exact and near duplicates) on made-up lines, so that a
 * long-lived process's first call finds it compiled (warmUp.ts).
 */
export function warmStatistics(lines = madeUpLines(3000)): void {
  const b = new DatasetStatsBuilder({ skipTokens: true });
  lines.forEach((text, i) => b.addLine(i, text));
  b.finish();
}

/** Statistics of a file on disk, streamed with the shared JSONL reader. */
export async function computeDatasetStats(path: string, opts: StatsOptions = {}): Promise<DatasetStats> {
  const b = new DatasetStatsBuilder(opts);
  await feed(b, path, opts);
  return b.finish(path);
}

async function feed(b: DatasetStatsBuilder, path: string, opts: StatsOptions): Promise<void> {
  const every = opts.progressEvery ?? 1000;
  let n = 0;
  let bytes = 0;
  // On a large file a worker counts the tokens of the lines before `cut` meanwhile, and with `claims` fingerprints
  // those of them it reaches first (fileTokens.ts).
  let cut = 0;
  let claims: NearClaims | undefined;
  let prefix: Promise<PrefixTokenCounts> | undefined;
  const stopWorker = new AbortController();
  const script =
    opts.skipTokens || opts.tokenWorker === false ? undefined : (opts.tokenWorker ?? tokenWorkerScript());
  if (script !== undefined) {
    const size = await fileSize(path);
    if (useTokenWorker(size, script, opts.tokenWorkerMinBytes)) {
      const share = opts.tokenWorkerShare ?? TOKEN_WORKER_SHARE;
      cut = share >= 1 ? Infinity : Math.floor(size * share);
      if (opts.workerNear !== false) claims = NearClaims.forFile(size);
      prefix = startTokenWorker(
        script,
        path,
        cut,
        opts.signal ? AbortSignal.any([opts.signal, stopWorker.signal]) : stopWorker.signal,
        claims && b.nearJob(claims),
      );
      // Settled below; without this an early read error would leave it unhandled.
      prefix.catch(() => {});
    }
  }
  try {
    for await (const l of readJsonlLines(path, { signal: opts.signal })) {
      b.deferTokens = l.byteOffset < cut;
      // The worker counts tokens before `cut` only, and fingerprints only lines it counts.
      b.deferNear = claims !== undefined && b.deferTokens && !claims.take(l.line, NearClaims.CALLER);
      b.addLine(l.line, l.text, l.byteLength);
      bytes = l.byteOffset + l.byteLength;
      if (++n % every === 0) {
        opts.onProgress?.(n, bytes);
        // Let other work (cancellation, messages) run on long files.
        await new Promise<void>((r) => setImmediate(r));
      }
    }
  } catch (e) {
    // A read error or a cancellation: the worker's count is no longer wanted.
    stopWorker.abort(e);
    throw e;
  }
  b.deferTokens = b.deferNear = false;
  if (prefix) {
    const counted = await prefix;
    b.fillDeferredTokens(counted);
    b.fillDeferredNear(counted);
  }
  opts.onProgress?.(n, bytes);
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    // The reader reports a missing or unreadable file the usual way.
    return 0;
  }
}

/** Statistics of a training file and its validation file, plus what relates them. */
export async function computePairStats(
  trainPath: string,
  validPath: string,
  opts: StatsOptions = {},
): Promise<PairStats> {
  const shared = new NearDuplicateIndex({
    threshold: opts.nearThreshold,
    maxExamples: (opts.nearMaxExamples ?? 100_000) * 2,
  });
  const sink: { line: number; group: number }[] = [];
  const tb = new DatasetStatsBuilder(opts, { index: shared, sink, group: 0 });
  await feed(tb, trainPath, opts);
  const vb = new DatasetStatsBuilder(opts, { index: shared, sink, group: 1 });
  await feed(vb, validPath, opts);
  const train = tb.finish(trainPath);
  const valid = vb.finish(validPath);

  const exactPairs: { train: number; valid: number }[] = [];
  // Values on both sides: validation key id → training key id.
  const validKeys = vb.valueKeys;
  const trainKeys = tb.valueKeys;
  const both = new Map<number, number>();
  for (let id = 0; id < validKeys.size; id++) {
    const t = trainKeys.find(validKeys.part(id, 0), validKeys.part(id, 1), validKeys.part(id, 2));
    if (t >= 0) both.set(id, t);
  }
  const trainLines = tb.exactLines(new Set(both.values()));
  // The training key id of each training and validation line that has a copy on the other side.
  const trainCopy = new Map<number, number>();
  const validCopy = new Map<number, number>();
  for (const [id, vLines] of vb.exactLines(new Set(both.keys()))) {
    const t = both.get(id)!;
    const tLines = trainLines.get(t)!;
    for (const line of tLines) trainCopy.set(line, t);
    for (const v of vLines) {
      exactPairs.push({ train: tLines[0], valid: v });
      validCopy.set(v, t);
    }
  }
  exactPairs.sort((a, b) => a.valid - b.valid);

  const acrossResult = shared.findPairs('across', (a, b) => {
    const [x, y] = sink[a].group === 0 ? [sink[a], sink[b]] : [sink[b], sink[a]];
    const h = trainCopy.get(x.line);
    return h !== undefined && h === validCopy.get(y.line);
  });
  const across = acrossResult.pairs
    .map((p) => {
      const [x, y] = sink[p.a].group === 0 ? [sink[p.a], sink[p.b]] : [sink[p.b], sink[p.a]];
      return { train: x.line, valid: y.line, similarity: round3(p.similarity) };
    })
    .sort((a, b) => a.valid - b.valid || a.train - b.train);

  let labels: PairStats['labels'];
  const field = opts.field ?? train.distribution?.field ?? valid.distribution?.field;
  if (field) {
    const tc = tb.fieldCounter(field) ?? new Map<string, number>();
    const vc = vb.fieldCounter(field) ?? new Map<string, number>();
    const tTotal = [...tc.values()].reduce((s, x) => s + x, 0);
    const vTotal = [...vc.values()].reduce((s, x) => s + x, 0);
    const keys = new Set([...tc.keys(), ...vc.keys()]);
    const rows = [...keys]
      .map((value) => {
        const t = tc.get(value) ?? 0;
        const v = vc.get(value) ?? 0;
        return { value, train: t, valid: v, trainPct: pct(t, tTotal), validPct: pct(v, vTotal) };
      })
      .sort((a, b) => b.train + b.valid - (a.train + a.valid) || (a.value < b.value ? -1 : 1))
      .slice(0, DISTRIBUTION_CAP);
    labels = {
      field,
      rows,
      onlyInTrain: [...keys].filter((k) => tc.has(k) && !vc.has(k)).sort(),
      onlyInValid: [...keys].filter((k) => vc.has(k) && !tc.has(k)).sort(),
    };
  }
  return {
    train,
    valid,
    exactOverlap: { count: exactPairs.length, pairs: exactPairs.slice(0, LIST_CAP) },
    nearAcross: {
      count: acrossResult.total,
      pairs: across.slice(0, LIST_CAP * 5),
      ...(boundNote(acrossResult) ? { bounded: boundNote(acrossResult) } : {}),
    },
    ...(labels ? { labels } : {}),
  };
}

function pct(n: number, total: number): number {
  return total ? Math.round((n / total) * 1000) / 10 : 0;
}
