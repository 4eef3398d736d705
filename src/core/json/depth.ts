// How deep JSON text may nest before RFT Studio refuses it: one cheap iterative scan run before any recursive
// parser or walker (jsonc-parser's parseTree, schema checks, tree walkers) sees the text.

/**
 * Python's json module (what the platform parses with) gives up at about 1,000 levels; real graders, job specs
 * and dataset lines nest a few dozen at most. 512 keeps every recursive walker far from the stack limit.
 */
export const MAX_JSON_DEPTH = 512;

/**
 * Offset of the first `[` or `{` that opens a level deeper than `maxDepth`, or undefined when the text stays
 * within it. Brackets in strings and comments do not count; malformed text is scanned as well as it can be
 * (the parser reports the syntax).
 */
export function findExcessiveNesting(text: string, maxDepth = MAX_JSON_DEPTH): number | undefined {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22 || d === 0x0a) break;
      }
    } else if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2f) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a /* * */) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 1;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) {
      depth--;
    }
  }
  return undefined;
}

/** The message every caller shows, so the CLI, lint and the editor say the same thing. */
export function tooDeepMessage(maxDepth = MAX_JSON_DEPTH): string {
  return `JSON nested more than ${maxDepth} levels deep: refused (the platform's parser fails at about 1,000)`;
}
