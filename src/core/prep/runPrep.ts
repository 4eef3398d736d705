// File-level sample and split: scan once, decide with the pure algorithms, then copy the chosen lines byte for
// byte into new files (atomically). Both can run as a dry run that only computes the report (the editor shows it
// before writing).
import { copyLines, scanDataset, type ScanOptions, type ScanResult, type ScannedExample } from './dataset';
import { formatJsonPath, type PathSegment } from './jsonPath';
import { countLabels, labelOrder } from './labelCounts';
import { balancedSample } from './sample';
import { stratifiedSplit } from './split';

/** Provider limits (OpenAI RFT guide: ≤50,000 training and ≤1,000 validation examples). */
export const PROVIDER_LIMITS = { maxTrain: 50_000, maxValid: 1_000 } as const;

/** A problem with the input that stops the command (exit 1), e.g. lines that are not JSON. */
export class PrepInputError extends Error {
  constructor(
    message: string,
    readonly lines: { line: number; message: string }[] = [],
  ) {
    super(message);
  }
}

/** A request that cannot be met (exit 2), e.g. more validation examples than the provider accepts. */
export class PrepRequestError extends Error {}

export interface UnlabelledInfo {
  count: number;
  /** 1-based lines (the first 20). */
  lines: number[];
  /** Lines whose field is missing, null, empty, or not a label. */
  byReason: Record<string, number>;
}

export interface SampleReport {
  file: string;
  out: string;
  field: string;
  seed: string;
  requested: number;
  examples: number;
  selected: number;
  duplicatesPicked: number;
  exactDuplicateLines: number;
  labels: { label: string; before: number; after: number }[];
  unlabelled: { before: UnlabelledInfo; after: number };
  /** Labels of the file missing from the sample (only when N is smaller than the number of labels). */
  missingLabels: string[];
  written: boolean;
}

export interface SplitLabelRow {
  label: string;
  total: number;
  train: number;
  valid: number;
  /** Share of the file's examples, in percent. */
  trainShare: number;
  validShare: number;
  /** In both files, or not needed (one example only). */
  covered: boolean;
  note?: string;
}

export interface SplitReport {
  file: string;
  trainOut: string;
  validOut: string;
  field: string;
  seed: string;
  examples: number;
  train: number;
  valid: number;
  labels: SplitLabelRow[];
  /** Labels with ≥2 examples, and how many of them are in both files. */
  coverage: { needed: number; covered: number };
  /** Largest |train share − valid share| in percentage points, and its label. */
  maxShareDiff: { label: string; points: number } | null;
  duplicateGroups: number;
  exactDuplicateLines: number;
  unlabelled: { total: UnlabelledInfo; train: number; valid: number };
  warnings: string[];
  written: boolean;
}

export interface PrepRunOptions extends ScanOptions {
  seed?: string;
  /** false: compute the report only. */
  write?: boolean;
}

/** Scans the file (the first half of the progress); refuses lines that are not JSON objects, and a file without examples. */
async function scanValidDataset(
  file: string,
  field: readonly PathSegment[],
  opts: PrepRunOptions,
): Promise<ScanResult> {
  const scan = await scanDataset(file, field, {
    signal: opts.signal,
    onProgress: (f) => opts.onProgress?.(f / 2),
  });
  if (scan.invalidLines.length) {
    const n = scan.invalidLines.length;
    const first = scan.invalidLines.slice(0, 5).map((p) => `line ${p.line + 1}: ${p.message}`);
    throw new PrepInputError(
      `${file}: ${n} line(s) are not JSON objects in UTF-8, so they cannot be placed without losing or corrupting them. ` +
        `Fix or remove them first (rft-studio validate shows them all).\n  ${first.join('\n  ')}${n > 5 ? `\n  … and ${n - 5} more` : ''}`,
      scan.invalidLines.map((p) => ({ line: p.line + 1, message: p.message })),
    );
  }
  if (scan.examples.length === 0) throw new PrepInputError(`${file}: the file has no examples`);
  return scan;
}

function unlabelledInfo(examples: readonly ScannedExample[]): UnlabelledInfo {
  const info: UnlabelledInfo = { count: 0, lines: [], byReason: {} };
  for (const e of examples) {
    if (!e.noLabel) continue;
    info.count++;
    if (info.lines.length < 20) info.lines.push(e.line + 1);
    info.byReason[e.noLabel] = (info.byReason[e.noLabel] ?? 0) + 1;
  }
  return info;
}

