// Balanced sampling: picks N examples so that every label of a single- or multi-label field is represented as
// evenly as the data allows. Greedy, rare labels first (the Build Hour's approach, generalised): at each step the
// label with the fewest picks so far (ties: the rarer label in the file) gets one more example, chosen among its
// candidates to avoid pushing labels that are already ahead. Exact duplicates are picked at most once while
// distinct examples remain. Deterministic for a seed.
import { createRng, shuffleInPlace } from './prng';

export interface SampleItem {
  labels: readonly string[];
  /** Equal keys mark exact duplicates. */
  key: string;
}

export interface SampleResult {
  /** Indices into the input array, ascending. */
  selected: number[];
  /** Picks that had to repeat an exact duplicate because too few distinct examples exist. */
  duplicatesPicked: number;
}

/** How many candidates of the chosen label are compared per step (bounds the work on huge files). */
const CANDIDATE_WINDOW = 64;

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function balancedSample(items: readonly SampleItem[], n: number, seed: string | number): SampleResult {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`the sample size must be a non-negative integer, not ${n}`);
  const rng = createRng(seed);
  const total = items.length;
  const want = Math.min(n, total);
  // A random rank per item decides every remaining tie, so the seed alone fixes the result.
  const order = shuffleInPlace(
    Array.from({ length: total }, (_, i) => i),
    rng,
  );
  const rank = new Int32Array(total);
  order.forEach((item, r) => (rank[item] = r));

  // First occurrence (by random rank) of each duplicate key is the primary; the rest are reserves.
  const primary = new Uint8Array(total);
  const seenKeys = new Set<string>();
  for (const i of order) {
    if (!seenKeys.has(items[i].key)) {
      seenKeys.add(items[i].key);
      primary[i] = 1;
    }
  }

  const labelNames = new Map<string, number>();
  const itemLabels: number[][] = items.map((it) =>
    it.labels.map((l) => {
      let id = labelNames.get(l);
      if (id === undefined) {
        id = labelNames.size;
        labelNames.set(l, id);
      }
      return id;
    }),
  );
  const L = labelNames.size;
  const names = [...labelNames.keys()];
  const poolCount = new Int32Array(L);
  const candidates: number[][] = Array.from({ length: L }, () => []);
  for (const i of order) {
    if (!primary[i]) continue;
    for (const l of itemLabels[i]) {
      poolCount[l]++;
      candidates[l].push(i);
    }
  }
  const cursor = new Int32Array(L);
  const picked = new Int32Array(L);
  const taken = new Uint8Array(total);
  const selected: number[] = [];
  const take = (i: number) => {
    taken[i] = 1;
    selected.push(i);
    for (const l of itemLabels[i]) picked[l]++;
  };

  while (selected.length < want) {
    // The neediest label: fewest picks, then rarest in the file, then name.
    let best = -1;
    for (let l = 0; l < L; l++) {
      while (cursor[l] < candidates[l].length && taken[candidates[l][cursor[l]]]) cursor[l]++;
      if (cursor[l] >= candidates[l].length) continue;
      if (
        best < 0 ||
        picked[l] < picked[best] ||
        (picked[l] === picked[best] &&
          (poolCount[l] < poolCount[best] ||
            (poolCount[l] === poolCount[best] && cmp(names[l], names[best]) < 0)))
      ) {
        best = l;
      }
    }
    if (best < 0) break;
    const level = picked[best];
    let choice = -1;
    let choiceCost = Infinity;
    let seen = 0;
    const list = candidates[best];
    for (let k = cursor[best]; k < list.length && seen < CANDIDATE_WINDOW; k++) {
      const i = list[k];
      if (taken[i]) continue;
      seen++;
      // Cost: how far the example's other labels are already ahead of the label being served.
      let cost = 0;
      for (const l of itemLabels[i]) if (l !== best && picked[l] > level) cost += picked[l] - level;
      if (cost < choiceCost) {
        choiceCost = cost;
        choice = i;
        if (cost === 0) break;
      }
    }
    take(choice);
  }
  // Fill up with unlabelled primaries, then (only if needed) duplicates, in random order.
  let duplicatesPicked = 0;
  for (const pass of [1, 0]) {
    for (const i of order) {
      if (selected.length >= want) break;
      if (taken[i] || primary[i] !== pass) continue;
      take(i);
      if (!pass) duplicatesPicked++;
    }
  }
  selected.sort((a, b) => a - b);
  return { selected, duplicatesPicked };
}
