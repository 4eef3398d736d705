// Messages between the dataset preview webview and the extension host (both sides import this file).
// Requests carry an `id` and get exactly one reply (see webviewProtocol.ts); pushes from the host have no id.
import type { DatasetStats, PairStats } from './datasetStats';
import type { MessageSpec, RequestSpec } from './webviewProtocol';
import { is } from './webviewProtocol';

export const DATASET_PREVIEW_VIEW_TYPE = 'rftStudio.datasetPreview';

export const ROW_KINDS = [
  'rft',
  'sft',
  'dpo',
  'eval-item',
  'bare-record',
  'unknown',
  'invalid-json',
  'blank',
] as const;
export type RowKindName = (typeof ROW_KINDS)[number];
export type ProblemSeverity = 'error' | 'warning' | 'info';

/** One table row (0-based `line`). */
export interface RowView {
  line: number;
  kind: RowKindName;
  roles: string[];
  lastUser?: string;
  fields: { name: string; preview: string }[];
  bytes: number;
  error?: string;
  truncated?: boolean;
  problem?: ProblemSeverity;
}

export interface ProblemView {
  line: number;
  severity: ProblemSeverity;
  message: string;
  code?: string;
}

export interface PreviewQuery {
  text: string;
  kinds: RowKindName[];
  /** `path=value`, e.g. `reference_answer=trade`; empty for none. */
  field: string;
  hasProblems: boolean;
}

// ---- replies ----
export interface RowsReply {
  rows: RowView[];
}
export interface RowDetailReply {
  line: number;
  text: string;
  truncated: boolean;
  bytes: number;
  problems: ProblemView[];
}
export interface FilterReply {
  /** Matching lines ascending, or null when the query is empty (every line). */
  lines: number[] | null;
  scanned: number;
}
export interface ChooseValidationReply {
  fileName?: string;
}

// ---- webview → host ----
/** Requests: each gets exactly one reply of the given type. */
// A type alias, not an interface: only aliases fit RequestMap's index signature.
export type PreviewRequests = {
  /** 0-based lines to summarize (at most MAX_ROWS_PER_REQUEST). */
  getRows: { params: { lines: number[] }; reply: RowsReply };
  getRow: { params: { line: number }; reply: RowDetailReply };
  filter: { params: { query: PreviewQuery }; reply: FilterReply };
  /**
   * `field`: the field for the value distribution, empty to pick one automatically; `withValidation`: compare
   * with the validation file chosen via chooseValidation.
   */
  stats: { params: { field: string; withValidation: boolean }; reply: DatasetStats | PairStats };
  chooseValidation: { params: Record<never, never>; reply: ChooseValidationReply };
};

/** One-way messages. */
export type PreviewToHost = { type: 'revealInEditor'; line: number } | { type: 'openSettings' };

export const MAX_ROWS_PER_REQUEST = 500;

const isLine = (v: unknown): v is number => is.integer(v) && v >= 0;

const isQuery = is.object<PreviewQuery>({
  text: is.stringMax(10_000),
  kinds: is.arrayOf(is.oneOf(ROW_KINDS), ROW_KINDS.length),
  field: is.stringMax(10_000),
  hasProblems: is.boolean,
});

export const previewToHostSpec = {
  revealInEditor: { line: isLine },
  openSettings: {},
} satisfies MessageSpec<PreviewToHost>;

export const previewRequestSpec = {
  getRows: { lines: is.arrayOf(isLine, MAX_ROWS_PER_REQUEST) },
  getRow: { line: isLine },
  filter: { query: isQuery },
  stats: { field: is.stringMax(1000), withValidation: is.boolean },
  chooseValidation: {},
} satisfies RequestSpec<PreviewRequests>;

// ---- host → webview ----
export interface InitMessage {
  type: 'init';
  fileName: string;
  bytes: number;
  tokenLimit: number;
  validationFileName?: string;
  /** The file changed on disk and is indexed again: drop every cached row. */
  reset?: boolean;
}
export interface IndexProgressMessage {
  type: 'indexProgress';
  lines: number;
  bytesRead: number;
  totalBytes: number;
  done: boolean;
  ms: number;
}
export interface IndexErrorMessage {
  type: 'indexError';
  message: string;
}
export interface ProblemsMessage {
  type: 'problems';
  /** Worst severity per line with problems (sorted by line). */
  lines: { line: number; severity: ProblemSeverity }[];
  /** Whether the file has been validated (an open text document with diagnostics from RFT Studio). */
  total: number;
}
export interface RevealMessage {
  type: 'reveal';
  line: number;
}
export interface ProgressMessage {
  type: 'progress';
  task: 'filter' | 'stats';
  scanned: number;
  total: number;
}

export type HostToPreview =
  InitMessage | IndexProgressMessage | IndexErrorMessage | ProblemsMessage | RevealMessage | ProgressMessage;

export interface DatasetPreviewProtocol {
  toHost: PreviewToHost;
  toWebview: HostToPreview;
  requests: PreviewRequests;
}

/** Splits `path=value` (the first `=`); a text without `=` is a path that must merely exist. */
export function parseFieldFilter(s: string): { path: string; value: string } | undefined {
  const t = s.trim();
  if (!t) return undefined;
  const i = t.indexOf('=');
  if (i < 0) return undefined;
  return { path: t.slice(0, i).trim(), value: t.slice(i + 1).trim() };
}
