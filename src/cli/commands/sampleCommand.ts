// `rft-studio sample`: a balanced subset of N examples (rare labels first), deterministic for a seed.
import type { CliCommand } from '../command';
import { EXIT, UsageError } from '../command';
import { parseWholeNumber } from '../../core/prep/prepCli';
import { DEFAULT_SEED } from '../../core/prep/prng';
import { sampleReportText } from '../../core/prep/report';
import { sampleFile } from '../../core/prep/runPrep';
import {
  FIELD_PATH_HELP,
  FORCE_HELP,
  refuseExistingOutputs,
  outputGuard,
  outputPathOf,
  PREP_OPTIONS,
  prepArgsOf,
  prepFailure,
  printReport,
  rel,
  seedOf,
} from '../prepOptions';

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
${FORCE_HELP}

${FIELD_PATH_HELP}

Exit codes: 0 ok; 1 the file has lines that are not JSON objects or not UTF-8 (nothing written); 2 usage or
I/O error, or an output that exists without --force.
`;

export const sampleCommand: CliCommand = {
  name: 'sample',
  summary: 'balanced sample of N examples, rare labels first (new file)',
  usage: USAGE,
  allowPositionals: true,
  options: { ...PREP_OPTIONS, n: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } },
  async run({ values, positionals }, io) {
    const { file, reporter, field } = prepArgsOf(values, positionals, io.cwd);
    if (typeof values.n !== 'string') throw new UsageError('--n N is required');
    const n = parseWholeNumber(values.n);
    if (n === undefined) throw new UsageError(`--n must be a whole number ≥ 1, not '${values.n}'`);
    const out = outputPathOf(values.out, io.cwd);
    const seed = seedOf(values.seed);
    outputGuard(file, [out]);
    await refuseExistingOutputs(file, [out], values.force, io.cwd);
    try {
      const report = await sampleFile(file, field, n, out, { seed, signal: io.signal });
      printReport(io, reporter, 'sample', { ...report, file: rel(io.cwd, file), out: rel(io.cwd, out) }, () =>
        sampleReportText(report, io.cwd),
      );
      return EXIT.ok;
    } catch (e) {
      return prepFailure('sample', e, io);
    }
  },
};
