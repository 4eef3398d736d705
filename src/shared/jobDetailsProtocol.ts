// Messages between the job details webview (webview/jobDetails) and its host panel (src/host/jobs/jobDetailsPanel.ts).
// The host sends the whole view model on every change (a job has at most a few thousand points and events);
// the webview only asks for actions. No secrets ever travel here: only job ids, names and numbers.
import type { MessageSpec } from './webviewProtocol';
import { is } from './webviewProtocol';

export const JOB_DETAILS_VIEW_TYPE = 'rftStudio.jobDetails';

/** A line in a chart: (step, value) pairs; steps without a value are simply absent. */
export interface SeriesLine {
  label: string;
  /** Colour role; the webview maps it to a --vscode-charts-* colour. */
  role: 'train' | 'valid' | 'other';
  points: Array<[number, number]>;
}

export interface ChartData {
  id: 'reward' | 'graders' | 'errors' | 'reasoning' | 'timing';
  title: string;
  yLabel: string;
  /** Fixed y range for rates/rewards; undefined lets the chart scale itself. */
  yMin?: number;
  yMax?: number;
  /** Total steps of the job when known: the x axis spans the whole run from the start. */
  xMax?: number;
  lines: SeriesLine[];
}

export interface JobHeader {
  /** Stable key of the job in this workspace: `${providerId}/${jobId}`. */
  key: string;
  id: string;
  providerLabel: string;
  status: string;
  model: string;
  suffix?: string;
  fineTunedModel?: string;
  step?: number;
  totalSteps?: number;
  /** Human text such as "about 12 min left". */
  eta?: string;
  createdAt?: number;
  finishedAt?: number;
  error?: { code?: string; message: string };
  /** Actions available right now (depend on status and provider capabilities). */
  actions: JobAction[];
  /** When the monitor last heard from the provider (epoch ms), and the last polling problem if any. */
  lastUpdated?: number;
  pollProblem?: string;
}

export const JOB_ACTIONS = [
  'pause',
  'resume',
  'cancel',
  'evaluate',
  'copyId',
  'copyModel',
  'refresh',
] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];

export interface EventRow {
  id: string;
  createdAt: number;
  level: string;
  type: string;
  message: string;
}

export interface CheckpointRow {
  id: string;
  step: number;
  createdAt: number;
  model: string;
  metrics: Array<[string, number]>;
}

export interface AlertRow {
  kind: string;
  message: string;
  step: number;
}

export interface JobDetailsState {
  header: JobHeader;
  charts: ChartData[];
  events: EventRow[];
  checkpoints: CheckpointRow[];
  alerts: AlertRow[];
}

export type HostToJobDetails =
  | { type: 'state'; state: JobDetailsState }
  /** The job is no longer known to this workspace (forgotten, or its provider removed). */
  | { type: 'missing'; key: string; reason: string };

export type JobDetailsToHost = { type: 'action'; action: JobAction };

export interface JobDetailsProtocol {
  toHost: JobDetailsToHost;
  toWebview: HostToJobDetails;
  requests: Record<never, never>;
}

export const jobDetailsToHostSpec = {
  action: { action: is.oneOf(JOB_ACTIONS) },
} satisfies MessageSpec<JobDetailsToHost>;

export const JOB_DETAILS_TABS = ['charts', 'events', 'checkpoints'] as const;
export type JobDetailsTab = (typeof JOB_DETAILS_TABS)[number];

/** What the webview persists with setState, and what the panel serializer receives after a reload. */
export interface JobDetailsPersistedState {
  key: string;
  tab?: JobDetailsTab;
}

export const isJobDetailsPersistedState = is.object<JobDetailsPersistedState>({
  key: is.string,
  tab: is.optional(is.oneOf(JOB_DETAILS_TABS)),
});
