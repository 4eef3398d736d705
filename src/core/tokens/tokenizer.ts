// Token counts with the real o200k_base encoding, loaded lazily on first use because its rank table is a few MB.
// Counts for chat examples follow OpenAI's cookbook approximation.
// Speed: ordinary text is counted with gpt-tokenizer's pre-split and ranks (about ten times js-tiktoken's speed, no
// token arrays built) through a small per-piece cache, and a count is remembered per distinct string, since datasets
// repeat system prompts and tool definitions on every line.
// Worst case n log n: BPE is quadratic (and then some) in the length of one pre-split piece, so a piece longer than
// any in prose (a 5 MB run of letters) is merged here with a heap over js-tiktoken's ranks, with the same result.
import type { Tiktoken, TiktokenBPE } from 'js-tiktoken/lite';
import type * as Lite from 'js-tiktoken/lite';
import type * as Fast from 'gpt-tokenizer/encoding/o200k_base';
import { jsonText } from '../json/canonicalJson';
import { countAsciiPieces, isAscii, PieceCountTable } from './asciiPieces';

let encoder: Tiktoken | undefined;

function getEncoder(): Tiktoken {
  if (!encoder) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Tiktoken: Ctor } = require('js-tiktoken/lite') as typeof Lite;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ranks = require('js-tiktoken/ranks/o200k_base') as { default?: unknown };
    encoder = new Ctor((ranks.default ?? ranks) as TiktokenBPE);
  }
  return encoder;
}

type OrdinaryCount = (text: string) => number;
let fast: OrdinaryCount | undefined;
/** One pre-split piece's token count (a rank lookup, or gpt-tokenizer's merge); undefined on another layout. */
let pieceCount: ((piece: string) => number) | undefined;

/** What gpt-tokenizer keeps on its encoder (private in its types): the pre-split pattern and the merge steps. */
interface FastInternals {
  tokenSplitRegex: RegExp;
  getBpeRankFromString(piece: string): number | undefined;
  bytePairEncode(piece: string): ArrayLike<number>;
}

// Token counts per pre-split piece: a dataset's pieces are a few thousand words, so this small table answers from
// the cache where the 200k-entry rank table misses it (bench: a third less time counting distinct texts).
const PIECE_CACHE_ENTRIES = 1 << 16;
const pieceCounts = new Map<string, number>();

function getFastCount(): OrdinaryCount {
  if (fast) return fast;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('gpt-tokenizer/encoding/o200k_base') as typeof Fast & { default?: unknown };
  const core = (
    mod.default as unknown as { bytePairEncodingCoreProcessor?: Partial<FastInternals> } | undefined
  )?.bytePairEncodingCoreProcessor;
  if (
    core?.tokenSplitRegex instanceof RegExp &&
    core.tokenSplitRegex.global &&
    typeof core.getBpeRankFromString === 'function' &&
    typeof core.bytePairEncode === 'function'
  ) {
    const internals = core as FastInternals;
    pieceCount = (piece) =>
      internals.getBpeRankFromString(piece) !== undefined ? 1 : internals.bytePairEncode(piece).length;
    // What gpt-tokenizer's countNative does when no special token is allowed, one piece at a time through the cache.
    fast = (text) => {
      let n = 0;
      for (const [piece] of text.matchAll(internals.tokenSplitRegex)) {
        let c = pieceCounts.get(piece);
        if (c === undefined) {
          c = pieceCount!(piece);
          if (pieceCounts.size >= PIECE_CACHE_ENTRIES) pieceCounts.clear();
          pieceCounts.set(piece, c);
        }
        n += c;
      }
      return n;
    };
  } else {
    // Another gpt-tokenizer layout: its own count, same numbers.
    fast = (text) => mod.countTokens(text, ORDINARY_TEXT);
  }
  return fast;
}

/** gpt-tokenizer's own count of ordinary text (the reference the piece cache is tested against). */
export function libraryOrdinaryCount(text: string): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('gpt-tokenizer/encoding/o200k_base') as typeof Fast).countTokens(text, ORDINARY_TEXT);
}

// o200k_base's special tokens as tiktoken defines them (gpt-tokenizer's table adds others, such as <|im_start|>, that
// tiktoken counts as text, and finds an allowed special token only at the start of a string): each is split off here
// and counted as one token, and gpt-tokenizer counts what lies between as ordinary text.
const SPECIAL_TOKEN = /<\|endoftext\|>|<\|endofprompt\|>/g;
const ORDINARY_TEXT = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

function countOrdinary(text: string): number {
  const count = getFastCount();
  if (!text.includes('<|')) return count(text);
  let n = 0;
  let from = 0;
  for (const m of text.matchAll(SPECIAL_TOKEN)) {
    if (m.index > from) n += count(text.slice(from, m.index));
    n++;
    from = m.index + m[0].length;
  }
  if (from < text.length) n += count(text.slice(from));
  return n;
}

