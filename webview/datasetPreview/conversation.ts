// The expanded row: the line's messages as a conversation (developer, system, user, assistant, tool; tool calls,
// multimodal parts and weights shown for what they are), its item fields, its problems and the raw JSON.
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { el } from '../lib/dom';
import type { RowDetailReply } from '../../src/shared/datasetPreviewProtocol';

const TEXT_LIMIT = 20_000;
const RAW_LIMIT = 400_000;
const RESERVED = new Set([
  'messages',
  'tools',
  'parallel_tool_calls',
  'functions',
  'input',
  'preferred_output',
  'non_preferred_output',
  'preferred_completion',
  'non_preferred_completion',
]);

type Json = unknown;
type Rec = Record<string, Json>;

function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const ROLE_ICON: Record<string, string> = {
  developer: 'tools',
  system: 'settings-gear',
  user: 'account',
  assistant: 'hubot',
  tool: 'wrench',
  function: 'symbol-method',
};

function icon(name: string, cls = ''): HTMLElement {
  return el('span', { class: `codicon codicon-${name} ${cls}`.trim(), 'aria-hidden': 'true' });
}

/** Long text shown cut with a button that reveals the rest. */
function longText(text: string, cls = 'message-text'): HTMLElement {
  const box = el('div', { class: cls });
  if (text.length <= TEXT_LIMIT) {
    box.textContent = text;
    return box;
  }
  box.textContent = `${text.slice(0, TEXT_LIMIT)}…`;
  const more = el('vscode-button', { secondary: true, class: 'more' }, [
    `Show all ${text.length.toLocaleString()} characters`,
  ]);
  more.addEventListener('click', () => {
    box.textContent = text;
    more.remove();
  });
  return el('div', {}, [box, more]);
}

function prettyJson(v: Json): string {
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
}

function truncateMiddle(s: string, max = 120): string {
  return s.length > max ? `${s.slice(0, max - 30)}…${s.slice(-20)}` : s;
}

/** One content part of a multimodal message. */
function renderPart(p: Json): HTMLElement {
  if (typeof p === 'string') return longText(p);
  if (!isRec(p)) return el('div', { class: 'part' }, [icon('question'), prettyJson(p)]);
  const type = typeof p.type === 'string' ? p.type : 'part';
  switch (type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return longText(typeof p.text === 'string' ? p.text : '');
    case 'image_url':
    case 'input_image': {
      const img = isRec(p.image_url) ? p.image_url : p;
      const url = typeof img.url === 'string' ? img.url : typeof p.image_url === 'string' ? p.image_url : '';
      const detail = typeof img.detail === 'string' ? ` · detail ${img.detail}` : '';
      const what = url.startsWith('data:')
        ? `inline ${url.slice(5, url.indexOf(';')) || 'image'} (${url.length.toLocaleString()} chars)`
        : truncateMiddle(url);
      return el('div', { class: 'part', title: truncateMiddle(url, 400) }, [
        icon('file-media'),
        `Image: ${what}${detail}`,
      ]);
    }
    case 'input_audio': {
      const a = isRec(p.input_audio) ? p.input_audio : {};
      const fmt = typeof a.format === 'string' ? a.format : 'audio';
      const len = typeof a.data === 'string' ? ` (${a.data.length.toLocaleString()} base64 chars)` : '';
      return el('div', { class: 'part' }, [icon('unmute'), `Audio: ${fmt}${len}`]);
    }
    case 'file':
    case 'input_file': {
      const f = isRec(p.file) ? p.file : p;
      const name =
        typeof f.filename === 'string' ? f.filename : typeof f.file_id === 'string' ? f.file_id : 'file';
      return el('div', { class: 'part' }, [icon('file'), `File: ${name}`]);
    }
    case 'refusal':
      return el('div', { class: 'part' }, [
        icon('circle-slash'),
        `Refusal: ${typeof p.refusal === 'string' ? p.refusal : ''}`,
      ]);
    default:
      return el('div', { class: 'part' }, [
        icon('symbol-misc'),
        `${type}: ${truncateMiddle(prettyJson(p), 300)}`,
      ]);
  }
}

