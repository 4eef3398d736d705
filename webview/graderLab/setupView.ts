// The Grader Lab's setup view: notices, the inputs of a run (dataset, graders, response format, samples,
// threshold), the action buttons and the run status. Drawn from the view state; user actions go to the host.
import type { LabSetup, LabStatus, LabToHost } from '../../src/shared/graderLabProtocol';
import { el, short } from '../lib/dom';
import type { LabViewState, Notice } from './state';
import { isRunning } from './state';

export type Post = (message: LabToHost) => void;

export function renderNotices(notices: readonly Notice[]): HTMLElement {
  return el(
    'div',
    { class: 'notices', role: 'status' },
    notices.map((n) =>
      el('div', { class: `notice notice-${n.level}` }, [
        el('span', {
          class: `codicon codicon-${n.level === 'error' ? 'error' : n.level === 'warning' ? 'warning' : 'info'}`,
        }),
        ` ${n.message}`,
      ]),
    ),
  );
}

function fileRow(
  post: Post,
  label: string,
  value: string | undefined,
  what: 'dataset' | 'samples' | 'responseFormat',
  extra: HTMLElement[] = [],
): HTMLElement {
  return el('div', { class: 'field' }, [
    el('span', { class: 'field-label' }, [label]),
    el('span', { class: `path ${value ? '' : 'muted'}`, title: value ?? '' }, [
      value ? short(value) : 'none',
    ]),
    el('vscode-button', { secondary: '', id: `pick-${what}`, onclick: () => post({ type: 'pick', what }) }, [
      'Choose…',
    ]),
    ...extra,
  ]);
}

export function renderSetup(state: LabViewState, post: Post): HTMLElement {
  const s = state.setup;
  if (!s) return el('section', { class: 'card' }, ['Loading…']);
  const graders = el('div', { class: 'graders' }, [
    ...s.graders.map((g) =>
      el('span', { class: 'chip', title: g.path }, [
        el('span', { class: 'codicon codicon-symbol-method' }),
        ` ${g.label} `,
        el('vscode-badge', { variant: 'default' }, [g.type || '?']),
        el(
          'button',
          {
            class: 'icon-button',
            title: `Remove ${g.label}`,
            'aria-label': `Remove ${g.label}`,
            onclick: () => post({ type: 'removeGrader', path: g.path }),
          },
          [el('span', { class: 'codicon codicon-close' })],
        ),
      ]),
    ),
    el(
      'vscode-button',
      { secondary: '', id: 'add-grader', onclick: () => post({ type: 'pick', what: 'grader' }) },
      ['Add grader…'],
    ),
  ]);
  const mode = el('vscode-radio-group', { id: 'samples-mode' }, [
    el(
      'vscode-radio',
      {
        name: 'mode',
        value: 'file',
        label: 'Samples file',
        checked: s.samplesMode === 'file' ? '' : undefined,
      },
      ['Samples file'],
    ),
    el(
      'vscode-radio',
      {
        name: 'mode',
        value: 'pasted',
        label: 'Paste outputs',
        checked: s.samplesMode === 'pasted' ? '' : undefined,
      },
      ['Paste outputs'],
    ),
    el(
      'vscode-radio',
      {
        name: 'mode',
        value: 'model',
        label: 'Sample a model',
        checked: s.samplesMode === 'model' ? '' : undefined,
      },
      ['Sample a model'],
    ),
  ]);
  mode.addEventListener('change', (e) => {
    const value = (e.target as HTMLInputElement).value as LabSetup['samplesMode'];
    if (value && value !== s.samplesMode) post({ type: 'setMode', mode: value });
  });
  const running = isRunning(state.status);
  return el('section', { class: 'card setup', 'aria-label': 'Setup' }, [
    fileRow(post, 'Dataset', s.dataset, 'dataset', [
      el('span', { class: 'muted' }, [
        state.items.length ? `${state.items.length}${state.items.length === 500 ? '+' : ''} items` : '',
      ]),
    ]),
    el('div', { class: 'field' }, [el('span', { class: 'field-label' }, ['Graders']), graders]),
    fileRow(
      post,
      'Response format',
      s.responseFormat,
      'responseFormat',
      s.responseFormat
        ? [
            el('vscode-button', { secondary: '', onclick: () => post({ type: 'clearResponseFormat' }) }, [
              'Clear',
            ]),
          ]
        : [],
    ),
    el('div', { class: 'field' }, [el('span', { class: 'field-label' }, ['Samples']), mode]),
    renderSamplesSource(state, s, post),
    el('div', { class: 'field' }, [
      el('span', { class: 'field-label' }, ['Pass threshold']),
      thresholdInput(s.threshold, post),
      el('span', { class: 'muted' }, ['used for the agreement between graders']),
    ]),
    ...(state.trusted
      ? []
      : [el('p', { class: 'notice notice-warning' }, ['Untrusted workspace: python graders are not run.'])]),
    el('div', { class: 'actions' }, [
      el(
        'vscode-button',
        { id: 'run', disabled: running ? '' : undefined, onclick: () => post({ type: 'run' }) },
        [el('span', { class: 'codicon codicon-play' }), ' Run graders'],
      ),
      el(
        'vscode-button',
        {
          id: 'cancel',
          secondary: '',
          disabled: running ? undefined : '',
          onclick: () => post({ type: 'cancel' }),
        },
        ['Cancel'],
      ),
      el(
        'vscode-button',
        {
          id: 'export-jsonl',
          secondary: '',
          disabled: state.rows.length ? undefined : '',
          onclick: () => post({ type: 'export', format: 'jsonl' }),
        },
        ['Export JSONL'],
      ),
      el(
        'vscode-button',
        {
          id: 'export-csv',
          secondary: '',
          disabled: state.rows.length ? undefined : '',
          onclick: () => post({ type: 'export', format: 'csv' }),
        },
        ['Export CSV'],
      ),
      ...(state.provider?.graderRun
        ? [
            el(
              'vscode-button',
              {
                id: 'verify',
                secondary: '',
                disabled: state.rows.length && !running ? undefined : '',
                onclick: () => post({ type: 'verifyRemote', count: 20 }),
              },
              [`Verify 20 rows with ${state.provider.label}`],
            ),
          ]
        : []),
    ]),
  ]);
}