// Counts by distinct string, bounded by the characters held: when full it starts again, so a dataset of distinct
// texts costs a little memory and a repeated prompt is counted once per refill.
const CACHE_CHARS = 8 << 20;
const counted = new Map<string, number>();
let cachedChars = 0;

/** Pieces up to this many characters are counted as they are; longer ones through the heap merge. */
export const MAX_DIRECT_PIECE_CHARS = 64;

// A piece can only be long inside a run of non-space characters or of spaces this long; text without such a run
// is counted whole.
const LONG_RUN = new RegExp(`\\S{${MAX_DIRECT_PIECE_CHARS + 1}}|\\s{${MAX_DIRECT_PIECE_CHARS + 1}}`);

/** Number of o200k_base tokens in a string. */
export function countTokens(text: string): number {
  if (!text) return 0;
  let n = counted.get(text);
  if (n === undefined) {
    n = countUncached(text);
    if (text.length <= CACHE_CHARS) {
      if (cachedChars + text.length > CACHE_CHARS) {
        counted.clear();
        cachedChars = 0;
      }
      counted.set(text, n);
      cachedChars += text.length;
    }
  }
  return n;
}

// ASCII text is pre-split without the regex and counted through a table that copies no piece (asciiPieces.ts).
const asciiCounts = new PieceCountTable();

function countUncached(text: string): number {
  if (isAscii(text) && !text.includes('<|')) {
    getFastCount();
    if (pieceCount) {
      const n = countAsciiPieces(text, asciiCounts, pieceCount, MAX_DIRECT_PIECE_CHARS);
      if (n >= 0) return n;
    }
  }
  if (text.length <= MAX_DIRECT_PIECE_CHARS || !LONG_RUN.test(text)) return countOrdinary(text);
  const enc = getEncoder();
  // The encoder's own pre-split (o200k_base's pattern): runs of ordinary pieces are encoded together as they are,
  // the long pieces one by one with the heap merge.
  const internals = enc as unknown as EncoderInternals;
  const pieces = new RegExp(internals.patStr, 'gu');
  let n = 0;
  let segmentStart = 0;
  for (const m of text.matchAll(pieces)) {
    if (m[0].length <= MAX_DIRECT_PIECE_CHARS) continue;
    if (m.index > segmentStart) n += enc.encode(text.slice(segmentStart, m.index), 'all').length;
    n += countLongPiece(m[0], internals.rankMap);
    segmentStart = m.index + m[0].length;
  }
  if (segmentStart < text.length) n += enc.encode(text.slice(segmentStart), 'all').length;
  return n;
}

/**
 * Pieces are merged whole up to this many characters; a longer one (a 64 KiB run of letters without a space is
 * not text) in slices of this size, so memory stays bounded: each slice boundary may shift the count by a token.
 */
export const MAX_WHOLE_PIECE_CHARS = 1 << 16;

function countLongPiece(piece: string, ranks: Map<string, number>): number {
  let n = 0;
  for (let i = 0; i < piece.length;) {
    let end = Math.min(piece.length, i + MAX_WHOLE_PIECE_CHARS);
    if (end < piece.length && (piece.charCodeAt(end) & 0xfc00) === 0xdc00) end--; // never split a surrogate pair
    n += bpeTokenCount(utf8.encode(piece.slice(i, end)), ranks);
    i = end;
  }
  return n;
}

/** What js-tiktoken keeps on the encoder (not in its types): the split pattern and byte-string ranks. */
interface EncoderInternals {
  patStr: string;
  rankMap: Map<string, number>;
}

const utf8 = new TextEncoder();
const BYTE_KEYS = Array.from({ length: 256 }, (_, b) => String(b));
let maxBytes: number | undefined;

/** The longest token in bytes (a piece longer than that cannot be one token). */
function maxTokenBytes(ranks: Map<string, number>): number {
  if (maxBytes === undefined) {
    maxBytes = 0;
    for (const k of ranks.keys()) maxBytes = Math.max(maxBytes, k.split(',').length);
  }
  return maxBytes;
}

/**
 * The number of tokens byte-pair merging gives for one piece: repeatedly merge the adjacent pair with the lowest
 * rank, the leftmost on ties (what js-tiktoken and tiktoken do), with a heap of candidate pairs and a linked list
 * of parts instead of a rescan per merge. Keys are the bytes joined by commas, as in js-tiktoken's rank map.
 */
