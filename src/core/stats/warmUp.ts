// Warming the statistics code in a long-lived process (the MCP server), before its first call: V8 runs new code in
// its interpreter until the code has run enough to be compiled, and on a first call of a 10 MB file that and the
// compiling itself were about a third of the time (measured: the same file's second call takes half as long). A
// small made-up dataset, run through the same functions at start, leaves them compiled. Nothing of the made-up
// data is kept but a few entries in the token caches.
import { exampleTokenCount } from './exampleTokens';
import { nearDuplicateText } from './exampleView';
import { BAND_KEYS, FingerprintSigner, textFingerprint } from './nearDuplicates';

/** `count` JSONL lines shaped like an RFT dataset: a system prompt, a user question of made-up words, an answer. */
export function madeUpLines(count: number): string[] {
  let seed = 7;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const words = Array.from({ length: 800 }, (_, k) => `word${k.toString(36)}`);
  const sentence = (n: number) =>
    Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]).join(' ');
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      messages: [
        {
          role: 'developer',
          content: 'Answer the question. Think step by step, then give the answer alone.',
        },
        { role: 'user', content: `Question ${i}: ${sentence(30)}? Take it, don't guess.` },
      ],
      reference_answer: String(i % 10),
      topic: `t${i % 5}`,
    }),
  );
}

/** Runs the statistics worker's code (token counts, fingerprints, band keys) on made-up lines. */
export function warmWorkerCode(lines = madeUpLines(3000)): void {
  const signer = new FingerprintSigner();
  const bands = new Uint32Array(BAND_KEYS);
  for (const text of lines) {
    const value: unknown = JSON.parse(text);
    exampleTokenCount(value);
    signer.signInto(textFingerprint(nearDuplicateText(value, text)).shingles, bands, 0);
  }
}
