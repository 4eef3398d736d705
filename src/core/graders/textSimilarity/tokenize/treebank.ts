// nltk 3.9.1 `NLTKWordTokenizer` (the improved Treebank word tokenizer that `word_tokenize` runs on each sentence),
// with Python `re` semantics for \w, \s, \d, \b and $ (see pyRegex.ts).
import { B, END, WORD, WS, pySplit } from './pyRegex';

/** A substitution, and the characters at least one of which any of its matches contains (checked first: cheap). */
type Sub = readonly [pattern: RegExp, replacement: string, trigger: RegExp];

const re = (source: string, flags = ''): RegExp => new RegExp(source, 'gu' + flags);

const STARTING_QUOTES: readonly Sub[] = [
  [re('([«“‘„]|[`]+)'), ' $1 ', /[«“‘„`]/u],
  [re('^"'), '``', /^"/u],
  [re('(``)'), ' $1 ', /``/u],
  [re('([ \\(\\[{<])("|\'{2})'), '$1 `` ', /["']/u],
  // nltk 3.9.1's rule: split a quote from a following one-character word unless that could begin a clitic
  // (later nltk versions replaced it with a rule that splits any word-opening quote).
  [re(`(')(?!re|ve|ll|m|t|s|d|n)([${WORD}])${B}`, 'i'), '$1 $2', /'/u],
];

const PUNCTUATION: readonly Sub[] = [
  // `(?=(X*))\3` is an atomic X*: same matches as nltk's `X*\s*$` (giving back spaces never helps), without the
  // quadratic backtracking on long whitespace runs.
  [re(`([^\\.])(\\.)(?=([\\]\\)}>"'»”’ ]*))\\3[${WS}]*${END}`), '$1 $2 $3 ', /\./u],
  [re('([:,])([^\\p{Nd}])'), ' $1 $2', /[:,]/u],
  [re(`([:,])${END}`), ' $1 ', /[:,]/u],
  [re('\\.{2,}'), ' $& ', /\.\./u],
  [re('[;@#$%&]'), ' $& ', /[;@#$%&]/u],
  [re(`([^\\.])(\\.)(?=([\\]\\)}>"']*))\\3[${WS}]*${END}`), '$1 $2$3 ', /\./u],
  [re('[?!]'), ' $& ', /[?!]/u],
  [re("([^'])' "), "$1 ' ", /'/u],
  [re('[*]'), ' $& ', /\*/u],
];

const PARENS_BRACKETS: Sub = [re('[\\]\\[(){}<>]'), ' $& ', /[\][(){}<>]/u];
const DOUBLE_DASHES: Sub = [re('--'), ' -- ', /--/u];

const ENDING_QUOTES: readonly Sub[] = [
  [re('([»”’])'), ' $1 ', /[»”’]/u],
  [re("''"), " '' ", /''/u],
  [re('"'), " '' ", /"/u],
  [re("([^' ])('[sS]|'[mM]|'[dD]|') "), '$1 $2 ', /'/u],
  [re("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) "), '$1 $2 ', /'/u],
];

function apply(text: string, subs: readonly Sub[]): string {
  for (const [pattern, replacement, trigger] of subs)
    if (trigger.test(text)) text = text.replace(pattern, replacement);
  return text;
}

const CONTRACTIONS: readonly RegExp[] = [
  re(`${B}(can)(not)${B}`, 'i'),
  re(`${B}(d)('ye)${B}`, 'i'),
  re(`${B}(gim)(me)${B}`, 'i'),
  re(`${B}(gon)(na)${B}`, 'i'),
  re(`${B}(got)(ta)${B}`, 'i'),
  re(`${B}(lem)(me)${B}`, 'i'),
  re(`${B}(more)('n)${B}`, 'i'),
  re(`${B}(wan)(na)(?=[${WS}])`, 'i'),
  re(` ('t)(is)${B}`, 'i'),
  re(` ('t)(was)${B}`, 'i'),
];

// The contraction rules are skipped when none of their fixed parts occurs (case-insensitively).
const CONTRACTION_HINT = /can|d'ye|gim|gon|got|lem|more'n|wan|'t/iu;

/** `NLTKWordTokenizer().tokenize(sentence)` (no parenthesis conversion). */
export function treebankTokenize(text: string): string[] {
  text = apply(text, STARTING_QUOTES);
  text = apply(text, PUNCTUATION);
  text = apply(text, [PARENS_BRACKETS, DOUBLE_DASHES]);
  text = apply(' ' + text + ' ', ENDING_QUOTES);
  if (CONTRACTION_HINT.test(text)) for (const r of CONTRACTIONS) text = text.replace(r, ' $1 $2 ');
  return pySplit(text);
}