function duplicateStats(examples: readonly ScannedExample[]): { groups: number; lines: number } {
  const m = new Map<string, number>();
  for (const e of examples) m.set(e.key, (m.get(e.key) ?? 0) + 1);
  let groups = 0;
  let lines = 0;
  for (const c of m.values())
    if (c > 1) {
      groups++;
      lines += c;
    }
  return { groups, lines };
}

export async function sampleFile(
  file: string,
  field: readonly PathSegment[],
  n: number,
  out: string,
  opts: PrepRunOptions = {},
): Promise<SampleReport> {
  const seed = opts.seed ?? '42';
  const scan = await scanValidDataset(file, field, opts);
  const ex = scan.examples;
  if (n < 1) throw new PrepRequestError('the sample size must be at least 1');
  if (n > ex.length) {
    throw new PrepRequestError(`the file has ${ex.length} examples, fewer than the ${n} asked for`);
  }
  const { selected, duplicatesPicked } = balancedSample(ex, n, seed);
  const chosen = selected.map((i) => ex[i]);
  const before = countLabels(ex);
  const after = countLabels(chosen);
  const report: SampleReport = {
    file,
    out,
    field: formatJsonPath(field),
    seed,
    requested: n,
    examples: ex.length,
    selected: selected.length,
    duplicatesPicked,
    exactDuplicateLines: duplicateStats(ex).lines,
    labels: labelOrder(before).map((label) => ({
      label,
      before: before.get(label)!,
      after: after.get(label) ?? 0,
    })),
    unlabelled: { before: unlabelledInfo(ex), after: chosen.filter((e) => e.noLabel).length },
    missingLabels: labelOrder(before).filter((l) => !after.has(l)),
    written: false,
  };
  if (opts.write ?? true) {
    const keep = new Set(chosen.map((e) => e.line));
    await copyLines(file, scan, (line) => (keep.has(line) ? 0 : -1), [out], {
      signal: opts.signal,
      onProgress: (f) => opts.onProgress?.(0.5 + f / 2),
    });
    report.written = true;
  }
  opts.onProgress?.(1);
  return report;
}

export interface SplitSize {
  validFraction?: number;
  validCount?: number;
  maxValid?: number;
  maxTrain?: number;
}

/** The validation size a request resolves to for a file of `examples` lines, or a clear error. */
export function resolveValidCount(examples: number, size: SplitSize): number {
  const maxValid = size.maxValid ?? PROVIDER_LIMITS.maxValid;
  const maxTrain = size.maxTrain ?? PROVIDER_LIMITS.maxTrain;
  if (examples < 2)
    throw new PrepRequestError(`the file has ${examples} example(s); a split needs at least 2`);
  let v: number;
  if (size.validCount !== undefined) {
    v = size.validCount;
    if (!Number.isInteger(v) || v < 1)
      throw new PrepRequestError(`the validation count must be a whole number ≥ 1, not ${v}`);
    if (v >= examples) {
      throw new PrepRequestError(
        `the file has ${examples} examples; a validation count of ${v} would leave none for training`,
      );
    }
  } else if (size.validFraction !== undefined) {
    const f = size.validFraction;
    if (!(f > 0 && f < 1))
      throw new PrepRequestError(`the validation fraction must be between 0 and 1 (exclusive), not ${f}`);
    v = Math.min(examples - 1, Math.max(1, Math.round(examples * f)));
  } else {
    throw new PrepRequestError('give a validation fraction or a validation count');
  }
  if (v > maxValid) {
    throw new PrepRequestError(
      `the validation file would have ${v} examples, over the provider limit of ${maxValid}. ` +
        `Ask for at most ${maxValid} (e.g. a validation count of ${maxValid})` +
        (size.validFraction !== undefined
          ? ` or a fraction ≤ ${Math.floor((maxValid / examples) * 1000) / 1000}`
          : ''),
    );
  }
  if (examples - v > maxTrain) {
    throw new PrepRequestError(
      `the training file would have ${examples - v} examples, over the provider limit of ${maxTrain}. Sample the file down first (rft-studio sample).`,
    );
  }
  return v;
}

