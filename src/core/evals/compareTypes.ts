// The comparison view's shapes (issue #13 item 4): the query the webview sends (threshold, filter, order) and the
// view model the host answers with. Node-free, so the webview's protocol can pass them through.

export const OUTCOMES = ['win', 'tie', 'loss'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface CompareFilter {
  /** Case-insensitive substring of the item key, a label or either output. */
  text?: string;
  /** Only items carrying this label. */
  label?: string;
  /** Only items where side a won, tied or lost. */
  outcome?: Outcome;
  /** Only items whose |difference| is at least this. */
  minAbsDifference?: number;
}

export const SORTS = ['change', 'line', 'difference'] as const;
export type CompareSort = (typeof SORTS)[number];

export interface CompareQuery {
  threshold: number;
  filter: CompareFilter;
  sort?: CompareSort;
  /** Table rows returned (the count of all matching rows is returned too). Default 500. */
  rowLimit?: number;
  /** Most-changed items returned (default 10). */
  mostChanged?: number;
}

export interface CompareItemRow {
  key: string;
  itemKey: string;
  line: number;
  labels: string[];
  a: number;
  b: number;
  difference: number;
  outcome: Outcome;
}

export interface CompareChangedItem extends CompareItemRow {
  outputs: [CompareSampleView[], CompareSampleView[]];
}

export interface CompareSampleView {
  sample: number;
  reward: number | null;
  /** Truncated to OUTPUT_VIEW_CHARS; the exports carry the whole text. */
  output: string;
  truncated: boolean;
  error?: string;
}

export interface CompareCandidateView {
  name: string;
  label: string;
  model: string;
  run: string;
  runName: string;
  mean: number;
  ci: [number, number];
  /** Items with at least one graded sample, and samples that failed. */
  items: number;
  samples: number;
  errors: number;
  /** Share of graded samples with a reward at or above the threshold. */
  passRate: number;
}

export interface CompareBreakdownRow {
  name: string;
  items: number;
  a: number;
  b: number;
  difference: number;
  wins: number;
  ties: number;
  losses: number;
}

export interface CompareViewData {
  names: [string, string];
  candidates: [CompareCandidateView, CompareCandidateView];
  paired: {
    items: number;
    difference: number;
    ci: [number, number];
    wilcoxonP: number;
    signTestP: number;
    wins: number;
    ties: number;
    losses: number;
  };
  threshold: number;
  graders: CompareBreakdownRow[];
  labelField?: string;
  labels: CompareBreakdownRow[];
  /** Items of either side that the other side lacks (not in the paired statistics). */
  unpaired: number;
  /** Rows matching the filter, and the first rowLimit of them in the chosen order. */
  matching: number;
  rows: CompareItemRow[];
  mostChanged: CompareChangedItem[];
  allLabels: string[];
  dataset?: string;
  warnings: string[];
}
