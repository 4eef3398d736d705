// The Grader Lab webview's state and its pure reducer (no DOM): what the host pushed (the Lab session's events)
// and the UI's own choices (sort, filter). Only those choices are persisted with setState; the
// host re-sends its session snapshot on every `ready`. A reducer returns the same object when nothing changed,
// and keeps every untouched part by reference, so the views can tell what to redraw.
import type {
  HostToLab,
  LabAnalysis,
  LabItemSummary,
  LabPhase,
  LabRow,
  LabSetup,
  LabStatus,
  NoticeLevel,
  ProbeResult,
  RemoteDiff,
} from '../../src/shared/graderLabProtocol';

export const SORT_KEYS = ['reward', 'item', 'grader', 'line'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface ResultsFilter {
  text: string;
  errorsOnly: boolean;
  /** Grader id, or '' for all. */
  grader: string;
}

export interface Notice {
  level: NoticeLevel;
  message: string;
}

/** What the webview keeps across being hidden or reloaded (setState). */
export interface LabUiState {
  sort: { key: SortKey; desc: boolean };
  filter: ResultsFilter;
}

export interface LabResults {
  analysis: LabAnalysis;
  probes: ProbeResult[];
  recommendation: { best?: string; text: string };
}

export interface LabViewState {
  setup?: LabSetup;
  items: LabItemSummary[];
  samplingPlan?: string;
  provider?: { label: string; graderRun: boolean };
  trusted: boolean;
  status: LabStatus;
  rows: LabRow[];
  results?: LabResults;
  remote?: { checked: number; diffs: RemoteDiff[] };
  /** The last few messages from the host; they belong to the moment and are not kept across a reload. */
  notices: Notice[];
  ui: LabUiState;
}

/** What the user does in the webview itself (the host never hears of these). */
export type LabUiAction =
  { type: 'sortBy'; key: SortKey } | { type: 'filterBy'; filter: Partial<ResultsFilter> };

export type LabAction = HostToLab | LabUiAction;

export const MAX_NOTICES = 4;

export function initialUiState(): LabUiState {
  return {
    sort: { key: 'line', desc: false },
    filter: { text: '', errorsOnly: false, grader: '' },
  };
}

export function initialState(ui: LabUiState = initialUiState()): LabViewState {
  return {
    items: [],
    trusted: true,
    status: { phase: 'idle', done: 0, total: 0 },
    rows: [],
    notices: [],
    ui,
  };
}

/** Accepts a persisted UI state only when it has the current shape (an older build may have saved another). */
export function restoreUiState(saved: unknown): LabUiState {
  const fresh = initialUiState();
  if (!saved || typeof saved !== 'object') return fresh;
  const s = saved as Partial<LabUiState>;
  const sortOk =
    s.sort && (SORT_KEYS as readonly unknown[]).includes(s.sort.key) && typeof s.sort.desc === 'boolean';
  const f = s.filter;
  const filterOk =
    f && typeof f.text === 'string' && typeof f.errorsOnly === 'boolean' && typeof f.grader === 'string';
  return {
    sort: sortOk ? { key: s.sort!.key, desc: s.sort!.desc } : fresh.sort,
    filter: filterOk ? { text: f.text, errorsOnly: f.errorsOnly, grader: f.grader } : fresh.filter,
  };
}

export function reduce(state: LabViewState, action: LabAction): LabViewState {
  switch (action.type) {
    case 'setup':
      return {
        ...state,
        setup: action.setup,
        items: action.items,
        samplingPlan: action.samplingPlan,
        provider: action.provider,
        trusted: action.trusted,
      };
    case 'status':
      return { ...state, status: action.status };
    case 'rows':
      if (action.reset) return { ...state, rows: [...action.rows], results: undefined, remote: undefined };
      return action.rows.length ? { ...state, rows: [...state.rows, ...action.rows] } : state;
    case 'analysis':
      return {
        ...state,
        results: {
          analysis: action.analysis,
          probes: action.probes,
          recommendation: action.recommendation,
        },
      };
    case 'remote':
      return { ...state, remote: { checked: action.checked, diffs: action.diffs } };
    case 'notice': {
      const notices = [
        ...state.notices.slice(-(MAX_NOTICES - 1)),
        { level: action.level, message: action.message },
      ];
      return { ...state, notices };
    }
    case 'sortBy': {
      const { key } = action;
      // A second click on the same column flips the order; rewards start with the highest.
      const desc = state.ui.sort.key === key ? !state.ui.sort.desc : key === 'reward';
      return { ...state, ui: { ...state.ui, sort: { key, desc } } };
    }
    case 'filterBy': {
      const filter = { ...state.ui.filter, ...action.filter };
      const same = (Object.keys(filter) as (keyof ResultsFilter)[]).every(
        (k) => filter[k] === state.ui.filter[k],
      );
      return same ? state : { ...state, ui: { ...state.ui, filter } };
    }
  }
}

const ACTIVE: readonly LabPhase[] = ['sampling', 'grading', 'probing'];

export function isRunning(status: LabStatus): boolean {
  return ACTIVE.includes(status.phase);
}

export function graderLabel(setup: LabSetup | undefined, id: string): string {
  return setup?.graders.find((g) => g.path === id)?.label ?? id.split(/[\\/]/).pop() ?? id;
}

/** The rows the results table shows: filtered, then sorted (by line and sample unless the user chose). */
export function visibleRows(state: Pick<LabViewState, 'rows' | 'setup' | 'ui'>): LabRow[] {
  const { filter, sort } = state.ui;
  const text = filter.text.toLowerCase();
  const rows = state.rows.filter(
    (r) =>
      (!filter.errorsOnly || r.errors.length > 0) &&
      (!filter.grader || r.graderId === filter.grader) &&
      (!text || r.output.toLowerCase().includes(text) || r.itemKey.toLowerCase().includes(text)),
  );
  const value = (r: LabRow): number | string =>
    sort.key === 'reward'
      ? r.reward
      : sort.key === 'item'
        ? r.itemKey
        : sort.key === 'grader'
          ? graderLabel(state.setup, r.graderId)
          : r.line * 1000 + r.sampleIndex;
  rows.sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const c =
      typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return sort.desc ? -c : c;
  });
  return rows;
}
