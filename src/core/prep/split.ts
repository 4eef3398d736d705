// Stratified train/validation split, multi-label aware: iterative stratification (Sechidis, Tsoumakas & Vlahavas,
// 2011) over groups of exact duplicates, with per-subset capacities so the sizes come out as asked, a coverage
// rule (a label with at least two examples wants at least one in each file) and two repair passes (coverage, then
// exact sizes) that only move groups whose move keeps every label covered. Deterministic for a seed.
import { createRng, shuffleInPlace, type Rng } from './prng';

export interface SplitItem {
  labels: readonly string[];
  /** Equal keys mark exact duplicates; they always land in the same file. */
  key: string;
}

export interface SplitResult {
  /** For each input item: true when it goes to the validation file. */
  valid: boolean[];
  trainCount: number;
  validCount: number;
  /** Labels with ≥2 examples that could not be put in both files, and why. */
  uncovered: { label: string; reason: string }[];
}

/** Training groups compared with each validation group per improvement pass. */
const SWAP_WINDOW = 400;
/** Upper bound on swap evaluations per split (keeps a 50,000-line split to a few seconds). */
const SWAP_BUDGET = 1_500_000;

const TRAIN = 0;
const VALID = 1;

interface Unit {
  members: number[];
  labels: number[];
  size: number;
  side: number; // -1 unassigned
  rank: number;
}

