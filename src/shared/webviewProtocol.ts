// Building blocks of every webview message protocol: both sides import these (no vscode, no DOM).
// Each webview declares its own discriminated unions on `type` in src/shared/<app>Protocol.ts.

/** Sent by a webview once its message listener is installed; the host then (re)sends its state. */
export interface ReadyMessage {
  type: 'ready';
}

/** A request from the webview that expects exactly one reply with the same id. */
export interface RequestEnvelope<T extends string = string> {
  type: T;
  id: number;
}

export interface ReplyEnvelope<T = unknown> {
  type: 'reply';
  id: number;
  ok: boolean;
  result?: T;
  error?: string;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Field checks for validating messages that arrive from the other trust zone. */
export const is = {
  string: (v: unknown): v is string => typeof v === 'string',
  number: (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v),
  integer: (v: unknown): v is number => Number.isSafeInteger(v),
  boolean: (v: unknown): v is boolean => typeof v === 'boolean',
  stringArray: (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  oneOf:
    <T extends string>(...values: T[]) =>
    (v: unknown): v is T =>
      typeof v === 'string' && (values as string[]).includes(v),
  optional:
    <T>(check: (v: unknown) => v is T) =>
    (v: unknown): v is T | undefined =>
      v === undefined || check(v),
};

/**
 * Declarative validator for a message union: for each `type`, the checks its other fields must pass.
 * Unknown types, missing fields and wrong types are rejected (returns undefined).
 */
export type MessageSpec = Record<string, Record<string, (v: unknown) => boolean>>;

export function validateMessage<M extends { type: string }>(spec: MessageSpec, raw: unknown): M | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  const fields = Object.prototype.hasOwnProperty.call(spec, raw.type) ? spec[raw.type] : undefined;
  if (!fields) return undefined;
  for (const [key, check] of Object.entries(fields)) if (!check(raw[key])) return undefined;
  return raw as M;
}
