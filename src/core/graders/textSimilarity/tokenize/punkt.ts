// nltk 3.9.1 Punkt sentence tokenizer (`PunktTokenizer('english').tokenize`), i.e. the sentence splitting inside
// `word_tokenize`, with the English parameters nltk_data's punkt_tab ships (data/nltk_data, loaded on first use):
// abbreviation types, collocations, frequent sentence starters and orthographic contexts.
import { readNltkData } from '../data/nltkData';
import { ALPHA, END, WS, pyRstrip, pyStrip } from './pyRegex';

const ORTHO_BEG_UC = 1 << 1;
const ORTHO_MID_UC = 1 << 2;
const ORTHO_UNK_UC = 1 << 3;
const ORTHO_BEG_LC = 1 << 4;
const ORTHO_MID_LC = 1 << 5;
const ORTHO_UNK_LC = 1 << 6;
const ORTHO_UC = ORTHO_BEG_UC + ORTHO_MID_UC + ORTHO_UNK_UC;
const ORTHO_LC = ORTHO_BEG_LC + ORTHO_MID_LC + ORTHO_UNK_LC;

export interface PunktParameters {
  abbrevTypes: ReadonlySet<string>;
  /** Pairs "type1\ttype2" (tab-joined, as in collocations.tab). */
  collocations: ReadonlySet<string>;
  sentStarters: ReadonlySet<string>;
  /** Word type → orthographic context flags; a type missing from it has none (nltk's defaultdict(int)). */
  orthoContext: ReadonlyMap<string, number>;
}

/** The stripped, non-empty lines of a punkt_tab file (nltk reads them with `line.strip()`). */
function lines(
  file: 'abbrev_types.txt' | 'collocations.tab' | 'ortho_context.tab' | 'sent_starters.txt',
): string[] {
  return readNltkData(`tokenizers/punkt_tab/english/${file}` as const)
    .split('\n')
    .map(pyStrip)
    .filter((l) => l.length > 0);
}

let english: PunktParameters | null = null;

/** nltk_data's punkt_tab/english parameters (nltk 3.9.1 `load_punkt_params`), parsed on first use. */
export function englishParameters(): PunktParameters {
  if (english) return english;
  const orthoContext = new Map<string, number>();
  for (const line of lines('ortho_context.tab')) {
    const [typ, flags] = line.split('\t');
    orthoContext.set(typ, Number(flags));
  }
  english = {
    abbrevTypes: new Set(lines('abbrev_types.txt')),
    collocations: new Set(lines('collocations.tab')),
    sentStarters: new Set(lines('sent_starters.txt')),
    orthoContext,
  };
  return english;
}

// --- PunktLanguageVars (English defaults) ---------------------------------------------------------------------
const NON_WORD = `(?:[)";}\\]\\*:@'\\({\\[?!])`;
const MULTI_CHAR = `(?:-{2,}|\\.{2,}|(?:\\.[${WS}]){2,}\\.)`;
const WORD_START = '[^\\("`{\\[:;&#\\*@\\)}\\]\\-,]';
const S = `[^${WS}]`;
const WORD_TOKENIZER = new RegExp(
  `${MULTI_CHAR}|(?=${WORD_START})${S}+?(?=[${WS}]|${END}|${NON_WORD}|${MULTI_CHAR}|,(?=${END}|[${WS}]|${NON_WORD}|${MULTI_CHAR}))|${S}`,
  'gu',
);
const PERIOD_CONTEXT = new RegExp(`[\\.\\?!](?=(?<after>${NON_WORD}|[${WS}]+(?<next>${S}+)))`, 'gu');
const BOUNDARY_REALIGNMENT = new RegExp(`^["')\\]}]+?(?:[${WS}]+|(?=--)|(?=\\n|$))`, 'u');

const RE_ELLIPSIS = /^\.\.+$/u;
const RE_NUMERIC = new RegExp(`^-?[\\.,]?\\p{Nd}[\\p{Nd},\\.-]*\\.?${END}`, 'u');
const RE_INITIAL = new RegExp(`^[${ALPHA}]\\.${END}`, 'u');
const RE_UPPER = /^\p{Uppercase}/u;
const RE_LOWER = /^\p{Lowercase}/u;
const SENT_END_CHARS = new Set(['.', '?', '!']);
// nltk tests `tok in ";:,.!?"`: a substring test, so ";:" or "!?" count as punctuation too.
const PUNCTUATION = ';:,.!?';

interface Token {
  tok: string;
  type: string;
  periodFinal: boolean;
  sentbreak: boolean;
  abbr: boolean;
  ellipsis: boolean;
}

function makeToken(tok: string): Token {
  return {
    tok,
    type: tok.toLowerCase().replace(RE_NUMERIC, '##number##'),
    periodFinal: tok.endsWith('.'),
    sentbreak: false,
    abbr: false,
    ellipsis: false,
  };
}

function typeNoPeriod(t: Token): string {
  return t.type.length > 1 && t.type.endsWith('.') ? t.type.slice(0, -1) : t.type;
}

function typeNoSentPeriod(t: Token): string {
  return t.sentbreak ? typeNoPeriod(t) : t.type;
}

function tokenizeWords(text: string): Token[] {
  const out: Token[] = [];
  for (const line of text.split('\n')) {
    if (pyStrip(line).length === 0) continue;
    for (const m of line.matchAll(WORD_TOKENIZER)) out.push(makeToken(m[0]));
  }
  return out;
}

