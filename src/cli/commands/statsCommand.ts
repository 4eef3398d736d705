// `rft-studio stats <file> [--pair VALID] [--field NAME] [--reporter text|json]`: what is in a dataset before any
// money is spent — formats, role sequences, tokens, item fields, a field's value distribution, duplicates,
// train/validation overlap, answer leakage and a cost estimate.
import * as path from 'node:path';
import type { CliCommand, CliIO } from '../command';
import { EXIT, UsageError } from '../command';
import type { DatasetStats, PairStats, StatsOptions } from '../../core/stats/datasetStats';
import { computeDatasetStats, computePairStats, DEFAULT_TOKEN_LIMIT } from '../../core/stats/datasetStats';
import { resolvePriceTable } from '../../core/stats/pricing';
import { checkInputFile, readInputText } from '../../core/io/inputFile';

const USAGE = `Usage: rft-studio stats <file.jsonl> [options]

Statistics of a dataset: examples per format, role sequences, tokens per example (o200k_base),
item fields, the value distribution of a field (arrays counted per element, e.g. multi-label),
exact and near duplicates, answer leakage, and a training-cost estimate (SFT/DPO; RFT is billed by time).

Options:
  --pair <valid.jsonl>    Also compare with a validation file: overlap, near duplicates across, labels side by side
  --field <path>          Field whose value distribution is reported (e.g. reference_answer, item.label);
                          default: a label-like field picked automatically
  --reporter <text|json>  Output format (default text)
  --token-limit <n>       List examples with more tokens than this (default ${DEFAULT_TOKEN_LIMIT})
  --epochs <n>            Epochs for the cost estimate (default 3)
  --prices <file.json>    Price table replacing the built-in dated one ({asOf, perToken:[{model, usdPerMillionTrainingTokens}], rftPerHour})
  --near-threshold <x>    Jaccard similarity for near duplicates, 0–1 (default 0.8)
  -h, --help              Show this help

Line numbers are 1-based. Exit codes: 0 nothing to report, 1 findings (invalid JSON, duplicates,
train/validation overlap, leaked answers, examples over the token limit), 2 usage or I/O error.
`;

