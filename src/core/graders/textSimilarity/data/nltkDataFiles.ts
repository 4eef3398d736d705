// The nltk_data files the local tokenizers read, by their path inside nltk_data (shared by the build script,
// the loader and the test that the shipped copy matches the source files).
export const NLTK_DATA_FILES = [
  'misc/perluniprops/Number.txt',
  'misc/perluniprops/Punctuation.txt',
  'misc/perluniprops/Symbol.txt',
  'tokenizers/punkt_tab/english/abbrev_types.txt',
  'tokenizers/punkt_tab/english/collocations.tab',
  'tokenizers/punkt_tab/english/ortho_context.tab',
  'tokenizers/punkt_tab/english/sent_starters.txt',
] as const;

export type NltkDataFile = (typeof NLTK_DATA_FILES)[number];