function renderToolCall(c: Json): HTMLElement {
  if (!isRec(c)) return el('div', { class: 'tool-call' }, [prettyJson(c)]);
  const fn = isRec(c.function) ? c.function : {};
  const name = typeof fn.name === 'string' ? fn.name : typeof c.type === 'string' ? c.type : 'call';
  let args: string =
    typeof fn.arguments === 'string' ? fn.arguments : prettyJson(fn.arguments ?? c.input ?? {});
  try {
    args = JSON.stringify(JSON.parse(args), null, 2);
  } catch {
    /* arguments that are not JSON are shown as written */
  }
  return el('div', { class: 'tool-call' }, [
    el('div', { class: 'head' }, [
      icon('symbol-method'),
      el('strong', {}, [name]),
      typeof c.id === 'string' ? el('span', { class: 'muted' }, [c.id]) : null,
    ]),
    el('pre', { class: 'code' }, [args]),
  ]);
}

function renderMessage(m: Json, extraClass = '', label?: string): HTMLElement {
  if (!isRec(m)) return el('div', { class: 'message' }, [el('pre', { class: 'code' }, [prettyJson(m)])]);
  const role = typeof m.role === 'string' ? m.role : '?';
  const meta: string[] = [];
  if (typeof m.name === 'string') meta.push(`name ${m.name}`);
  if (typeof m.tool_call_id === 'string') meta.push(`answers ${m.tool_call_id}`);
  if (m.weight === 0) meta.push('weight 0 — not trained on');
  else if (m.weight === 1) meta.push('weight 1');
  const body: (HTMLElement | null)[] = [];
  if (typeof m.content === 'string') body.push(longText(m.content));
  else if (Array.isArray(m.content)) for (const p of m.content) body.push(renderPart(p));
  else if (m.content === null || m.content === undefined) {
    if (!m.tool_calls) body.push(el('div', { class: 'muted' }, ['(no content)']));
  } else body.push(el('pre', { class: 'code' }, [prettyJson(m.content)]));
  if (Array.isArray(m.tool_calls)) for (const c of m.tool_calls) body.push(renderToolCall(c));
  if (isRec(m.function_call)) body.push(renderToolCall({ function: m.function_call }));
  return el('div', { class: `message role-${role} ${extraClass}`.trim() }, [
    el('div', { class: 'message-head' }, [
      icon(ROLE_ICON[role] ?? 'question'),
      label ?? role,
      meta.length ? el('span', { class: 'meta' }, [meta.join(' · ')]) : null,
    ]),
    ...body,
  ]);
}

function renderFields(fields: [string, Json][]): HTMLElement {
  return el(
    'table',
    { class: 'kv' },
    fields.map(([k, v]) =>
      el('tr', {}, [
        el('th', {}, [k]),
        el('td', {}, [
          typeof v === 'string'
            ? v.length > TEXT_LIMIT
              ? `${v.slice(0, TEXT_LIMIT)}…`
              : v
            : truncateMiddle(prettyJson(v), TEXT_LIMIT),
        ]),
      ]),
    ),
  );
}

function renderTools(tools: Json[]): HTMLElement {
  return el(
    'table',
    { class: 'kv' },
    tools.map((t) => {
      const fn = isRec(t) && isRec(t.function) ? t.function : isRec(t) ? t : {};
      const name =
        typeof fn.name === 'string' ? fn.name : isRec(t) && typeof t.type === 'string' ? t.type : 'tool';
      const desc = typeof fn.description === 'string' ? fn.description : '';
      const params =
        isRec(fn.parameters) && isRec(fn.parameters.properties)
          ? Object.keys(fn.parameters.properties).join(', ')
          : '';
      return el('tr', {}, [el('th', {}, [name]), el('td', {}, [`${desc}${params ? `\n(${params})` : ''}`])]);
    }),
  );
}