function positiveInt(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a positive integer, got '${String(v)}'`);
  return n;
}

const nf = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function bar(n: number, max: number, width = 30): string {
  if (max <= 0) return '';
  const units = Math.round((n / max) * width * 8);
  const full = Math.floor(units / 8);
  const part = units % 8;
  return '█'.repeat(full) + (part ? '▏▎▍▌▋▊▉'[part - 1] : '');
}

function lineList(lines: number[], total = lines.length, max = 20): string {
  const shown = lines.slice(0, max).join(', ');
  return total > Math.min(max, lines.length) ? `${shown}, … (${nf(total)} in all)` : shown;
}

function table(rows: string[][], rightAlign: boolean[] = []): string[] {
  if (!rows.length) return [];
  const width = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (rightAlign[c] ? cell.padStart(width[c]) : cell.padEnd(width[c])))
      .join('  ')
      .trimEnd(),
  );
}

function renderOne(s: DatasetStats, out: string[], rel: (p: string) => string): void {
  out.push(`${rel(s.path ?? '')}`);
  out.push(
    `  ${nf(s.lines)} lines, ${nf(s.examples)} examples, ${nf(s.bytes)} bytes; format ${s.fileFormat.format} (${s.fileFormat.reason})`,
  );
  if (s.invalidJson.count)
    out.push(
      `  invalid JSON on ${nf(s.invalidJson.count)} line(s): ${lineList(s.invalidJson.lines, s.invalidJson.count)}`,
    );
  if (s.blankLines) out.push(`  ${nf(s.blankLines)} blank line(s)`);
  out.push('', 'Examples per format');
  const kinds = Object.entries(s.kinds).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
  const kmax = Math.max(0, ...kinds.map(([, n]) => n ?? 0));
  out.push(
    ...table(
      kinds.map(([k, n]) => ['  ' + k, nf(n ?? 0), bar(n ?? 0, kmax)]),
      [false, true],
    ),
  );

  out.push('', 'Role sequences');
  if (!s.roleSequences.length) out.push('  (no conversations)');
  out.push(
    ...table(
      s.roleSequences
        .slice(0, 15)
        .map((r) => ['  ' + r.sequence, nf(r.count), `first on line ${r.firstLine}`]),
      [false, true],
    ),
  );
  if (s.roleSequences.length > 15) out.push(`  … ${s.roleSequences.length - 15} more`);

  out.push('', 'Tokens per example (o200k_base)');
  const t = s.tokens;
  if (!t.counted) out.push('  (no example with a conversation)');
  else {
    out.push(
      `  ${nf(t.counted)} counted, total ${nf(t.total)}, min ${nf(t.min)}, mean ${nf(t.mean, 1)}, median ${nf(t.median)}, p95 ${nf(t.p95)}, max ${nf(t.max)}`,
    );
    const hmax = Math.max(...t.histogram.bins.map((b) => b.count));
    out.push(
      ...table(
        t.histogram.bins
          .filter((b) => b.count > 0 || t.histogram.bins.length <= 25)
          .map((b) => [
            `  ${b.to - b.from === 1 ? nf(b.from) : `${nf(b.from)}–${nf(b.to - 1)}`}`,
            nf(b.count),
            bar(b.count, hmax),
          ]),
        [false, true],
      ),
    );
    out.push(
      t.overLimit.count
        ? `  ${nf(t.overLimit.count)} example(s) over ${nf(t.limit)} tokens: lines ${lineList(t.overLimit.lines, t.overLimit.count)}`
        : `  no example over ${nf(t.limit)} tokens`,
    );
  }

  out.push('', 'Item fields');
  if (!s.fields.length) out.push('  (none)');
  out.push(
    ...table(
      [
        ['  field', 'present', '%', 'types', 'distinct'],
        ...s.fields.map((f) => [
          '  ' + f.name,
          nf(f.present),
          nf(f.presencePct, 1),
          Object.entries(f.types)
            .map(([k, n]) => `${k} ${n}`)
            .join(', '),
          f.distinct === undefined ? '>1000' : nf(f.distinct),
        ]),
      ],
      [false, true, true, false, true],
    ),
  );

  if (s.distribution) {
    const d = s.distribution;
    out.push('', `Values of ${d.field}${d.auto ? ' (picked automatically; choose with --field)' : ''}`);
    out.push(
      `  ${nf(d.rowsWithField)} example(s) have it, ${nf(d.rowsWithoutField)} do not; ${nf(d.elements)} value(s) counted${d.arrayRows ? ` (${nf(d.arrayRows)} multi-label arrays, counted per element)` : ''}, ${d.distinct < 0 ? 'more than 1000' : nf(d.distinct)} distinct`,
    );
    const vmax = Math.max(0, ...d.values.map((v) => v.count));
    out.push(
      ...table(
        d.values.slice(0, 50).map((v) => ['  ' + v.value, nf(v.count), bar(v.count, vmax)]),
        [false, true],
      ),
    );
    if (d.values.length > 50 || d.otherCount)
      out.push(`  … ${nf(Math.max(0, d.values.length - 50))} more values, ${nf(d.otherCount)} not listed`);
  }

  out.push('', 'Duplicates');
  out.push(
    `  exact (same JSON): ${nf(s.exactDuplicates.extraCopies)} extra cop${s.exactDuplicates.extraCopies === 1 ? 'y' : 'ies'}`,
  );
  for (const g of s.exactDuplicates.groups.slice(0, 20)) out.push(`    lines ${lineList(g)}`);
  out.push(
    `  near (similarity ≥ ${s.nearDuplicates.threshold}): ${nf(s.nearDuplicates.total ?? s.nearDuplicates.pairs.length)} pair(s)`,
  );
  for (const p of s.nearDuplicates.pairs.slice(0, 20))
    out.push(`    lines ${p.a} and ${p.b}: ${nf(p.similarity, 3)}`);
  if (s.nearDuplicates.notCompared)
    out.push(`  (near duplicates looked for in the first ${nf(s.nearDuplicates.compared)} examples only)`);
  if (s.nearDuplicates.bounded) out.push(`  (bounded: ${s.nearDuplicates.bounded})`);
  out.push(`  ${s.nearDuplicates.definition}`);

  out.push('', 'Answer leakage');
  if (!s.leakage.fieldsChecked.length) out.push('  no reference-answer field to check');
  else {
    const total = s.leakage.total ?? s.leakage.rows.length;
    out.push(
      `  ${nf(total)} example(s) whose ${s.leakage.fieldsChecked.join('/')} appears verbatim in the user message`,
    );
    for (const r of s.leakage.rows.slice(0, 20)) out.push(`    line ${r.line}: ${r.field} = ${r.value}`);
  }

  out.push('', 'Cost estimate');
  out.push(`  ${s.cost.note}`);
  if (s.cost.rows.length)
    out.push(
      ...table(
        s.cost.rows.map((r) => ['  ' + r.model, `$${nf(r.usd, 2)}`]),
        [false, true],
      ),
    );
  out.push(`  prices as of ${s.cost.prices.asOf} (${s.cost.prices.source})`);
}

function renderPair(p: PairStats, out: string[], rel: (f: string) => string): void {
  out.push('', '== Training / validation ==');
  out.push(`  validation lines copied from training: ${nf(p.exactOverlap.count)}`);
  for (const x of p.exactOverlap.pairs.slice(0, 20))
    out.push(`    validation line ${x.valid} = training line ${x.train}`);
  out.push(`  near duplicates across the files: ${nf(p.nearAcross.count)}`);
  if (p.nearAcross.bounded) out.push(`  (bounded: ${p.nearAcross.bounded})`);
  for (const x of p.nearAcross.pairs.slice(0, 20))
    out.push(`    validation line ${x.valid} ~ training line ${x.train}: ${nf(x.similarity, 3)}`);
  if (p.labels) {
    out.push('', `Labels side by side: ${p.labels.field} (% of each file's counted values)`);
    out.push(
      ...table(
        [
          ['  value', 'train', '%', 'valid', '%'],
          ...p.labels.rows
            .slice(0, 50)
            .map((r) => ['  ' + r.value, nf(r.train), nf(r.trainPct, 1), nf(r.valid), nf(r.validPct, 1)]),
        ],
        [false, true, true, true, true],
      ),
    );
    if (p.labels.onlyInValid.length) out.push(`  only in validation: ${p.labels.onlyInValid.join(', ')}`);
    if (p.labels.onlyInTrain.length) out.push(`  only in training: ${p.labels.onlyInTrain.join(', ')}`);
  }
  out.push('', `== Validation file: ${rel(p.valid.path ?? '')} ==`);
}