export function bpeTokenCount(bytes: Uint8Array, ranks: Map<string, number>): number {
  const n = bytes.length;
  if (n <= 1) return n;
  if (n <= maxTokenBytes(ranks) && ranks.has(bytes.join(','))) return 1;
  // Part i spans [i, end[i]) and is the token rank[i]; prev/next link the live parts; merged-away parts have
  // end[i] = -1.
  const end = new Int32Array(n);
  const prev = new Int32Array(n);
  const next = new Int32Array(n);
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    end[i] = i + 1;
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
    rank[i] = ranks.get(BYTE_KEYS[bytes[i]!]!) ?? -1;
  }
  // Two adjacent tokens always merge into the same token (or none): cache by the pair of ranks, so the byte-string
  // key is built once per distinct pair instead of once per occurrence.
  const pairCache = new Map<number, number>();
  const merged = (left: number, right: number, pairEnd: number): number => {
    const a = rank[left]!;
    const b = rank[right]!;
    if (a < 0 || b < 0) return ranks.get(key(left, pairEnd)) ?? -1;
    const k = a * 0x40000 + b;
    let r = pairCache.get(k);
    if (r === undefined) {
      r = ranks.get(key(left, pairEnd)) ?? -1;
      pairCache.set(k, r);
    }
    return r;
  };
  const key = (a: number, b: number) => {
    let k = BYTE_KEYS[bytes[a]!]!;
    for (let i = a + 1; i < b; i++) k += `,${BYTE_KEYS[bytes[i]!]!}`;
    return k;
  };
  // A binary heap of candidate pairs in parallel arrays (rank, left part start, pair end when queued; an entry
  // whose parts changed since is stale). At most n - 1 initial pairs and two per merge: 3n entries.
  const cap = 3 * n;
  const hRank = new Int32Array(cap);
  const hLeft = new Int32Array(cap);
  const hEnd = new Int32Array(cap);
  let size = 0;
  const less = (x: number, y: number) =>
    hRank[x]! < hRank[y]! || (hRank[x] === hRank[y] && hLeft[x]! < hLeft[y]!);
  const swap = (x: number, y: number) => {
    const r = hRank[x]!;
    const l = hLeft[x]!;
    const e = hEnd[x]!;
    hRank[x] = hRank[y]!;
    hLeft[x] = hLeft[y]!;
    hEnd[x] = hEnd[y]!;
    hRank[y] = r;
    hLeft[y] = l;
    hEnd[y] = e;
  };
  const push = (rank: number, left: number, pairEnd: number) => {
    let i = size++;
    hRank[i] = rank;
    hLeft[i] = left;
    hEnd[i] = pairEnd;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(i, p)) break;
      swap(i, p);
      i = p;
    }
  };
  const popInto0 = () => {
    // Moves the last entry to the root and sifts it down; the caller has read the root first.
    size--;
    if (!size) return;
    hRank[0] = hRank[size]!;
    hLeft[0] = hLeft[size]!;
    hEnd[0] = hEnd[size]!;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && less(l, m)) m = l;
      if (r < size && less(r, m)) m = r;
      if (m === i) break;
      swap(i, m);
      i = m;
    }
  };
  const queuePair = (left: number) => {
    const right = next[left]!;
    if (left < 0 || right < 0) return;
    const r = merged(left, right, end[right]!);
    if (r >= 0) push(r, left, end[right]!);
  };
  for (let i = 0; i + 1 < n; i++) queuePair(i);
  let parts = n;
  while (size) {
    const left = hLeft[0]!;
    const pairEnd = hEnd[0]!;
    const pairRank = hRank[0]!;
    popInto0();
    const right = next[left]!;
    if (end[left] === -1 || right < 0 || end[right] !== pairEnd) continue; // stale
    rank[left] = pairRank;
    end[left] = pairEnd;
    end[right] = -1;
    next[left] = next[right]!;
    if (next[right]! >= 0) prev[next[right]!] = left;
    parts--;
    if (prev[left]! >= 0) queuePair(prev[left]!);
    queuePair(left);
  }
  return parts;
}

/** Text parts of a chat message's content (string, or an array of typed parts). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) =>
        typeof p === 'string'
          ? p
          : p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string'
            ? (p as { text: string }).text
            : '',
      )
      .join('');
  }
  return '';
}

const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING = 3;

/**
 * Tokens of a list of chat messages as the model sees them (OpenAI cookbook "How to count tokens":
 * 3 per message, 1 per name, 3 to prime the reply). Tool calls and tool definitions are counted as JSON.
 */
export function countMessagesTokens(messages: readonly unknown[], tools?: unknown): number {
  let n = 0;
  for (const m of messages) {
    if (!m || typeof m !== 'object') continue;
    const msg = m as Record<string, unknown>;
    n += TOKENS_PER_MESSAGE;
    if (typeof msg.role === 'string') n += countTokens(msg.role);
    n += countTokens(contentText(msg.content));
    if (typeof msg.name === 'string') n += TOKENS_PER_NAME + countTokens(msg.name);
    if (msg.tool_calls !== undefined) n += countTokens(jsonText(msg.tool_calls));
  }
  if (tools !== undefined && tools !== null) n += countTokens(jsonText(tools));
  return n + REPLY_PRIMING;
}
