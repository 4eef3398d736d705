// The Grader Lab's results view: a toolbar (search, grader, errors only) and the table of graded samples.
// The toolbar is built once per grader list, so the search box keeps its focus and caret while the user types;
// new rows, sorting and filtering redraw only the table below it.
import type { LabRow, LabToHost } from '../../src/shared/graderLabProtocol';
import { el, fmt } from '../lib/dom';
import type { LabAction, LabViewState, SortKey } from './state';
import { graderLabel, visibleRows } from './state';

const MAX_TABLE_ROWS = 1000;

type ResultsState = Pick<LabViewState, 'rows' | 'setup' | 'ui'>;

export class ResultsView {
  readonly element = el('section', { class: 'card results', 'aria-label': 'Results' });
  private readonly body = el('div', { id: 'results-body' });
  private toolbarFor: string | undefined;
  private drawn: { rows: LabRow[]; setup: unknown; sort: unknown; filter: unknown } | undefined;

  constructor(
    private readonly dispatch: (action: LabAction) => void,
    private readonly post: (message: LabToHost) => void,
  ) {}

  /** Redraws what changed since the last call; returns whether the section is shown at all. */
  update(state: ResultsState): boolean {
    if (!state.rows.length) {
      this.toolbarFor = undefined;
      this.drawn = undefined;
      return false;
    }
    const graders = JSON.stringify(state.setup?.graders.map((g) => [g.path, g.label]) ?? []);
    if (graders !== this.toolbarFor) {
      this.toolbarFor = graders;
      this.drawn = undefined;
      this.element.replaceChildren(this.toolbar(state), this.body);
    }
    const d = this.drawn;
    if (
      !d ||
      d.rows !== state.rows ||
      d.setup !== state.setup ||
      d.sort !== state.ui.sort ||
      d.filter !== state.ui.filter
    ) {
      this.drawn = { rows: state.rows, setup: state.setup, sort: state.ui.sort, filter: state.ui.filter };
      this.body.replaceChildren(...this.table(state));
    }
    return true;
  }

  private toolbar(state: ResultsState): HTMLElement {
    const { filter } = state.ui;
    const search = el('vscode-textfield', {
      id: 'filter-text',
      placeholder: 'Filter by item or output',
      value: filter.text,
    });
    search.addEventListener('input', () =>
      this.dispatch({ type: 'filterBy', filter: { text: search.value ?? '' } }),
    );
    const errorsOnly = el('vscode-checkbox', {
      id: 'filter-errors',
      label: 'Errors only',
      checked: filter.errorsOnly ? '' : undefined,
    });
    errorsOnly.addEventListener('change', () =>
      this.dispatch({ type: 'filterBy', filter: { errorsOnly: !!errorsOnly.checked } }),
    );
    const graderSelect = el('vscode-single-select', { id: 'filter-grader' }, [
      el('vscode-option', { value: '', selected: filter.grader ? undefined : '' }, ['All graders']),
      ...(state.setup?.graders ?? []).map((g) =>
        el('vscode-option', { value: g.path, selected: filter.grader === g.path ? '' : undefined }, [
          g.label,
        ]),
      ),
    ]);
    graderSelect.addEventListener('change', () =>
      this.dispatch({ type: 'filterBy', filter: { grader: graderSelect.value ?? '' } }),
    );
    return el('div', { class: 'toolbar' }, [search, graderSelect, errorsOnly]);
  }

  private table(state: ResultsState): HTMLElement[] {
    const rows = visibleRows(state);
    const { sort } = state.ui;
    const label = (id: string) => graderLabel(state.setup, id);
    const sortHeader = (text: string, key: SortKey) =>
      el(
        'th',
        {
          class: 'sortable',
          tabindex: '0',
          'aria-sort': sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none',
          onclick: () => this.dispatch({ type: 'sortBy', key }),
        },
        [
          text,
          sort.key === key ? el('span', { class: `codicon codicon-arrow-${sort.desc ? 'down' : 'up'}` }) : '',
        ],
      );
    const subKeys = [...new Set(state.rows.flatMap((r) => Object.keys(r.subRewards)))];
    const body = rows.slice(0, MAX_TABLE_ROWS).map((r) =>
      el('tr', { class: r.errors.length ? 'row-error' : '' }, [
        el('td', {}, [
          el(
            'a',
            {
              href: '#',
              title: 'Show this line in the dataset',
              onclick: (e: Event) => {
                e.preventDefault();
                this.post({ type: 'revealInEditor', line: r.line });
              },
            },
            [String(r.line + 1)],
          ),
        ]),
        el('td', {}, [r.itemKey]),
        el('td', {}, [String(r.sampleIndex + 1)]),
        el('td', {}, [label(r.graderId)]),
        el('td', { class: 'num reward' }, [fmt(r.reward)]),
        ...subKeys.map((k) =>
          el('td', { class: 'num' }, [r.subRewards[k] === undefined ? '' : fmt(r.subRewards[k])]),
        ),
        el('td', { class: 'output' }, [
          el('details', {}, [
            el('summary', {}, [r.output.slice(0, 120) || '(empty)']),
            el('pre', {}, [r.output]),
            ...(r.traceback ? [el('pre', { class: 'traceback' }, [r.traceback])] : []),
          ]),
        ]),
        el(
          'td',
          {},
          r.errors.map((e) =>
            el('vscode-badge', { variant: 'counter', class: 'error-badge', title: e }, [
              e.replace(/_error$/, ''),
            ]),
          ),
        ),
      ]),
    );
    return [
      el('h2', {}, [
        `Results (${rows.length}${rows.length !== state.rows.length ? ` of ${state.rows.length}` : ''})`,
      ]),
      el('table', { class: 'grid', id: 'results-table' }, [
        el('thead', {}, [
          el('tr', {}, [
            sortHeader('Line', 'line'),
            sortHeader('Item', 'item'),
            el('th', {}, ['#']),
            sortHeader('Grader', 'grader'),
            sortHeader('Reward', 'reward'),
            ...subKeys.map((k) => el('th', {}, [k])),
            el('th', {}, ['Output']),
            el('th', {}, ['Errors']),
          ]),
        ]),
        el('tbody', {}, body),
      ]),
      ...(rows.length > MAX_TABLE_ROWS
        ? [
            el('p', { class: 'muted' }, [
              `Showing the first ${MAX_TABLE_ROWS} rows; filter or export to see the rest.`,
            ]),
          ]
        : []),
    ];
  }
}
