// Result types of the dataset statistics (core computes them; the preview webview and the CLI render them).
// Line numbers are 1-based, as people count them.

export type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';

/** A line's kind: the dataset format detector's kinds plus lines that are not examples at all. */
export type StatsLineKind =
  'rft' | 'sft' | 'dpo' | 'eval-item' | 'bare-record' | 'unknown' | 'invalid-json' | 'blank';

export interface CostEstimate {
  /** The dataset's training method the estimate is for. */
  method: 'sft' | 'dpo' | 'rft' | 'none';
  billedBy: 'tokens' | 'time' | 'n/a';
  tokensPerEpoch: number;
  epochs: number;
  billedTokens: number;
  rows: { model: string; usd: number }[];
  note: string;
  prices: { asOf: string; source: string };
}

export interface FieldInventoryEntry {
  name: string;
  /** Examples (parsed objects) that have the field. */
  present: number;
  /** present / examples × 100, rounded to 1 decimal. */
  presencePct: number;
  types: Partial<Record<JsonType, number>>;
  /** Distinct values (array elements counted one by one), or undefined when more than DISTINCT_CAP. */
  distinct?: number;
}

export interface ValueCount {
  value: string;
  count: number;
}

export interface ValueDistribution {
  field: string;
  /** The field was picked automatically (no --field given). */
  auto: boolean;
  rowsWithField: number;
  rowsWithoutField: number;
  /** Counted values: one per scalar, one per array element (so multi-label fields count each label). */
  elements: number;
  /** Rows whose value is an array (multi-label). */
  arrayRows: number;
  distinct: number;
  /** Most frequent first (ties by value); at most DISTRIBUTION_CAP entries. */
  values: ValueCount[];
  /** Elements whose value is not among `values` (the distribution was cut). */
  otherCount: number;
}

export interface Histogram {
  binWidth: number;
  bins: { from: number; to: number; count: number }[];
}

export interface TokenStats {
  /** Examples whose tokens were counted (those with a conversation). */
  counted: number;
  total: number;
  min: number;
  max: number;
  mean: number;
  median: number;
  p95: number;
  histogram: Histogram;
  limit: number;
  overLimit: { count: number; lines: number[] };
  skipped?: boolean;
}

export interface DatasetStats {
  path?: string;
  bytes: number;
  lines: number;
  /** Lines that parsed as JSON (objects or not). */
  examples: number;
  blankLines: number;
  invalidJson: { count: number; lines: number[] };
  kinds: Partial<Record<StatsLineKind, number>>;
  /** Detected file format (rft, sft, dpo, eval-items, records, unknown) and why. */
  fileFormat: { format: string; reason: string };
  roleSequences: { sequence: string; count: number; firstLine: number }[];
  tokens: TokenStats;
  fields: FieldInventoryEntry[];
  distribution?: ValueDistribution;
  exactDuplicates: { groups: number[][]; extraCopies: number };
  nearDuplicates: {
    definition: string;
    threshold: number;
    pairs: { a: number; b: number; similarity: number }[];
    clusters: number[][];
    compared: number;
    notCompared: number;
    /** All pairs found, when `pairs` lists only the first ones. */
    total?: number;
    /** What bounded the search (pairs listed, candidates checked), in words; absent when nothing did. */
    bounded?: string;
  };
  /** Rows whose reference answer appears verbatim (as a whole word) in the user prompt; `total` when the list was cut. */
  leakage: {
    fieldsChecked: string[];
    rows: { line: number; field: string; value: string }[];
    total?: number;
  };
  cost: CostEstimate;
}

export interface PairStats {
  train: DatasetStats;
  valid: DatasetStats;
  /** Validation lines that are exact copies of training lines. */
  exactOverlap: { count: number; pairs: { train: number; valid: number }[] };
  /** Near duplicates across the two files (same definition as within a file; exact copies excluded). */
  nearAcross: {
    count: number;
    pairs: { train: number; valid: number; similarity: number }[];
    /** What bounded the search, in words; absent when nothing did. */
    bounded?: string;
  };
  /** The distribution field side by side (percentages of each file's counted elements). */
  labels?: {
    field: string;
    rows: { value: string; train: number; valid: number; trainPct: number; validPct: number }[];
    onlyInTrain: string[];
    onlyInValid: string[];
  };
}
