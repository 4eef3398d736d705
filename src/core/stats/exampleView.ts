// How statistics and the preview look at one parsed dataset line: its messages, role sequence, prompt text,
// item fields and the JSON type of a value. Format-agnostic helpers (RFT, SFT, DPO and the `{"item": …}` eval shape).
import { contentText } from '../tokens/tokenizer';
import { canonicalJson } from '../json/canonicalJson';

import type { JsonType } from '../../shared/datasetStats';

export type { JsonType };

export function jsonType(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'object';
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys that belong to the training format rather than to the example's own data. */
export const RESERVED_KEYS = new Set([
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

export interface ChatMessageLike {
  role?: unknown;
  content?: unknown;
  name?: unknown;
  tool_calls?: unknown;
  tool_call_id?: unknown;
  [k: string]: unknown;
}

function asMessages(v: unknown): ChatMessageLike[] | undefined {
  return Array.isArray(v) ? (v.filter(isObject) as ChatMessageLike[]) : undefined;
}

/** The conversation a line holds: `messages` (RFT, SFT), or DPO's `input.messages`. */
export function promptMessages(value: unknown): ChatMessageLike[] {
  if (!isObject(value)) return [];
  const direct = asMessages(value.messages);
  if (direct) return direct;
  if (isObject(value.input)) return asMessages(value.input.messages) ?? [];
  return [];
}

/** DPO outputs (preferred and non-preferred), when the line has them. */
export function dpoOutputs(
  value: unknown,
): { preferred: ChatMessageLike[]; nonPreferred: ChatMessageLike[] } | undefined {
  if (!isObject(value)) return undefined;
  const preferred = asMessages(value.preferred_output ?? value.preferred_completion);
  const nonPreferred = asMessages(value.non_preferred_output ?? value.non_preferred_completion);
  if (!preferred && !nonPreferred) return undefined;
  return { preferred: preferred ?? [], nonPreferred: nonPreferred ?? [] };
}

export function roleOf(m: ChatMessageLike): string {
  return typeof m.role === 'string' ? m.role : '?';
}

/**
 * The roles of a line's conversation joined by `>`, e.g. `developer>user`. DPO lines end with
 * `>[preferred|non_preferred]` standing for the two compared answers. Empty when the line has no conversation.
 */
export function roleSequence(value: unknown): string {
  const roles = promptMessages(value).map(roleOf);
  const dpo = dpoOutputs(value);
  if (dpo) roles.push('[preferred|non_preferred]');
  return roles.join('>');
}

/** Text of one message: string content, text parts, and a readable stand-in for tool calls. */
export function messageText(m: ChatMessageLike): string {
  return contentText(m.content);
}

/** The text of the last user message (the prompt the model answers for RFT), or undefined. */
export function lastUserMessage(value: unknown): string | undefined {
  const msgs = promptMessages(value);
  for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i].role === 'user') return messageText(msgs[i]);
  return undefined;
}

/** The user messages' text: what the example asks (used for answer leakage). */
export function userText(value: unknown): string {
  return promptMessages(value)
    .filter((m) => m.role === 'user')
    .map(messageText)
    .join('\n');
}

/** All conversation text of a line (prompt and, for SFT/DPO, the answers): what near-duplicate detection compares. */
export function conversationText(value: unknown): string {
  const parts = promptMessages(value).map(messageText);
  const dpo = dpoOutputs(value);
  if (dpo) for (const m of dpo.preferred) parts.push(messageText(m));
  return parts.join('\n');
}

/**
 * What near-duplicate detection compares for one example (`text` is its line): the conversation, or else the
 * item's data fields as canonical JSON, or else the line itself. `item` is itemFields(value), when the caller has it.
 */
export function nearDuplicateText(value: unknown, text: string, item?: Record<string, unknown>): string {
  return conversationText(value) || (isObject(value) ? canonicalJson(item ?? itemFields(value)) : text);
}

/**
 * The example's own data fields: top-level keys other than the format's reserved ones. A line of the shape
 * `{"item": {...}}` (the evals/Build Hour convention) exposes the inner object's keys, as `{{ item.x }}` does.
 */
export function itemFields(value: unknown): Record<string, unknown> {
  if (!isObject(value)) return {};
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'item' && isObject(value.item)) return value.item;
  const out: Record<string, unknown> = {};
  for (const k of keys) if (!RESERVED_KEYS.has(k)) out[k] = value[k];
  return out;
}

/**
 * Reads a dotted path (`reference_answer`, `item.label`, `meta.tags`) from a line. A path that does not start
 * at the top level is also tried against the item fields, so `label` finds `{"item": {"label": …}}`.
 */
export function getPath(value: unknown, path: string): { found: boolean; value?: unknown } {
  const walk = (root: unknown): { found: boolean; value?: unknown } => {
    let cur: unknown = root;
    for (const part of path.split('.')) {
      if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, part)) cur = cur[part];
      else if (Array.isArray(cur) && /^\d+$/.test(part) && Number(part) < cur.length) cur = cur[Number(part)];
      else return { found: false };
    }
    return { found: true, value: cur };
  };
  const direct = walk(value);
  if (direct.found) return direct;
  return walk(itemFields(value));
}

/** Canonical JSON: object keys sorted, no whitespace. Two lines are exact duplicates when these are equal. */
export { canonicalJson } from '../json/canonicalJson';
