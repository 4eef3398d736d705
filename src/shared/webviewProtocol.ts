// Building blocks of every webview message protocol: both sides import these (no vscode, no DOM).
// Each webview declares its protocol in src/shared/<app>Protocol.ts, all in one naming scheme:
//   <App>ToHost (one-way messages from the webview), HostTo<App> (pushes from the host), <App>Requests (a
//   request map: each request's params and reply), <app>ToHostSpec / <app>RequestSpec (their run-time checks),
//   and `type` values in camelCase (verbs for what the webview asks, nouns for what the host pushes).
// The specs are typed from the unions, so a message, field or request missing from a spec does not compile.

/** Sent by a webview once its message listener is installed; the host then (re)sends its state. */
export interface ReadyMessage {
  type: 'ready';
}

export interface Message {
  type: string;
}

/** Request type → its parameters (besides `type` and `id`) and the result its reply carries. */
export type RequestMap = Record<string, { params: object; reply: unknown }>;

/** The messages a request map puts on the wire: `{type, id, ...params}`. */
export type RequestMessage<
  R extends RequestMap,
  K extends keyof R & string = keyof R & string,
> = K extends string ? { type: K; id: number } & R[K]['params'] : never;

/** The one reply a request gets, with the same id. */
export type ReplyMessage<T = unknown> =
  | { type: 'reply'; id: number; ok: true; result: T }
  | { type: 'reply'; id: number; ok: false; error: string };

/** The three message families of one webview. */
export interface WebviewProtocol {
  toHost: Message;
  toWebview: Message;
  requests: RequestMap;
}

/** A check that a value from the other trust zone has type T. */
export type Check<T> = (v: unknown) => v is T;

type FieldChecks<M> = { [F in Exclude<keyof M, 'type'>]-?: Check<M[F]> };

/** For each message type of the union, a check for each of its other fields (optional ones included). */
export type MessageSpec<M extends Message> = { [K in M['type']]: FieldChecks<Extract<M, { type: K }>> };

/** For each request, a check for each of its parameters (the `id` is checked for every request). */
export type RequestSpec<R extends RequestMap> = { [K in keyof R]: FieldChecks<R[K]['params']> };

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
  /** A string of at most `max` characters. */
  stringMax:
    (max: number): Check<string> =>
    (v): v is string =>
      typeof v === 'string' && v.length <= max,
  /** An integer in [min, max]. */
  integerIn:
    (min: number, max: number): Check<number> =>
    (v): v is number =>
      Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max,
  /** A finite number in [min, max]. */
  numberIn:
    (min: number, max: number): Check<number> =>
    (v): v is number =>
      typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max,
  /** One of the values of an `as const` list. */
  oneOf:
    <const T extends string>(values: readonly T[]): Check<T> =>
    (v): v is T =>
      typeof v === 'string' && (values as readonly string[]).includes(v),
  /** An array of at most `max` elements that each pass `check`. */
  arrayOf:
    <T>(check: Check<T>, max: number): Check<T[]> =>
    (v): v is T[] =>
      Array.isArray(v) && v.length <= max && v.every((x) => check(x)),
  /** An object whose listed fields pass their checks (the same form as a message spec entry). */
  object:
    <T extends object>(fields: { [F in keyof T]-?: Check<T[F]> }): Check<T> =>
    (v): v is T =>
      isRecord(v) && Object.entries(fields).every(([k, check]) => (check as Check<unknown>)(v[k])),
  optional:
    <T>(check: Check<T>): Check<T | undefined> =>
    (v): v is T | undefined =>
      v === undefined || check(v),
};

function passes(fields: Record<string, Check<unknown>>, raw: Record<string, unknown>): boolean {
  for (const [key, check] of Object.entries(fields)) if (!check(raw[key])) return false;
  return true;
}

/** The checks for one message type; the spec's per-type precision is not needed to run them. */
function checksFor(spec: object, type: string): Record<string, Check<unknown>> | undefined {
  const table = spec as Record<string, Record<string, Check<unknown>>>;
  return Object.prototype.hasOwnProperty.call(table, type) ? table[type] : undefined;
}

/** Checks a one-way message: unknown types, missing fields and wrong types are rejected (undefined). */
export function validateMessage<M extends Message>(spec: MessageSpec<M>, raw: unknown): M | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  const fields = checksFor(spec, raw.type);
  return fields && passes(fields, raw) ? (raw as M) : undefined;
}

/** Checks a request: a known type, an integer id and every parameter. */
export function validateRequest<R extends RequestMap>(
  spec: RequestSpec<R>,
  raw: unknown,
): RequestMessage<R> | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string' || !is.integer(raw.id)) return undefined;
  const fields = checksFor(spec, raw.type);
  return fields && passes(fields, raw) ? (raw as RequestMessage<R>) : undefined;
}
