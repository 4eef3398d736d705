// Grader Lab webview: wires the host channel, the state reducer (state.ts) and the three views (setup, analysis,
// results). Each region of the page is redrawn only when the part of the state it shows has changed.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import type { GraderLabProtocol } from '../../src/shared/graderLabProtocol';
import { el } from '../lib/dom';
import { HostChannel } from '../lib/vscodeApi';
import { releaseCharts, renderAnalysis, renderRemote } from './analysisView';
import { ResultsView } from './resultsView';
import { renderNotices, renderSetup, renderStatus } from './setupView';
import type { LabAction, LabUiState, LabViewState } from './state';
import { graderLabel, initialState, isRunning, reduce, restoreUiState } from './state';
import './main.css';

const channel = new HostChannel<GraderLabProtocol, LabUiState>((m) => dispatch(m));
const post = (m: Parameters<typeof channel.post>[0]) => channel.post(m);
let state: LabViewState = initialState(restoreUiState(channel.state));
let frame = 0;

/** A page region: its element, what it depends on (compared by reference) and how to draw it. */
interface Region {
  element: HTMLElement;
  deps: (s: LabViewState) => readonly unknown[];
  draw: (s: LabViewState) => Node[];
  last?: readonly unknown[];
}

const labelsOf = (s: LabViewState) => JSON.stringify(s.setup?.graders.map((g) => [g.path, g.label]) ?? []);
const results = new ResultsView(dispatch, post);

const regions: Region[] = [
  { element: region(), deps: (s) => [s.notices], draw: (s) => [renderNotices(s.notices)] },
  {
    element: region(),
    deps: (s) => [
      s.setup,
      s.items,
      s.samplingPlan,
      s.provider,
      s.trusted,
      isRunning(s.status),
      s.rows.length > 0,
    ],
    draw: (s) => [renderSetup(s, post)],
  },
  { element: region(), deps: (s) => [s.status], draw: (s) => [renderStatus(s.status)] },
  {
    element: region(),
    deps: (s) => [s.results, labelsOf(s)],
    draw: (s) => {
      if (!s.results) {
        releaseCharts();
        return [];
      }
      return renderAnalysis(s.results, (id) => graderLabel(s.setup, id));
    },
  },
  {
    element: region(),
    deps: (s) => [s.remote, labelsOf(s)],
    draw: (s) => (s.remote ? [renderRemote(s.remote, (id) => graderLabel(s.setup, id))] : []),
  },
];
const resultsRegion = region();

function region(): HTMLElement {
  return el('div', { class: 'region' });
}

function dispatch(action: LabAction): void {
  const next = reduce(state, action);
  if (next === state) return;
  if (next.ui !== state.ui) channel.state = next.ui;
  state = next;
  if (!frame) frame = requestAnimationFrame(draw);
}

function draw(): void {
  frame = 0;
  const focused = document.activeElement?.id;
  let redrewFocus = false;
  for (const r of regions) {
    const deps = r.deps(state);
    if (r.last && deps.length === r.last.length && deps.every((d, i) => d === r.last![i])) continue;
    r.last = deps;
    if (focused && r.element.querySelector(`#${CSS.escape(focused)}`)) redrewFocus = true;
    r.element.replaceChildren(...r.draw(state));
  }
  const showResults = results.update(state);
  if (showResults !== resultsRegion.contains(results.element))
    resultsRegion.replaceChildren(...(showResults ? [results.element] : []));
  // A redrawn region gets new elements: give the focus back to the one with the same id.
  if (focused && redrewFocus) document.getElementById(focused)?.focus();
}

document
  .getElementById('app')!
  .replaceChildren(
    el('header', { class: 'lab-header' }, [
      el('h1', {}, ['Grader Lab']),
      el('p', { class: 'muted' }, [
        'Run candidate graders on sample outputs locally, exactly as the platform scores them, and see whether each one gives RFT a learning signal.',
      ]),
    ]),
    ...regions.map((r) => r.element),
    resultsRegion,
  );
draw();
channel.ready();