/** The conversation view of a parsed line. */
export function renderConversation(value: Json): HTMLElement {
  const box = el('div', { class: 'conversation' });
  if (!isRec(value)) {
    box.append(el('div', { class: 'muted' }, ['This line is not a JSON object.']));
    return box;
  }
  const input = isRec(value.input) ? value.input : undefined;
  const messages = Array.isArray(value.messages)
    ? value.messages
    : input && Array.isArray(input.messages)
      ? input.messages
      : undefined;
  if (messages) {
    if (input) box.append(el('div', { class: 'section-title' }, ['Input']));
    for (const m of messages) box.append(renderMessage(m));
  }
  const preferred = value.preferred_output ?? value.preferred_completion;
  const nonPreferred = value.non_preferred_output ?? value.non_preferred_completion;
  if (Array.isArray(preferred)) {
    box.append(el('div', { class: 'section-title' }, ['Preferred output']));
    for (const m of preferred)
      box.append(
        renderMessage(m, '', `${isRec(m) && typeof m.role === 'string' ? m.role : '?'} · preferred`),
      );
  }
  if (Array.isArray(nonPreferred)) {
    box.append(el('div', { class: 'section-title' }, ['Non-preferred output']));
    for (const m of nonPreferred)
      box.append(
        renderMessage(
          m,
          'non-preferred',
          `${isRec(m) && typeof m.role === 'string' ? m.role : '?'} · non-preferred`,
        ),
      );
  }
  const keys = Object.keys(value);
  const item: [string, Json][] =
    keys.length === 1 && keys[0] === 'item' && isRec(value.item)
      ? Object.entries(value.item)
      : Object.entries(value).filter(([k]) => !RESERVED.has(k));
  if (item.length) {
    box.append(el('div', { class: 'section-title' }, [messages ? 'Item fields ({{ item.* }})' : 'Fields']));
    box.append(renderFields(item));
  }
  const tools = Array.isArray(value.tools)
    ? value.tools
    : input && Array.isArray(input.tools)
      ? input.tools
      : undefined;
  if (tools?.length) {
    box.append(el('div', { class: 'section-title' }, [`Tools (${tools.length})`]));
    box.append(renderTools(tools));
  }
  if (!messages && !item.length) box.append(el('div', { class: 'muted' }, ['No messages in this line.']));
  return box;
}

export interface DetailHandlers {
  onRevealInEditor: (line: number) => void;
}

/** Fills the expanded row's host with problems, the conversation and the raw JSON tabs. */
export function renderDetail(host: HTMLElement, d: RowDetailReply, h: DetailHandlers): void {
  const actions = el('div', { class: 'detail-actions' }, [
    el('strong', {}, [`Line ${(d.line + 1).toLocaleString()}`]),
    el('span', { class: 'muted' }, [`${d.bytes.toLocaleString()} bytes`]),
  ]);
  const go = el(
    'vscode-button',
    { secondary: true, icon: 'go-to-file', title: 'Reveal this line in the text editor' },
    ['Open in Text Editor'],
  );
  go.addEventListener('click', () => h.onRevealInEditor(d.line));
  actions.append(go);
  const parts: HTMLElement[] = [actions];
  if (d.problems.length) {
    parts.push(
      el(
        'ul',
        { class: 'detail-problems' },
        d.problems.map((p) =>
          el('li', {}, [
            icon(
              p.severity === 'error' ? 'error' : p.severity === 'warning' ? 'warning' : 'info',
              `problem-icon ${p.severity}`,
            ),
            el('span', {}, [p.message, p.code ? el('span', { class: 'muted' }, [` ${p.code}`]) : null]),
          ]),
        ),
      ),
    );
  }
  let value: Json;
  let parseError: string | undefined;
  if (d.truncated) parseError = `This line has ${d.bytes.toLocaleString()} bytes; only the start is shown.`;
  else {
    try {
      value = JSON.parse(d.text);
    } catch (e) {
      parseError = `Not valid JSON: ${(e as Error).message}`;
    }
  }
  const tabs = el('vscode-tabs', { panel: true });
  tabs.append(
    el('vscode-tab-header', { slot: 'header' }, ['Conversation']),
    el('vscode-tab-panel', {}, [
      parseError
        ? el('div', { class: 'warn' }, [icon('warning'), ` ${parseError}`])
        : renderConversation(value),
    ]),
    el('vscode-tab-header', { slot: 'header' }, ['Raw JSON']),
    el('vscode-tab-panel', {}, [
      el('pre', { class: 'raw-json' }, [
        parseError ? d.text.slice(0, RAW_LIMIT) : prettyJson(value).slice(0, RAW_LIMIT),
      ]),
    ]),
  );
  parts.push(tabs);
  host.replaceChildren(...parts);
}
