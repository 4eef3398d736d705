// Messages between the dataset preview webview and the extension host (both sides import this file).
// Requests carry an `id` and get exactly one reply (see webviewProtocol.ts); pushes from the host have no id.
import type { MessageSpec } from './webviewProtocol';
import { is, isRecord } from './webviewProtocol';

export const DATASET_PREVIEW_VIEW_TYPE = 'rftStudio.datasetPreview';

export type RowKindName =
  'rft' | 'sft' | 'dpo' | 'eval-item' | 'bare-record' | 'unknown' | 'invalid-json' | 'blank';
export const ROW_KINDS: readonly RowKindName[] = [
  'rft',
  'sft',
  'dpo',
  'eval-item',
  'bare-record',
  'unknown',
  'invalid-json',
  'blank',
];
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

// ---- webview → host ----
export interface GetRowsRequest {
  type: 'getRows';
  id: number;
  /** 0-based lines to summarize (at most MAX_ROWS_PER_REQUEST). */
  lines: number[];
}
export interface GetRowRequest {
  type: 'getRow';
  id: number;
  line: number;
}
export interface FilterRequest {
  type: 'filter';
  id: number;
  query: PreviewQuery;
}
export interface StatsRequest {
  type: 'stats';
  id: number;
  /** Field for the value distribution; empty to pick one automatically. */
  field: string;
  /** Compare with the validation file chosen via chooseValidation. */
  withValidation: boolean;
}
export interface ChooseValidationRequest {
  type: 'chooseValidation';
  id: number;
}
export interface RevealInEditorMessage {
  type: 'revealInEditor';
  line: number;
}
export interface OpenSettingsMessage {
  type: 'openSettings';
}

export type PreviewToHost =
  | GetRowsRequest
  | GetRowRequest
  | FilterRequest
  | StatsRequest
  | ChooseValidationRequest
  | RevealInEditorMessage
  | OpenSettingsMessage;

export const MAX_ROWS_PER_REQUEST = 500;

const isQuery = (v: unknown): v is PreviewQuery =>
  isRecord(v) &&
  is.string(v.text) &&
  v.text.length <= 10_000 &&
  Array.isArray(v.kinds) &&
  v.kinds.every((k) => is.oneOf(...ROW_KINDS)(k)) &&
  is.string(v.field) &&
  v.field.length <= 10_000 &&
  is.boolean(v.hasProblems);

const isLine = (v: unknown): v is number => is.integer(v) && v >= 0;

export const PREVIEW_TO_HOST_SPEC: MessageSpec = {
  getRows: {
    id: is.integer,
    lines: (v) => Array.isArray(v) && v.length <= MAX_ROWS_PER_REQUEST && v.every(isLine),
  },
  getRow: { id: is.integer, line: isLine },
  filter: { id: is.integer, query: isQuery },
  stats: { id: is.integer, field: (v) => is.string(v) && v.length <= 1000, withValidation: is.boolean },
  chooseValidation: { id: is.integer },
  revealInEditor: { line: isLine },
  openSettings: {},
};

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

/** Splits `path=value` (the first `=`); a text without `=` is a path that must merely exist. */
export function parseFieldFilter(s: string): { path: string; value: string } | undefined {
  const t = s.trim();
  if (!t) return undefined;
  const i = t.indexOf('=');
  if (i < 0) return undefined;
  return { path: t.slice(0, i).trim(), value: t.slice(i + 1).trim() };
}
