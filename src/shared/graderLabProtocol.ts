// Messages between the Grader Lab panel (host) and its webview. Declared once, imported by both sides.
// The host pushes the Lab session's own events (LabEvent) unchanged; the webview asks for actions.
import type { LabEvent, SamplesMode } from '../core/lab/types';
import { SAMPLES_MODES } from '../core/lab/types';
import type { MessageSpec } from './webviewProtocol';
import { is } from './webviewProtocol';

// The webview reads the Lab's types from here, so every one of them is passed through (types only).
export type * from '../core/lab/types';

export const LAB_VIEW_TYPE = 'rftStudio.graderLab';

/** Files the webview can ask the host to pick with an open dialog. */
export const PICK_TARGETS = ['dataset', 'samples', 'responseFormat', 'grader'] as const;
export type PickTarget = (typeof PICK_TARGETS)[number];

export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const MAX_PASTED_CHARS = 5_000_000;
export const MAX_REMOTE_CHECK = 200;

/** Webview → host. */
export type LabToHost =
  | { type: 'pick'; what: PickTarget }
  | { type: 'removeGrader'; path: string }
  | { type: 'clearResponseFormat' }
  | { type: 'setMode'; mode: SamplesMode }
  | { type: 'setPasted'; itemIndex: number; text: string }
  | { type: 'setModel'; model: string; k: number }
  | { type: 'setThreshold'; threshold: number }
  | { type: 'run' }
  | { type: 'cancel' }
  | { type: 'export'; format: ExportFormat }
  | { type: 'verifyRemote'; count: number }
  | { type: 'revealInEditor'; line: number };

/** Host → webview: what the Lab session emits. */
export type HostToLab = LabEvent;

export interface GraderLabProtocol {
  toHost: LabToHost;
  toWebview: HostToLab;
  requests: Record<never, never>;
}

export const labToHostSpec = {
  pick: { what: is.oneOf(PICK_TARGETS) },
  removeGrader: { path: is.string },
  clearResponseFormat: {},
  setMode: { mode: is.oneOf(SAMPLES_MODES) },
  setPasted: { itemIndex: is.integer, text: is.stringMax(MAX_PASTED_CHARS) },
  setModel: { model: is.stringMax(200), k: is.integerIn(1, 64) },
  setThreshold: { threshold: is.numberIn(0, 1) },
  run: {},
  cancel: {},
  export: { format: is.oneOf(EXPORT_FORMATS) },
  verifyRemote: { count: is.integerIn(1, MAX_REMOTE_CHECK) },
  revealInEditor: { line: is.integer },
} satisfies MessageSpec<LabToHost>;
