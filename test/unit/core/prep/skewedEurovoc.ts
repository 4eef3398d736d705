// Test data: a skewed multi-label dataset over the 21 EuroVoc level-1 labels of the shared fixture, with Zipf-like
// label frequencies and 1–6 labels per example, generated from a seed.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createRng } from '../../../../src/core/prep/prng';

export const EUROVOC_LABELS: string[] = JSON.parse(
  readFileSync(
    path.resolve(__dirname, '../../../fixtures/real/openai-build-hours/derived/eurovoc_level1_labels.json'),
    'utf8',
  ),
);

export interface GenItem {
  labels: string[];
  key: string;
}

/** `n` examples; label i (0-based) has weight 1/(i+1)^s; `dupEvery` > 0 adds an exact copy every so often. */
export function skewedEurovoc(n: number, seed: string, s = 1.3, dupEvery = 0): GenItem[] {
  const rng = createRng(seed);
  const weights = EUROVOC_LABELS.map((_, i) => 1 / (i + 1) ** s);
  const items: GenItem[] = [];
  for (let k = 0; k < n; k++) {
    if (dupEvery > 0 && k > 0 && k % dupEvery === 0) {
      const src = items[rng.int(items.length)];
      items.push({ labels: [...src.labels], key: src.key });
      continue;
    }
    const count = 1 + rng.int(6);
    const chosen = new Set<number>();
    while (chosen.size < count) {
      let total = 0;
      for (let i = 0; i < weights.length; i++) if (!chosen.has(i)) total += weights[i];
      let r = rng.next() * total;
      for (let i = 0; i < weights.length; i++) {
        if (chosen.has(i)) continue;
        r -= weights[i];
        if (r <= 0) {
          chosen.add(i);
          break;
        }
      }
      if (r > 0) chosen.add([...Array(weights.length).keys()].find((i) => !chosen.has(i))!);
    }
    items.push({ labels: [...chosen].map((i) => EUROVOC_LABELS[i]), key: `doc-${k}` });
  }
  return items;
}