export async function splitFile(
  file: string,
  field: readonly PathSegment[],
  size: SplitSize,
  trainOut: string,
  validOut: string,
  opts: PrepRunOptions = {},
): Promise<SplitReport> {
  const seed = opts.seed ?? '42';
  const scan = await scanValidDataset(file, field, opts);
  const ex = scan.examples;
  const validCount = resolveValidCount(ex.length, size);
  const result = stratifiedSplit(ex, validCount, seed);
  if (result.validCount === 0 || result.trainCount === 0) {
    throw new PrepRequestError(
      `the examples are exact duplicates of one another in too few groups to fill both files (duplicates always stay together); ` +
        `the ${result.validCount === 0 ? 'validation' : 'training'} file would be empty`,
    );
  }
  const maxValid = size.maxValid ?? PROVIDER_LIMITS.maxValid;
  const maxTrain = size.maxTrain ?? PROVIDER_LIMITS.maxTrain;
  if (result.validCount > maxValid || result.trainCount > maxTrain) {
    // Only possible when keeping duplicates together or covering every label forced extra examples over.
    throw new PrepRequestError(
      `keeping exact duplicates together and every label in both files needs ${result.validCount} validation and ` +
        `${result.trainCount} training examples, over the limits (${maxValid} / ${maxTrain}); ask for a few fewer validation examples`,
    );
  }
  const total = countLabels(ex);
  const train = countLabels(ex.filter((_, i) => !result.valid[i]));
  const valid = countLabels(ex.filter((_, i) => result.valid[i]));
  const uncovered = new Map(result.uncovered.map((u) => [u.label, u.reason]));
  const rows: SplitLabelRow[] = labelOrder(total).map((label) => {
    const t = train.get(label) ?? 0;
    const v = valid.get(label) ?? 0;
    const all = total.get(label)!;
    const row: SplitLabelRow = {
      label,
      total: all,
      train: t,
      valid: v,
      trainShare: result.trainCount ? (100 * t) / result.trainCount : 0,
      validShare: result.validCount ? (100 * v) / result.validCount : 0,
      covered: all < 2 || (t > 0 && v > 0),
    };
    if (all < 2) row.note = 'only 1 example: it can be in one file only';
    else if (!row.covered) row.note = uncovered.get(label) ?? 'not in both files';
    return row;
  });
  let maxShareDiff: SplitReport['maxShareDiff'] = null;
  for (const r of rows) {
    const d = Math.abs(r.trainShare - r.validShare);
    if (!maxShareDiff || d > maxShareDiff.points) maxShareDiff = { label: r.label, points: d };
  }
  const dups = duplicateStats(ex);
  const unl = unlabelledInfo(ex);
  const warnings: string[] = [];
  if (result.validCount !== validCount) {
    warnings.push(
      `the validation file has ${result.validCount} examples instead of ${validCount}: groups of exact duplicates cannot be divided`,
    );
  }
  if (result.trainCount < 10)
    warnings.push(`only ${result.trainCount} training examples (fine-tuning usually needs at least 10)`);
  for (const r of rows) if (!r.covered) warnings.push(`'${r.label}' is not in both files: ${r.note}`);
  const needed = rows.filter((r) => r.total >= 2);
  const report: SplitReport = {
    file,
    trainOut,
    validOut,
    field: formatJsonPath(field),
    seed,
    examples: ex.length,
    train: result.trainCount,
    valid: result.validCount,
    labels: rows,
    coverage: { needed: needed.length, covered: needed.filter((r) => r.covered).length },
    maxShareDiff,
    duplicateGroups: dups.groups,
    exactDuplicateLines: dups.lines,
    unlabelled: {
      total: unl,
      train: ex.filter((e, i) => e.noLabel && !result.valid[i]).length,
      valid: ex.filter((e, i) => e.noLabel && result.valid[i]).length,
    },
    warnings,
    written: false,
  };
  if (opts.write ?? true) {
    const validLines = new Set(ex.filter((_, i) => result.valid[i]).map((e) => e.line));
    const exampleLines = new Set(ex.map((e) => e.line));
    await copyLines(
      file,
      scan,
      (line) => (!exampleLines.has(line) ? -1 : validLines.has(line) ? 1 : 0),
      [trainOut, validOut],
      { signal: opts.signal, onProgress: (f) => opts.onProgress?.(0.5 + f / 2) },
    );
    report.written = true;
  }
  opts.onProgress?.(1);
  return report;
}
