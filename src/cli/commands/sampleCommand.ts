// `rft-studio sample`: a balanced subset of N examples (rare labels first), deterministic for a seed.
import * as path from 'node:path';
import type { CliCommand } from '../command';
import { EXIT, UsageError } from '../command';
import { checkOutputPaths, OutputPathError } from '../../core/prep/dataset';
import { parseSeed, parseWholeNumber } from '../../core/prep/prepCli';
import { DEFAULT_SEED } from '../../core/prep/prng';
import { sampleReportText } from '../../core/prep/report';
import { PrepInputError, PrepRequestError, sampleFile } from '../../core/prep/runPrep';
import { FIELD_PATH_HELP, fieldOf, rel, reporterOf } from './mapCommand';

const USAGE = `Usage: rft-studio sample <file> --field PATH --n N [--seed S] --out OUT.jsonl [--reporter text|json]

Picks N examples so that every label of the field (a single label or a list of labels per line) is represented
as evenly as the data allows: the label with the fewest picks so far gets the next example, rare labels first.
Exact duplicate lines are picked at most once. The same seed always gives the same sample. The chosen lines are
copied byte for byte, in file order, to a new file; the report lists every label's count before and after.

Options:
  --field PATH        the field that holds the label(s)
  --n N               how many examples to keep
  --seed S            any number or word (default ${DEFAULT_SEED})
  --out FILE          the output file (never the input)
  --reporter NAME     text (default) or json

${FIELD_PATH_HELP}

Exit codes: 0 ok; 1 the file has lines that are not JSON objects (nothing written); 2 usage or I/O error.
`;

export function outputGuard(file: string, outs: string[]): void {
  try {
    checkOutputPaths(file, outs);
  } catch (e) {
    if (e instanceof OutputPathError) throw new UsageError(e.message);
    throw e;
  }
}

export function seedOf(value: unknown): string {
  if (value === undefined) return DEFAULT_SEED;
  const s = parseSeed(String(value));
  if (!s) throw new UsageError('--seed must be a non-empty number or word');
  return s;
}

export const sampleCommand: CliCommand = {
  name: 'sample',
  summary: 'balanced sample of N examples, rare labels first (new file)',
  usage: USAGE,
  allowPositionals: true,
  options: {
    field: { type: 'string' },
    n: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    reporter: { type: 'string' },
  },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError('give exactly one input file');
    const reporter = reporterOf(values.reporter);
    const field = fieldOf(values.field);
    if (typeof values.n !== 'string') throw new UsageError('--n N is required');
    const n = parseWholeNumber(values.n);
    if (n === undefined) throw new UsageError(`--n must be a whole number ≥ 1, not '${values.n}'`);
    if (typeof values.out !== 'string') throw new UsageError('--out FILE is required');
    const seed = seedOf(values.seed);
    const file = path.resolve(io.cwd, positionals[0]);
    const out = path.resolve(io.cwd, values.out);
    outputGuard(file, [out]);
    try {
      const report = await sampleFile(file, field, n, out, { seed, signal: io.signal });
      if (reporter === 'json') {
        io.stdout(
          `${JSON.stringify({ sample: { ...report, file: rel(io.cwd, file), out: rel(io.cwd, out) } }, null, 2)}\n`,
        );
      } else io.stdout(sampleReportText(report, io.cwd));
      return EXIT.ok;
    } catch (e) {
      return prepFailure('sample', e, io);
    }
  },
};

/** Maps the prep errors to exit codes: bad input lines 1, impossible requests 2. */
export function prepFailure(name: string, e: unknown, io: { stderr: (t: string) => void }): number {
  if (e instanceof PrepInputError) {
    io.stderr(`rft-studio ${name}: ${e.message}\n`);
    return EXIT.problems;
  }
  if (e instanceof PrepRequestError) {
    io.stderr(`rft-studio ${name}: ${e.message}\n`);
    return EXIT.usage;
  }
  throw e;
}