function thresholdInput(value: number, post: Post): HTMLElement {
  const input = el('vscode-textfield', {
    id: 'threshold',
    type: 'number',
    value: String(value),
    min: '0',
    max: '1',
    step: '0.05',
    class: 'narrow',
  });
  input.addEventListener('change', () => {
    const v = Number(input.value);
    if (Number.isFinite(v) && v >= 0 && v <= 1) post({ type: 'setThreshold', threshold: v });
  });
  return input;
}

function renderSamplesSource(state: LabViewState, s: LabSetup, post: Post): HTMLElement {
  if (s.samplesMode === 'file') {
    return fileRow(post, 'Samples file', s.samplesFile, 'samples', [
      el('span', { class: 'muted' }, ['one sample per line; matched to items by "id", else by line']),
    ]);
  }
  if (s.samplesMode === 'pasted') {
    const select = el(
      'vscode-single-select',
      { id: 'pasted-item', class: 'wide' },
      state.items.map((it) =>
        el(
          'vscode-option',
          { value: String(it.index), selected: it.index === s.pasted.itemIndex ? '' : undefined },
          [`${it.key} — ${it.preview.slice(0, 80)}`],
        ),
      ),
    );
    const area = el('vscode-textarea', {
      id: 'pasted-text',
      rows: '8',
      class: 'wide',
      placeholder: 'One output per block; separate several outputs with a line holding only ---',
      value: s.pasted.text,
    });
    const send = () =>
      post({ type: 'setPasted', itemIndex: Number(select.value || 0), text: area.value ?? '' });
    select.addEventListener('change', send);
    area.addEventListener('change', send);
    return el('div', { class: 'field column' }, [
      el('span', { class: 'field-label' }, ['Item']),
      select,
      el('span', { class: 'field-label' }, ['Outputs']),
      area,
    ]);
  }
  const model = el('vscode-textfield', {
    id: 'model',
    value: s.model.model,
    placeholder: 'model or deployment',
  });
  const k = el('vscode-textfield', {
    id: 'k',
    type: 'number',
    min: '1',
    max: '64',
    value: String(s.model.k),
    class: 'narrow',
  });
  const send = () => {
    const kv = Math.round(Number(k.value));
    if (model.value.trim() && kv >= 1 && kv <= 64) post({ type: 'setModel', model: model.value, k: kv });
  };
  model.addEventListener('change', send);
  k.addEventListener('change', send);
  return el('div', { class: 'field column' }, [
    el('div', { class: 'field' }, [
      el('span', { class: 'field-label' }, ['Model']),
      model,
      el('span', { class: 'field-label' }, ['K per item']),
      k,
    ]),
    el('p', { class: 'muted' }, [
      state.provider
        ? `Through ${state.provider.label}. `
        : 'No provider configured: add one with "RFT Studio: Add Provider". ',
      state.samplingPlan ?? '',
      ' You confirm before anything is sent.',
    ]),
  ]);
}

export function renderStatus(st: LabStatus): HTMLElement {
  const active = isRunning(st);
  const pct = st.total ? Math.round((st.done / st.total) * 100) : 0;
  return el('section', { class: `status status-${st.phase}`, id: 'status', 'aria-live': 'polite' }, [
    ...(active
      ? [el('vscode-progress-bar', { value: String(pct), max: '100', 'aria-label': 'progress' })]
      : []),
    el('span', {}, [
      active
        ? `${st.phase === 'sampling' ? 'Sampling' : st.phase === 'probing' ? 'Probing' : 'Grading'}: ${st.done} / ${st.total}`
        : '',
      st.message ? ` ${st.message}` : '',
    ]),
  ]);
}
