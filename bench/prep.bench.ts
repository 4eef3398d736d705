// `npm run bench -- prep [--quick]`: data-prep throughput on generated EuroVoc-style RFT files (50,000 lines, the
// provider's training limit, ~35 MB; --quick: 10,000 lines) — map codes to names, balanced sample of 150, and a
// stratified split with 1,000 validation examples — against a baseline measured in the same run that only streams
// the lines and JSON.parses each (the least any of the three must do).
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonlLines } from '../src/core/datasets/jsonlReader';
import { mapCodesInFile } from '../src/core/prep/mapCodes';
import { parseJsonMapping } from '../src/core/prep/mapping';
import { createRng } from '../src/core/prep/prng';
import { sampleFile, splitFile } from '../src/core/prep/runPrep';
import { fmt, measure, table } from './util';

const DATA = join(__dirname, '.data');
const CODES = [
  '10',
  '20',
  '56',
  '60',
  '12',
  '08',
  '64',
  '24',
  '52',
  '72',
  '28',
  '40',
  '48',
  '16',
  '68',
  '04',
  '66',
  '44',
  '32',
  '76',
  '36',
];
const PROMPT =
  'You are a helpful assistant specialising in EU-law document classification. Read the text and return every EuroVoc level-1 descriptor of its subject matter as JSON.';

async function generate(path: string, lines: number): Promise<void> {
  if (existsSync(path)) return;
  mkdirSync(DATA, { recursive: true });
  const rng = createRng('bench-prep');
  const weights = CODES.map((_, i) => 1 / (i + 1) ** 1.4);
  const total = weights.reduce((a, b) => a + b, 0);
  const out = createWriteStream(path);
  for (let i = 0; i < lines; i++) {
    const k = 1 + rng.int(6);
    const labels = new Set<string>();
    while (labels.size < k) {
      let r = rng.next() * total;
      for (let j = 0; j < CODES.length; j++)
        if ((r -= weights[j]) <= 0 || j === CODES.length - 1) {
          labels.add(CODES[j]);
          break;
        }
    }
    const line = JSON.stringify({
      id: `doc-${i}`,
      messages: [
        { role: 'developer', content: PROMPT },
        {
          role: 'user',
          content: `Regulation ${i}/2024 on ${[...labels].join(' and ')}: ${'text '.repeat(60)}`,
        },
      ],
      reference_answer: [...labels],
    });
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

export default async function (flags: string[]): Promise<void> {
  const lines = flags.includes('--quick') ? 10_000 : 50_000;
  const file = join(DATA, `eurovoc-${lines}.jsonl`);
  await generate(file, lines);
  const mb = statSync(file).size / 2 ** 20;
  const mapping = parseJsonMapping(JSON.stringify(Object.fromEntries(CODES.map((c) => [c, `name of ${c}`]))));
  const outs = ['named', 'sample', 'train', 'valid'].map((n) => join(DATA, `prep-out-${n}.jsonl`));
  const field = ['reference_answer'];

  const baseline = await measure(async () => {
    let n = 0;
    for await (const l of readJsonlLines(file)) if (JSON.parse(l.text)) n++;
    return n;
  });
  const runs: [string, () => Promise<unknown>][] = [
    ['map codes to names', () => mapCodesInFile(file, field, mapping, outs[0])],
    ['balanced sample of 150', () => sampleFile(file, field, 150, outs[1], { seed: '1' })],
    [
      'split, 1,000 validation',
      () => splitFile(file, field, { validCount: 1000 }, outs[2], outs[3], { seed: '1' }),
    ],
  ];
  const rows: Record<string, string | number>[] = [
    {
      step: 'baseline: read + JSON.parse',
      ms: fmt(baseline.ms, 0),
      'MB/s': fmt(mb / (baseline.ms / 1000)),
      'peak RSS MB': fmt(baseline.peakRssMb, 0),
      'x baseline': '1.0',
    },
  ];
  for (const [name, run] of runs) {
    const m = await measure(run);
    rows.push({
      step: name,
      ms: fmt(m.ms, 0),
      'MB/s': fmt(mb / (m.ms / 1000)),
      'peak RSS MB': fmt(m.peakRssMb, 0),
      'x baseline': fmt(m.ms / baseline.ms),
    });
  }
  console.log(`${lines.toLocaleString('en-US')} lines, ${fmt(mb)} MB`);
  table(rows);
  for (const o of outs) rmSync(o, { force: true });
}