function firstPass(t: Token, params: PunktParameters): void {
  const tok = t.tok;
  if (SENT_END_CHARS.has(tok)) {
    t.sentbreak = true;
  } else if (RE_ELLIPSIS.test(tok)) {
    t.ellipsis = true;
  } else if (t.periodFinal && !tok.endsWith('..')) {
    const base = tok.slice(0, -1).toLowerCase();
    const parts = base.split('-');
    if (params.abbrevTypes.has(base) || params.abbrevTypes.has(parts[parts.length - 1])) t.abbr = true;
    else t.sentbreak = true;
  }
}

function orthoHeuristic(t: Token, params: PunktParameters): boolean | 'unknown' {
  if (PUNCTUATION.includes(t.tok)) return false;
  const ctx = params.orthoContext.get(typeNoSentPeriod(t)) ?? 0;
  const upper = RE_UPPER.test(t.tok);
  if (upper && ctx & ORTHO_LC && !(ctx & ORTHO_MID_UC)) return true;
  if (RE_LOWER.test(t.tok) && (ctx & ORTHO_UC || !(ctx & ORTHO_BEG_LC))) return false;
  return 'unknown';
}

function secondPass(t1: Token, t2: Token | undefined, params: PunktParameters): void {
  if (!t2 || !t1.periodFinal) return;
  const typ = typeNoPeriod(t1);
  const nextTyp = typeNoSentPeriod(t2);
  const isInitial = RE_INITIAL.test(t1.tok);
  if (params.collocations.has(typ + '\t' + nextTyp)) {
    t1.sentbreak = false;
    t1.abbr = true;
    return;
  }
  if ((t1.abbr || t1.ellipsis) && !isInitial) {
    const starter = orthoHeuristic(t2, params);
    if (starter === true) {
      t1.sentbreak = true;
      return;
    }
    if (RE_UPPER.test(t2.tok) && params.sentStarters.has(nextTyp)) {
      t1.sentbreak = true;
      return;
    }
  }
  if (isInitial || typ === '##number##') {
    const starter = orthoHeuristic(t2, params);
    if (starter === false) {
      t1.sentbreak = false;
      t1.abbr = true;
      return;
    }
    if (
      starter === 'unknown' &&
      isInitial &&
      RE_UPPER.test(t2.tok) &&
      !((params.orthoContext.get(nextTyp) ?? 0) & ORTHO_LC)
    ) {
      t1.sentbreak = false;
      t1.abbr = true;
    }
  }
}

function textContainsSentbreak(text: string, params: PunktParameters): boolean {
  const tokens = tokenizeWords(text);
  for (const t of tokens) firstPass(t, params);
  let found = false;
  for (let i = 0; i < tokens.length; i++) {
    // The second pass annotates token i only when the pair (i, i+1) is visited, before token i is yielded.
    secondPass(tokens[i], tokens[i + 1], params);
    if (found) return true;
    if (tokens[i].sentbreak) found = true;
  }
  return false;
}

/** Python's string.whitespace (ASCII only), used by Punkt's last-whitespace search. */
function isAsciiSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\v' || ch === '\f';
}

function lastWhitespaceIndex(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) if (isAsciiSpace(text[i])) return i;
  return 0;
}

interface Span {
  start: number;
  stop: number;
}

function slicesFromText(text: string, params: PunktParameters): Span[] {
  const spans: Span[] = [];
  let lastBreak = 0;
  // _match_potential_end_contexts: pair each candidate with the word before it.
  let prevSlice: Span = { start: 0, stop: 0 };
  let prevMatch: RegExpExecArray | null = null;
  const decide = (m: RegExpExecArray, slice: Span): void => {
    const context = text.slice(slice.start, slice.stop) + m[0] + (m.groups?.after ?? '');
    if (textContainsSentbreak(context, params)) {
      const end = m.index + m[0].length;
      spans.push({ start: lastBreak, stop: end });
      // The next token starts after the whitespace that follows the sentence-end character.
      const after = m.groups?.after ?? '';
      const next = m.groups?.next;
      lastBreak = next ? end + after.length - next.length : end;
    }
  };
  PERIOD_CONTEXT.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PERIOD_CONTEXT.exec(text)) !== null) {
    const before = text.slice(prevSlice.stop, m.index);
    let afterSpace = lastWhitespaceIndex(before);
    afterSpace = afterSpace ? afterSpace + prevSlice.stop + 1 : prevSlice.start;
    const wordSlice = { start: afterSpace, stop: m.index };
    if (prevMatch && prevSlice.stop <= wordSlice.start) decide(prevMatch, prevSlice);
    prevMatch = m;
    prevSlice = wordSlice;
  }
  if (prevMatch) decide(prevMatch, prevSlice);
  spans.push({ start: lastBreak, stop: pyRstrip(text).length });
  return spans;
}

function realignBoundaries(text: string, spans: Span[]): Span[] {
  const out: Span[] = [];
  let realign = 0;
  for (let i = 0; i < spans.length; i++) {
    const s1 = { start: spans[i].start + realign, stop: spans[i].stop };
    const s2 = spans[i + 1];
    if (!s2) {
      if (s1.stop > s1.start) out.push(s1);
      continue;
    }
    const m = BOUNDARY_REALIGNMENT.exec(text.slice(s2.start, s2.stop));
    if (m) {
      out.push({ start: s1.start, stop: s2.start + pyRstrip(m[0]).length });
      realign = m[0].length;
    } else {
      realign = 0;
      if (s1.stop > s1.start) out.push(s1);
    }
  }
  return out;
}

/** `PunktTokenizer('english').tokenize(text)` (by default with nltk_data's English parameters). */
export function punktSentences(text: string, params: PunktParameters = englishParameters()): string[] {
  return realignBoundaries(text, slicesFromText(text, params)).map((s) => text.slice(s.start, s.stop));
}
