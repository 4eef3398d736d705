// A 64-bit identity of a parsed JSON value — equal for equal values whatever their key order and whitespace, as
// canonicalJson's text is — computed in one walk without building that text: two independent 32-bit hashes, with
// each object's members combined by addition so that key order cannot matter. Dataset statistics group exact
// duplicates by it (a line of distinct texts spent most of its time writing canonical JSON to hash it). Two
// different values share a key with probability about 2^-64 per pair: for a million lines, below 3e-8.
import { iterativeCanonicalJson } from './canonicalJson';

// The walk's result, in two registers rather than a tuple per value.
let ra = 0;
let rb = 0;

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** Values nested deeper than this are keyed by their canonical text (written without recursion). */
const MAX_DEPTH = 256;

class TooDeep extends Error {}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function hashString(s: string, tag: number): void {
  let a = Math.imul(0x811c9dc5 ^ tag, 0x01000193);
  let b = Math.imul(0x9747b28c ^ tag, 0x5bd1e995);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  ra = fmix(a ^ s.length);
  rb = fmix(b + s.length);
}

function walk(v: unknown, depth: number): void {
  if (typeof v === 'string') return hashString(v, 1);
  if (typeof v === 'number') {
    // -0 is written as 0 in JSON; every other double has one text.
    F64[0] = v === 0 ? 0 : v;
    ra = fmix(Math.imul(U32[0] ^ 0x2a, 0x01000193) ^ U32[1]);
    rb = fmix(Math.imul(U32[1] ^ 0x2b, 0x5bd1e995) + U32[0]);
    return;
  }
  if (v === null || typeof v !== 'object') {
    ra = fmix(v === null ? 0x3a : v ? 0x4a : 0x5a);
    rb = fmix(v === null ? 0x3b : v ? 0x4b : 0x5b);
    return;
  }
  if (depth >= MAX_DEPTH) throw new TooDeep();
  if (Array.isArray(v)) {
    let a = 0x6a;
    let b = 0x6b;
    for (let i = 0; i < v.length; i++) {
      walk(v[i], depth + 1);
      a = fmix(Math.imul(a, 0x01000193) ^ ra);
      b = fmix(Math.imul(b ^ rb, 0x5bd1e995) + i);
    }
    ra = fmix(a ^ v.length);
    rb = fmix(b + v.length);
    return;
  }
  // Object: each member hashed from its key and value, the members summed (order-free).
  let sa = 0;
  let sb = 0;
  let n = 0;
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    walk((v as Record<string, unknown>)[k], depth + 1);
    const va = ra;
    const vb = rb;
    hashString(k, 7);
    sa = (sa + fmix(Math.imul(ra, 0x01000193) ^ va)) | 0;
    sb = (sb + fmix((rb ^ Math.imul(vb, 0x5bd1e995)) + 0x7b)) | 0;
    n++;
  }
  ra = fmix(sa ^ Math.imul(n, 0x8a8a8a8b));
  rb = fmix(sb + Math.imul(n, 0x8b8b8b8d));
}

/** The value's key (16 hex digits): equal values, whatever their key order, have equal keys. */
export function jsonValueKey(value: unknown): string {
  jsonValueKeyInto(value, KEY);
  return (KEY[0] >>> 0).toString(16).padStart(8, '0') + (KEY[1] >>> 0).toString(16).padStart(8, '0');
}

const KEY = new Int32Array(2);

/** The same key as two 32-bit integers in `out[0]` and `out[1]` (jsonValueKey's first and last 8 digits). */
export function jsonValueKeyInto(value: unknown, out: Int32Array): void {
  try {
    walk(value, 0);
  } catch (e) {
    if (!(e instanceof TooDeep)) throw e;
    hashString(iterativeCanonicalJson(value), 9);
  }
  out[0] = ra;
  out[1] = rb;
}
