// The WordNet 3.0 lookups nltk's METEOR makes: `wordnet.synsets(word)` over all parts of speech (through nltk's
// morphy) and the lemma names of those synsets. The compact data (data/wordnet30.generated.ts) is decoded on first use.
import { brotliDecompressSync } from 'node:zlib';
import { WORDNET30_BR_BASE64 } from './data/wordnet30.generated';

type Pos = 'n' | 'v' | 'a' | 'r';
/** nltk's POS_LIST order. */
const POS_LIST: readonly Pos[] = ['n', 'v', 'a', 'r'];

/** nltk 3.9.1 `WordNetCorpusReader.MORPHOLOGICAL_SUBSTITUTIONS`. */
const SUBSTITUTIONS: Record<Pos, readonly [string, string][]> = {
  n: [
    ['s', ''],
    ['ses', 's'],
    ['ves', 'f'],
    ['xes', 'x'],
    ['zes', 'z'],
    ['ches', 'ch'],
    ['shes', 'sh'],
    ['men', 'man'],
    ['ies', 'y'],
  ],
  v: [
    ['s', ''],
    ['ies', 'y'],
    ['es', 'e'],
    ['es', ''],
    ['ed', 'e'],
    ['ed', ''],
    ['ing', 'e'],
    ['ing', ''],
  ],
  a: [
    ['er', ''],
    ['est', ''],
    ['er', 'e'],
    ['est', 'e'],
  ],
  r: [],
};

interface WordNetData {
  /** Synset lemma names (only those without "_" and already lowercase: the only ones METEOR can match). */
  synsets: string[][];
  index: Record<Pos, Map<string, number[]>>;
  exceptions: Record<Pos, Map<string, string[]>>;
}

let data: WordNetData | null = null;

function load(): WordNetData {
  if (data) return data;
  const text = brotliDecompressSync(Buffer.from(WORDNET30_BR_BASE64, 'base64')).toString('utf8');
  const synsets: string[][] = [];
  const index = { n: new Map(), v: new Map(), a: new Map(), r: new Map() } as Record<
    Pos,
    Map<string, number[]>
  >;
  const exceptions = { n: new Map(), v: new Map(), a: new Map(), r: new Map() } as Record<
    Pos,
    Map<string, string[]>
  >;
  let section: 'synsets' | 'index' | 'exc' = 'synsets';
  let pos: Pos = 'n';
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) {
      const [name, p] = line.slice(1).split(' ');
      section = name as typeof section;
      pos = p as Pos;
      continue;
    }
    const parts = line.length === 0 ? [] : line.split(' ');
    if (section === 'synsets') synsets.push(parts);
    else if (section === 'index')
      index[pos].set(
        parts[0],
        parts.slice(1).map((id) => parseInt(id, 36)),
      );
    else exceptions[pos].set(parts[0], parts.slice(1));
  }
  data = { synsets, index, exceptions };
  return data;
}

/**
 * nltk 3.9.1 `_morphy(form, pos)`: the exception list's base forms if the form is an exception, otherwise the
 * forms from one round of suffix substitutions; keeps those (and the form itself, first) found in the index.
 */
export function morphy(form: string, pos: Pos): string[] {
  const { index, exceptions } = load();
  const lemmas = index[pos];
  const out: string[] = [];
  if (lemmas.has(form)) out.push(form);
  const exc = exceptions[pos].get(form);
  if (exc !== undefined) {
    for (const f of exc) if (lemmas.has(f) && !out.includes(f)) out.push(f);
    return out;
  }
  for (const [old, replacement] of SUBSTITUTIONS[pos]) {
    if (!form.endsWith(old)) continue;
    const f = form.slice(0, form.length - old.length) + replacement;
    if (lemmas.has(f) && !out.includes(f)) out.push(f);
  }
  return out;
}

const synonymCache = new Map<string, ReadonlySet<string>>();
const CACHE_LIMIT = 50_000;

/**
 * The names METEOR's synonym stage can match for a hypothesis word: the lowercase, single-word lemma names of
 * every synset of `wordnet.synsets(word)`, plus the word itself.
 */
export function matchableSynonyms(word: string): ReadonlySet<string> {
  const cached = synonymCache.get(word);
  if (cached) return cached;
  const { synsets, index } = load();
  const lemma = word.toLowerCase();
  const out = new Set<string>();
  for (const pos of POS_LIST) {
    for (const form of morphy(lemma, pos)) {
      for (const id of index[pos].get(form) ?? []) for (const name of synsets[id]) out.add(name);
    }
  }
  out.add(word);
  if (word.length <= 64) {
    if (synonymCache.size >= CACHE_LIMIT) synonymCache.clear();
    synonymCache.set(word, out);
  }
  return out;
}
