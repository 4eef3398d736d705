// Reads the shipped nltk_data files (data/nltkData.generated.ts): each is decompressed on first use and kept.
import { brotliDecompressSync } from 'node:zlib';
import { NLTK_DATA_BR_BASE64 } from './nltkData.generated';
import type { NltkDataFile } from './nltkDataFiles';

const decoded = new Map<NltkDataFile, string>();

/** The file's text (UTF-8), exactly as nltk_data ships it. */
export function readNltkData(file: NltkDataFile): string {
  let text = decoded.get(file);
  if (text === undefined) {
    const packed = NLTK_DATA_BR_BASE64[file];
    if (packed === undefined) throw new Error(`nltk_data file not shipped: ${file}`);
    text = brotliDecompressSync(Buffer.from(packed, 'base64')).toString('utf8');
    decoded.set(file, text);
  }
  return text;
}
