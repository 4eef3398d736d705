// Per-label counting shared by the sample and split reports.

export interface Labelled {
  labels: readonly string[];
}

/** Counts examples per label (an example counts once per distinct label). */
export function countLabels(items: Iterable<Labelled>): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) for (const l of it.labels) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

/** Labels sorted by descending count, then name: the order reports list them in. */
export function labelOrder(counts: Map<string, number>): string[] {
  return [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
}
