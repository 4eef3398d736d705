// Messages between the eval comparison panel (src/host/evals/comparePanel.ts) and its webview (webview/evalCompare).
// The host loads the run folder(s) and answers `getView` with the whole derived view for the webview's threshold,
// filter and order (computed by src/core/evals/compareView.ts); the webview only displays it and asks for actions.
import type { CompareFilter, CompareQuery, CompareViewData } from '../core/evals/compareTypes';
import { OUTCOMES, SORTS } from '../core/evals/compareTypes';
import type { Check, MessageSpec, RequestSpec } from './webviewProtocol';
import { is } from './webviewProtocol';

// The webview reads the view model's types from here (types only).
export type * from '../core/evals/compareTypes';

export const EVAL_COMPARE_VIEW_TYPE = 'rftStudio.evalCompare';

export const COMPARE_EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type CompareExportFormat = (typeof COMPARE_EXPORT_FORMATS)[number];

export const MAX_FILTER_CHARS = 1000;
export const MAX_ROW_LIMIT = 5000;
export const MAX_MOST_CHANGED = 100;

/** Which comparison a panel shows: one run folder (two of its candidates) or two run folders. */
export interface CompareSourceState {
  runs: string[];
  candidates: [string, string];
}

/** What the host says about the comparison once it is loaded. */
export interface CompareHeader {
  title: string;
  source: CompareSourceState;
  names: [string, string];
  runNames: string[];
  /** The spec's pass threshold: the threshold control starts there. */
  defaultThreshold: number;
  /** The UI state a restored panel had persisted (threshold, filter, order), when the host revived it. */
  restore?: Omit<EvalComparePersistedState, 'source'>;
}

export type HostToEvalCompare =
  | { type: 'loading'; what: string }
  | { type: 'header'; header: CompareHeader }
  | { type: 'failed'; message: string }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string };

export type EvalCompareToHost =
  { type: 'revealItem'; line: number } | { type: 'export'; format: CompareExportFormat; query: CompareQuery };

export type EvalCompareRequests = {
  getView: { params: { query: CompareQuery }; reply: CompareViewData };
};

export interface EvalCompareProtocol {
  toHost: EvalCompareToHost;
  toWebview: HostToEvalCompare;
  requests: EvalCompareRequests;
}

/** What the webview persists with setState; the panel serializer reloads the comparison from it. */
export interface EvalComparePersistedState {
  source: CompareSourceState;
  threshold?: number;
  filter?: CompareFilter;
  sort?: CompareQuery['sort'];
}

const isFilter: Check<CompareFilter> = is.object<CompareFilter>({
  text: is.optional(is.stringMax(MAX_FILTER_CHARS)),
  label: is.optional(is.stringMax(MAX_FILTER_CHARS)),
  outcome: is.optional(is.oneOf(OUTCOMES)),
  minAbsDifference: is.optional(is.numberIn(0, Number.MAX_VALUE)),
});

export const isCompareQuery: Check<CompareQuery> = is.object<CompareQuery>({
  threshold: is.number,
  filter: isFilter,
  sort: is.optional(is.oneOf(SORTS)),
  rowLimit: is.optional(is.integerIn(1, MAX_ROW_LIMIT)),
  mostChanged: is.optional(is.integerIn(0, MAX_MOST_CHANGED)),
});

const isSource: Check<CompareSourceState> = is.object<CompareSourceState>({
  runs: (v): v is string[] => is.arrayOf(is.stringMax(4096), 2)(v) && v.length >= 1,
  candidates: (v): v is [string, string] => is.arrayOf(is.stringMax(500), 2)(v) && v.length === 2,
});

export const isEvalComparePersistedState = is.object<EvalComparePersistedState>({
  source: isSource,
  threshold: is.optional(is.number),
  filter: is.optional(isFilter),
  sort: is.optional(is.oneOf(SORTS)),
});

export const evalCompareToHostSpec = {
  revealItem: { line: is.integerIn(0, Number.MAX_SAFE_INTEGER) },
  export: { format: is.oneOf(COMPARE_EXPORT_FORMATS), query: isCompareQuery },
} satisfies MessageSpec<EvalCompareToHost>;

export const evalCompareRequestSpec = {
  getView: { query: isCompareQuery },
} satisfies RequestSpec<EvalCompareRequests>;
