// The emulator's deterministic fake model: text, schema-valid JSON and embedding vectors derived from a
// hash of the input, so the same request always gets the same answer.
import { createHash } from 'node:crypto';

/** A 32-bit seed from any string. */
export function seedOf(...parts: unknown[]): number {
  const h = createHash('sha256');
  for (const p of parts)
    h.update(typeof p === 'string' ? p : (JSON.stringify(p) ?? 'undefined')).update('\u0000');
  return h.digest().readUInt32LE(0);
}

/** mulberry32: a tiny deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the model answers with a short deterministic reply about reward signal grader dataset example label ' +
  'training validation step checkpoint reasoning output answer result score value item sample'
).split(' ');

export function fakeSentence(rand: () => number, minWords = 6, maxWords = 16): string {
  const n = minWords + Math.floor(rand() * (maxWords - minWords + 1));
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(rand() * WORDS.length)]!);
  const s = words.join(' ');
  return `${s[0]!.toUpperCase()}${s.slice(1)}.`;
}

type Schema = Record<string, unknown>;

function resolveRef(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node && typeof node === 'object' ? (node as Schema) : undefined;
}

function fakeString(schema: Schema, rand: () => number, key: string): string {
  const format = schema.format;
  if (format === 'date-time') return new Date(Date.UTC(2025, 0, 1 + Math.floor(rand() * 365))).toISOString();
  if (format === 'date')
    return new Date(Date.UTC(2025, 0, 1 + Math.floor(rand() * 365))).toISOString().slice(0, 10);
  if (format === 'email') return `user${Math.floor(rand() * 1000)}@example.com`;
  if (format === 'uri') return `https://example.com/${Math.floor(rand() * 1000)}`;
  if (format === 'uuid') {
    const hex = () => Math.floor(rand() * 16).toString(16);
    const part = (n: number) => Array.from({ length: n }, hex).join('');
    return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
  }
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  let s = key && rand() < 0.3 ? `${key} ${fakeSentence(rand, 2, 6)}` : fakeSentence(rand, 2, 8);
  while (s.length < min) s += ` ${fakeSentence(rand, 2, 4)}`;
  if (s.length > max) s = s.slice(0, max);
  return s;
}

function fakeNumber(schema: Schema, rand: () => number, integer: boolean): number {
  let lo = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  let hi = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  if (typeof schema.exclusiveMinimum === 'number') lo = schema.exclusiveMinimum + (integer ? 1 : 1e-6);
  if (typeof schema.exclusiveMaximum === 'number') hi = schema.exclusiveMaximum - (integer ? 1 : 1e-6);
  if (lo === undefined && hi === undefined) {
    lo = 0;
    hi = integer ? 10 : 1;
  } else if (lo === undefined) lo = hi! - 10;
  else if (hi === undefined) hi = lo + 10;
  const low: number = lo;
  const high: number = hi!;
  let v = low + rand() * (high - low);
  if (integer) v = Math.min(Math.floor(high), Math.max(Math.ceil(low), Math.round(v)));
  else v = Math.round(v * 1000) / 1000;
  if (typeof schema.multipleOf === 'number' && schema.multipleOf > 0) {
    v = Math.ceil(v / schema.multipleOf) * schema.multipleOf;
    if (v > high) v -= schema.multipleOf;
  }
  return v;
}

/**
 * A value valid against a JSON schema (the subset structured outputs allow: object/array/string/number/
 * integer/boolean/null, enum, const, anyOf/oneOf, $ref into $defs/definitions, min/max bounds).
 */
export function fakeFromSchema(
  schema: unknown,
  rand: () => number,
  root?: Schema,
  depth = 0,
  key = '',
): unknown {
  if (!schema || typeof schema !== 'object' || depth > 12) return null;
  const s = schema as Schema;
  const top = root ?? s;
  if (typeof s.$ref === 'string') return fakeFromSchema(resolveRef(top, s.$ref), rand, top, depth + 1, key);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[Math.floor(rand() * s.enum.length)];
  const alternatives = (Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined) as
    unknown[] | undefined;
  if (alternatives?.length) {
    // Prefer a non-null alternative so answers carry content.
    const nonNull = alternatives.filter(
      (a) => !(a && typeof a === 'object' && (a as Schema).type === 'null'),
    );
    const pick = nonNull.length ? nonNull : alternatives;
    return fakeFromSchema(pick[Math.floor(rand() * pick.length)], rand, top, depth + 1, key);
  }
  if (Array.isArray(s.allOf) && s.allOf.length) {
    const merged: Schema = {};
    for (const part of s.allOf) Object.assign(merged, part as Schema);
    return fakeFromSchema(merged, rand, top, depth + 1, key);
  }
  let type = s.type;
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? type[0];
  if (type === undefined) type = s.properties ? 'object' : s.items ? 'array' : 'string';
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : Object.keys(props));
      for (const [k, sub] of Object.entries(props)) {
        if (required.has(k) || rand() < 0.5) out[k] = fakeFromSchema(sub, rand, top, depth + 1, k);
      }
      return out;
    }
    case 'array': {
      const min = typeof s.minItems === 'number' ? s.minItems : 1;
      const max = typeof s.maxItems === 'number' ? s.maxItems : Math.max(min, 3);
      const n = min + Math.floor(rand() * (max - min + 1));
      const items: unknown[] = [];
      const seen = new Set<string>();
      for (let i = 0; i < n * 4 && items.length < n; i++) {
        const v = fakeFromSchema(s.items, rand, top, depth + 1, key);
        const k = JSON.stringify(v);
        if (s.uniqueItems && seen.has(k)) continue;
        seen.add(k);
        items.push(v);
      }
      return items;
    }
    case 'string':
      return fakeString(s, rand, key);
    case 'integer':
      return fakeNumber(s, rand, true);
    case 'number':
      return fakeNumber(s, rand, false);
    case 'boolean':
      return rand() < 0.5;
    case 'null':
      return null;
    default:
      return null;
  }
}

/** A unit-length embedding vector for a text. */
export function fakeEmbedding(text: string, model: string, dimensions: number): number[] {
  const rand = prng(seedOf('embedding', model, text));
  const v = Array.from({ length: dimensions }, () => rand() * 2 - 1);
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

export function embeddingToBase64(v: number[]): string {
  return Buffer.from(new Float32Array(v).buffer).toString('base64');
}

/** Rough token count (4 characters a token), enough for usage figures. */
export function roughTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** The answer for a chat/responses request: JSON when a schema (or json_object) is asked for, else a sentence. */
export function fakeAnswer(
  seedParts: unknown[],
  format: { kind: 'text' } | { kind: 'json_object' } | { kind: 'json_schema'; schema: unknown },
): string {
  const rand = prng(seedOf(...seedParts));
  if (format.kind === 'json_schema') return JSON.stringify(fakeFromSchema(format.schema, rand));
  if (format.kind === 'json_object') return JSON.stringify({ answer: fakeSentence(rand) });
  return fakeSentence(rand);
}
