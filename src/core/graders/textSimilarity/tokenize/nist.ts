// nltk 3.9.1 `NISTTokenizer().international_tokenize(text)` (lowercase=False, return_str=False): the mteval-v14
// international tokenizer. Its character classes are nltk_data's perluniprops lists `Number`, `Punctuation` and
// `Symbol` (shipped in data/), not Unicode categories: "Number" holds most printable ASCII, for one.
import { readNltkData } from '../data/nltkData';
import type { NltkDataFile } from '../data/nltkDataFiles';
import { pySplit, pyStrip } from './pyRegex';

interface NistRegexes {
  punct1: RegExp;
  punct2: RegExp;
  symbols: RegExp;
}

let regexes: NistRegexes | null = null;

/** `[...]` matching exactly the characters of a perluniprops list (nltk: `set(perluniprops.chars(name))`). */
function charClass(file: NltkDataFile): string {
  const points = [...new Set(Array.from(pyStrip(readNltkData(file)), (c) => c.codePointAt(0)!))].sort(
    (a, b) => a - b,
  );
  const hex = (p: number): string => `\\u{${p.toString(16)}}`;
  let out = '';
  for (let i = 0; i < points.length;) {
    let j = i;
    while (j + 1 < points.length && points[j + 1] === points[j] + 1) j++;
    out += j > i ? `${hex(points[i])}-${hex(points[j])}` : hex(points[i]);
    i = j + 1;
  }
  return `[${out}]`;
}

function load(): NistRegexes {
  if (regexes) return regexes;
  const number = charClass('misc/perluniprops/Number.txt');
  const punct = charClass('misc/perluniprops/Punctuation.txt');
  const symbol = charClass('misc/perluniprops/Symbol.txt');
  regexes = {
    punct1: new RegExp(`(${number})(${punct})`, 'gu'),
    punct2: new RegExp(`(${punct})(${number})`, 'gu'),
    symbols: new RegExp(`(${symbol})`, 'gu'),
  };
  return regexes;
}

/** nltk's `xml_unescape`: xml.sax.saxutils.unescape with nltk's extra entities, `&amp;` last. */
function xmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&apos;', "'")
    .replaceAll('&quot;', '"')
    .replaceAll('&#124;', '|')
    .replaceAll('&#91;', '[')
    .replaceAll('&#93;', ']')
    .replaceAll('&amp;', '&');
}

// eslint-disable-next-line no-control-regex -- nltk's NONASCII class is exactly U+0000–U+007F
const NON_ASCII_PAD = /([\x00-\x7f]+)/gu;

export function nistInternationalTokenize(text: string): string[] {
  const { punct1, punct2, symbols } = load();
  text = text.replaceAll('<skipped>', '').replaceAll('\u2028', ' ');
  text = xmlUnescape(text);
  // Despite nltk's name for it ("pads non-ascii strings"), this pads the runs of ASCII characters.
  text = text.replace(NON_ASCII_PAD, ' $1 ');
  text = text.replace(punct1, '$1 $2 ');
  text = text.replace(punct2, ' $1 $2');
  text = text.replace(symbols, ' $1 ');
  return pySplit(text);
}
