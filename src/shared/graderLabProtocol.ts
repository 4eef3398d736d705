// Messages between the Grader Lab panel (host) and its webview. Declared once, imported by both sides.
import type { LabAnalysis, LabRow, ProbeResult } from '../core/lab/types';
import type { MessageSpec } from './webviewProtocol';
import { is } from './webviewProtocol';

export type { LabAnalysis, LabRow, ProbeResult };

export type SamplesMode = 'file' | 'pasted' | 'model';

export interface LabGraderRef {
  path: string;
  label: string;
  type: string;
}

export interface LabSetup {
  dataset?: string;
  graders: LabGraderRef[];
  samplesMode: SamplesMode;
  samplesFile?: string;
  pasted: { itemIndex: number; text: string };
  model: { model: string; k: number };
  responseFormat?: string;
  threshold: number;
}

export interface LabItemSummary {
  index: number;
  key: string;
  line: number;
  preview: string;
}

export type LabPhase = 'idle' | 'sampling' | 'grading' | 'probing' | 'done' | 'cancelled' | 'error';

export interface LabStatus {
  phase: LabPhase;
  done: number;
  total: number;
  message?: string;
}

export interface RemoteDiff {
  graderId: string;
  itemKey: string;
  sampleIndex: number;
  local: number;
  remote: number | null;
  /** Fields that differ (reward, sub_rewards.x, errors.flag) or the error the provider returned. */
  differences: string[];
}

/** Webview → host. */
export type LabToHost =
  | { type: 'pick'; what: 'dataset' | 'samples' | 'responseFormat' | 'grader' }
  | { type: 'removeGrader'; path: string }
  | { type: 'clearResponseFormat' }
  | { type: 'setMode'; mode: SamplesMode }
  | { type: 'setPasted'; itemIndex: number; text: string }
  | { type: 'setModel'; model: string; k: number }
  | { type: 'setThreshold'; threshold: number }
  | { type: 'run' }
  | { type: 'cancel' }
  | { type: 'export'; format: 'jsonl' | 'csv' }
  | { type: 'verifyRemote'; count: number }
  | { type: 'reveal'; line: number };

/** Host → webview. */
export type LabToWebview =
  | {
      type: 'setup';
      setup: LabSetup;
      items: LabItemSummary[];
      samplingPlan?: string;
      provider?: { label: string; graderRun: boolean };
      trusted: boolean;
    }
  | { type: 'status'; status: LabStatus }
  | { type: 'rows'; rows: LabRow[]; reset?: boolean }
  | {
      type: 'analysis';
      analysis: LabAnalysis;
      probes: ProbeResult[];
      recommendation: { best?: string; text: string };
    }
  | { type: 'remote'; checked: number; diffs: RemoteDiff[] }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string };

export const LAB_MESSAGE_SPEC: MessageSpec = {
  pick: { what: is.oneOf('dataset', 'samples', 'responseFormat', 'grader') },
  removeGrader: { path: is.string },
  clearResponseFormat: {},
  setMode: { mode: is.oneOf('file', 'pasted', 'model') },
  setPasted: { itemIndex: is.integer, text: (v) => typeof v === 'string' && v.length <= 5_000_000 },
  setModel: {
    model: (v) => typeof v === 'string' && v.length <= 200,
    k: (v) => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= 64,
  },
  setThreshold: { threshold: (v) => typeof v === 'number' && v >= 0 && v <= 1 },
  run: {},
  cancel: {},
  export: { format: is.oneOf('jsonl', 'csv') },
  verifyRemote: { count: (v) => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= 200 },
  reveal: { line: is.integer },
};

export const LAB_VIEW_TYPE = 'rftStudio.graderLab';