export function stratifiedSplit(
  items: readonly SplitItem[],
  validCount: number,
  seed: string | number,
): SplitResult {
  const n = items.length;
  if (!Number.isInteger(validCount) || validCount < 1 || validCount >= n) {
    throw new RangeError(`the validation size must be between 1 and ${n - 1}, not ${validCount}`);
  }
  const rng: Rng = createRng(seed);
  const labelIds = new Map<string, number>();
  const names: string[] = [];
  const byKey = new Map<string, Unit>();
  const units: Unit[] = [];
  items.forEach((it, i) => {
    let u = byKey.get(it.key);
    if (!u) {
      const labels = it.labels.map((l) => {
        let id = labelIds.get(l);
        if (id === undefined) {
          id = names.length;
          labelIds.set(l, id);
          names.push(l);
        }
        return id;
      });
      u = { members: [], labels: [...new Set(labels)], size: 0, side: -1, rank: 0 };
      byKey.set(it.key, u);
      units.push(u);
    }
    u.members.push(i);
    u.size++;
  });
  shuffleInPlace(units, rng).forEach((u, r) => (u.rank = r));
  const L = names.length;
  const target = [n - validCount, validCount];
  const capacity = [...target];
  const total = new Float64Array(L); // examples per label
  for (const u of units) for (const l of u.labels) total[l] += u.size;

  // Desired examples per label and subset, proportional to the subset's size; at least one each for labels with ≥2.
  const desired = [new Float64Array(L), new Float64Array(L)];
  for (let l = 0; l < L; l++) {
    let v = (total[l] * validCount) / n;
    if (total[l] >= 2) v = Math.min(Math.max(v, 1), total[l] - 1);
    desired[VALID][l] = v;
    desired[TRAIN][l] = total[l] - v;
  }
  const count = [new Float64Array(L), new Float64Array(L)]; // examples per label and subset so far
  const assign = (u: Unit, side: number) => {
    u.side = side;
    capacity[side] -= u.size;
    for (const l of u.labels) {
      desired[side][l] -= u.size;
      count[side][l] += u.size;
    }
  };
  const unassign = (u: Unit) => {
    const side = u.side;
    capacity[side] += u.size;
    for (const l of u.labels) {
      desired[side][l] += u.size;
      count[side][l] -= u.size;
    }
    u.side = -1;
  };

  // Units per label in random order, and the label's remaining (unassigned) examples.
  const unitsOf: Unit[][] = Array.from({ length: L }, () => []);
  for (const u of [...units].sort((a, b) => a.rank - b.rank)) for (const l of u.labels) unitsOf[l].push(u);
  const remaining = Float64Array.from(total);
  const done = new Uint8Array(L);

  const pickSide = (u: Unit, l: number): number => {
    const fits = [capacity[TRAIN] >= u.size, capacity[VALID] >= u.size];
    const candidates = fits[TRAIN] || fits[VALID] ? [TRAIN, VALID].filter((s) => fits[s]) : [TRAIN, VALID];
    if (candidates.length === 1) return candidates[0];
    if (!fits[TRAIN] && !fits[VALID]) return capacity[TRAIN] >= capacity[VALID] ? TRAIN : VALID;
    if (l >= 0) {
      const dl = desired[TRAIN][l] - desired[VALID][l];
      if (Math.abs(dl) > 1e-9) return dl > 0 ? TRAIN : VALID;
    }
    // Tie on the label: the subset further from its size target (relative), then a coin.
    const rt = capacity[TRAIN] / target[TRAIN];
    const rv = capacity[VALID] / target[VALID];
    if (Math.abs(rt - rv) > 1e-12) return rt > rv ? TRAIN : VALID;
    return rng.int(2);
  };

  for (;;) {
    // The label with the fewest unassigned examples goes next (ties: name order, so the seed alone decides).
    let l = -1;
    for (let j = 0; j < L; j++) {
      if (done[j] || remaining[j] <= 0) continue;
      if (l < 0 || remaining[j] < remaining[l] || (remaining[j] === remaining[l] && names[j] < names[l]))
        l = j;
    }
    if (l < 0) break;
    done[l] = 1;
    for (const u of unitsOf[l]) {
      if (u.side >= 0) continue;
      assign(u, pickSide(u, l));
      for (const m of u.labels) remaining[m] -= u.size;
    }
  }
  // Unlabelled groups only fill sizes.
  for (const u of units) if (u.side < 0) assign(u, pickSide(u, -1));

  const needsBoth = (l: number) => total[l] >= 2;
  /** Moving u out of its side leaves every label it carries that needs both sides still present there. */
  const keepsCoverage = (u: Unit) =>
    u.labels.every((m) => !needsBoth(m) || count[u.side][m] - u.size >= 1 || count[1 - u.side][m] === 0);

  // Coverage repair: a label with ≥2 examples missing from a side gets one group moved over.
  const reasons = new Map<number, string>();
  for (let l = 0; l < L; l++) {
    if (!needsBoth(l)) continue;
    for (const side of [TRAIN, VALID]) {
      if (count[side][l] > 0) continue;
      const from = 1 - side;
      let best: Unit | undefined;
      for (const u of unitsOf[l]) {
        if (u.side !== from || !keepsCoverage(u)) continue;
        if (count[from][l] - u.size < 1) continue;
        if (!best || u.size < best.size || (u.size === best.size && u.rank < best.rank)) best = u;
      }
      if (best) {
        unassign(best);
        assign(best, side);
      } else {
        const groups = unitsOf[l].length;
        reasons.set(
          l,
          groups === 1
            ? `its ${total[l]} examples are exact duplicates of one another, and duplicates stay in one file`
            : `no example of it can move without leaving another label out of the ${from === TRAIN ? 'training' : 'validation'} file`,
        );
      }
    }
  }

  // Size repair: move groups from the over-full side, choosing the move that hurts the label balance least.
  const ideal = (side: number, l: number) => (total[l] * target[side]) / n;
  for (let guard = 0; guard < n && capacity[VALID] !== 0; guard++) {
    const from = capacity[VALID] < 0 ? VALID : TRAIN;
    const to = 1 - from;
    const excess = -capacity[from];
    let best: Unit | undefined;
    let bestHarm = Infinity;
    for (const u of units) {
      if (u.side !== from || u.size > excess || !keepsCoverage(u)) continue;
      let harm = 0;
      for (const m of u.labels) {
        harm +=
          Math.abs(count[from][m] - u.size - ideal(from, m)) - Math.abs(count[from][m] - ideal(from, m));
        harm += Math.abs(count[to][m] + u.size - ideal(to, m)) - Math.abs(count[to][m] - ideal(to, m));
      }
      if (harm < bestHarm - 1e-9 || (Math.abs(harm - bestHarm) <= 1e-9 && best && u.rank < best.rank)) {
        best = u;
        bestHarm = harm;
      }
    }
    if (!best) break;
    unassign(best);
    assign(best, to);
  }

  // Neither file may end up empty while there are two or more groups: rather overshoot the requested size
  // (duplicates stay together, so a group can be larger than the validation size asked for).
  for (const side of [VALID, TRAIN]) {
    if (units.length < 2 || units.some((u) => u.side === side)) continue;
    let smallest: Unit | undefined;
    for (const u of units) {
      if (u.side !== 1 - side) continue;
      if (!smallest || u.size < smallest.size || (u.size === smallest.size && u.rank < smallest.rank))
        smallest = u;
    }
    if (smallest) {
      unassign(smallest);
      assign(smallest, side);
    }
  }

  /**
   * Local improvement: swap equal-sized groups between the files when that brings the label counts closer to
   * their ideal (squared deviation relative to the label's size, so rare labels weigh more). Sizes and coverage
   * are kept. Each validation group is compared with a bounded window of training groups, so the pass stays
   * near-linear on large files.
   */
  function improveBySwaps(): void {
    const weight = (l: number) => 1 / Math.max(1, total[l]);
    const trainUnits = units.filter((u) => u.side === TRAIN).sort((a, b) => a.rank - b.rank);
    const validUnits = units.filter((u) => u.side === VALID).sort((a, b) => a.rank - b.rank);
    if (!trainUnits.length || !validUnits.length) return;
    const window = Math.min(trainUnits.length, SWAP_WINDOW);
    const d = new Float64Array(L); // change of each label's validation count for the swap being priced
    const mark = new Int32Array(L).fill(-1);
    const touched: number[] = [];
    const w8 = new Float64Array(L);
    for (let l = 0; l < L; l++) w8[l] = weight(l);
    const idealV = Float64Array.from({ length: L }, (_, l) => ideal(VALID, l));
    const idealT = Float64Array.from({ length: L }, (_, l) => ideal(TRAIN, l));
    let stamp = 0;
    const countV = count[VALID];
    const countT = count[TRAIN];
    const totals = total;
    let budget = SWAP_BUDGET;
    for (let pass = 0; pass < 4 && budget > 0; pass++) {
      // Stop once every label sits within rounding of its ideal count: no swap can do better.
      let optimal = true;
      for (let l = 0; l < L && optimal; l++) if (Math.abs(countV[l] - idealV[l]) > 0.5) optimal = false;
      if (optimal) break;
      let improved = false;
      let offset = 0;
      for (const u of validUnits) {
        if (u.side !== VALID || u.labels.length === 0) continue;
        if ((budget -= window) < 0) break;
        let best: Unit | undefined;
        let bestGain = 1e-9;
        for (let k = 0; k < window; k++) {
          const w = trainUnits[(offset + k) % trainUnits.length];
          if (w.side !== TRAIN || w.size !== u.size) continue;
          stamp++;
          touched.length = 0;
          for (const l of u.labels) {
            if (mark[l] !== stamp) {
              mark[l] = stamp;
              d[l] = 0;
              touched.push(l);
            }
            d[l] -= u.size;
          }
          for (const l of w.labels) {
            if (mark[l] !== stamp) {
              mark[l] = stamp;
              d[l] = 0;
              touched.push(l);
            }
            d[l] += w.size;
          }
          let gain = 0;
          let ok = true;
          for (const l of touched) {
            const dl = d[l];
            if (dl === 0) continue;
            const cv = countV[l];
            const ct = countT[l];
            if (totals[l] >= 2 && (cv + dl < 1 || ct - dl < 1)) {
              ok = false;
              break;
            }
            const a = cv - idealV[l];
            const b = ct - idealT[l];
            gain += (a * a + b * b - (a + dl) * (a + dl) - (b - dl) * (b - dl)) * w8[l];
          }
          if (ok && gain > bestGain) {
            bestGain = gain;
            best = w;
          }
        }
        offset = (offset + window) % trainUnits.length;
        if (best) {
          unassign(u);
          unassign(best);
          assign(u, TRAIN);
          assign(best, VALID);
          improved = true;
        }
      }
      if (!improved) break;
      // Refresh the lists: units changed sides.
      trainUnits.splice(
        0,
        trainUnits.length,
        ...units.filter((x) => x.side === TRAIN).sort((a, b) => a.rank - b.rank),
      );
      validUnits.splice(
        0,
        validUnits.length,
        ...units.filter((x) => x.side === VALID).sort((a, b) => a.rank - b.rank),
      );
    }
  }

  improveBySwaps();

  // Judge coverage on the final assignment: later moves may have covered a label the repair could not.
  const uncovered: { label: string; reason: string }[] = [];
  for (let l = 0; l < L; l++) {
    if (needsBoth(l) && (count[TRAIN][l] === 0 || count[VALID][l] === 0)) {
      uncovered.push({
        label: names[l],
        reason: reasons.get(l) ?? 'the sizes leave no room for it in both files',
      });
    }
  }
  const valid = new Array<boolean>(n).fill(false);
  for (const u of units) if (u.side === VALID) for (const i of u.members) valid[i] = true;
  const v = valid.filter(Boolean).length;
  return { valid, trainCount: n - v, validCount: v, uncovered };
}
