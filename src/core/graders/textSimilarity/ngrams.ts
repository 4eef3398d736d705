// N-gram counting shared by BLEU and GLEU. Tokens never contain whitespace, so a space joins n-grams unambiguously.

export function ngramCounts(
  tokens: readonly string[],
  n: number,
  into = new Map<string, number>(),
): Map<string, number> {
  for (let i = 0; i + n <= tokens.length; i++) {
    let key = tokens[i];
    for (let k = 1; k < n; k++) key += ' ' + tokens[i + k];
    into.set(key, (into.get(key) ?? 0) + 1);
  }
  return into;
}

/** Maps the tokens of several lists to small integers (same token, same id); `size` is the number of distinct ids. */
export function internTokens(lists: readonly (readonly string[])[]): { ids: Int32Array[]; size: number } {
  const table = new Map<string, number>();
  const ids = lists.map((tokens) => {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      let id = table.get(tokens[i]);
      if (id === undefined) {
        id = table.size;
        table.set(tokens[i], id);
      }
      out[i] = id;
    }
    return out;
  });
  return { ids, size: table.size };
}

/** Largest vocabulary for which numeric keys of n-grams up to `maxN` stay exact doubles. */
export function maxNumericVocabulary(maxN: number): number {
  return Math.floor(Math.pow(2 ** 53, 1 / maxN)) - 2;
}

/** Counts n-grams of interned tokens, keyed by the n-gram read as a base-`base` number. */
export function ngramCountsIds(ids: Int32Array, n: number, base: number): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i + n <= ids.length; i++) {
    let key = ids[i];
    for (let k = 1; k < n; k++) key = key * base + ids[i + k];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Python's `math.fsum`: the correctly rounded sum (Shewchuk partials, as CPython implements it). */
export function fsum(values: readonly number[]): number {
  const partials: number[] = [];
  for (let x of values) {
    let i = 0;
    for (let j = 0; j < partials.length; j++) {
      let y = partials[j];
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n];
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n];
    hi = x + y;
    const yr = hi - x;
    lo = y - yr;
    if (lo !== 0) break;
  }
  // Round half-even correctly when the remaining partials push the result over a tie.
  if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}