function findings(s: DatasetStats): number {
  return (
    s.invalidJson.count +
    s.exactDuplicates.extraCopies +
    s.nearDuplicates.pairs.length +
    (s.leakage.total ?? s.leakage.rows.length) +
    s.tokens.overLimit.count
  );
}

export const statsCommand: CliCommand = {
  name: 'stats',
  summary: 'dataset statistics: formats, tokens, fields, label distribution, duplicates, leakage, cost',
  usage: USAGE,
  allowPositionals: true,
  options: {
    pair: { type: 'string' },
    field: { type: 'string' },
    reporter: { type: 'string', default: 'text' },
    'token-limit': { type: 'string' },
    epochs: { type: 'string' },
    prices: { type: 'string' },
    'near-threshold': { type: 'string' },
  },
  async run({ values, positionals }, io: CliIO): Promise<number> {
    if (positionals.length !== 1)
      throw new UsageError(positionals.length ? 'give exactly one dataset file' : 'missing the dataset file');
    const reporter = String(values.reporter);
    if (reporter !== 'text' && reporter !== 'json')
      throw new UsageError(`--reporter must be text or json, got '${reporter}'`);
    const file = path.resolve(io.cwd, positionals[0]);
    const pair = typeof values.pair === 'string' ? path.resolve(io.cwd, values.pair) : undefined;
    await checkInputFile(file);
    if (pair) await checkInputFile(pair, '--pair');
    let threshold: number | undefined;
    if (values['near-threshold'] !== undefined) {
      threshold = Number(values['near-threshold']);
      if (!(threshold > 0 && threshold <= 1))
        throw new UsageError('--near-threshold must be a number in (0, 1]');
    }
    let prices;
    if (typeof values.prices === 'string') {
      const raw = await readInputText(path.resolve(io.cwd, values.prices), '--prices');
      try {
        prices = resolvePriceTable(JSON.parse(raw));
      } catch (e) {
        throw new UsageError(`--prices: ${(e as Error).message}`);
      }
    }
    const opts: StatsOptions = {
      ...(typeof values.field === 'string' && values.field ? { field: values.field } : {}),
      tokenLimit: positiveInt(values['token-limit'], 'token-limit'),
      epochs: positiveInt(values.epochs, 'epochs'),
      ...(prices ? { prices } : {}),
      ...(threshold !== undefined ? { nearThreshold: threshold } : {}),
      signal: io.signal,
    };
    const rel = (p: string) => {
      const r = path.relative(io.cwd, p);
      return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : p;
    };
    const result = pair ? await computePairStats(file, pair, opts) : await computeDatasetStats(file, opts);
    const relPaths = <T extends DatasetStats>(s: T): T => ({ ...s, path: rel(s.path ?? '') });
    const forJson =
      'train' in result
        ? { ...result, train: relPaths(result.train), valid: relPaths(result.valid) }
        : relPaths(result);
    if (reporter === 'json') io.stdout(`${JSON.stringify(forJson, null, 2)}\n`);
    else {
      const out: string[] = [];
      if ('train' in result) {
        out.push('== Training file ==');
        renderOne(result.train, out, rel);
        renderPair(result, out, rel);
        renderOne(result.valid, out, rel);
      } else renderOne(result, out, rel);
      io.stdout(`${out.join('\n')}\n`);
    }
    const n =
      'train' in result
        ? findings(result.train) +
          findings(result.valid) +
          result.exactOverlap.count +
          result.nearAcross.count
        : findings(result);
    return n > 0 ? EXIT.problems : EXIT.ok;
  },
};
