// `rft-studio split`: a stratified, multi-label aware train/validation split into two new files.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { CliCommand } from '../command';
import { EXIT, UsageError } from '../command';
import { parseFraction, parseWholeNumber } from '../../core/prep/prepCli';
import { DEFAULT_SEED } from '../../core/prep/prng';
import { splitReportText } from '../../core/prep/report';
import { PROVIDER_LIMITS, splitFile } from '../../core/prep/runPrep';
import {
  FIELD_PATH_HELP,
  FORCE_HELP,
  refuseExistingOutputs,
  fieldOf,
  outputGuard,
  PREP_OPTIONS,
  prepFailure,
  printReport,
  rel,
  reporterOf,
  seedOf,
} from '../prepOptions';

const USAGE = `Usage: rft-studio split <file> --field PATH (--valid-fraction F | --valid-count N) [--seed S]
                         --out TRAIN.jsonl VALID.jsonl [--reporter text|json]

Splits a JSONL file into training and validation files so that each label's share is as close as possible in
both (iterative stratification, multi-label aware). Every label with at least two examples lands in both files
whenever the data allows it (when it cannot, e.g. all its examples are exact duplicates, the report says so and
the exit code is 1). Exact duplicate lines stay together in one file. No example is lost or repeated: each is
copied byte for byte, in file order, into exactly one output (blank lines are dropped). The report lists every
label's counts side by side.

Options:
  --field PATH           the field that holds the label(s)
  --valid-fraction F     share of the examples for validation, e.g. 0.33 or 33%
  --valid-count N        number of validation examples
  --seed S               any number or word (default ${DEFAULT_SEED})
  --out TRAIN VALID      the two output files (never the input); --out TRAIN --out VALID also works
  --max-valid N          validation limit (default ${PROVIDER_LIMITS.maxValid}, the OpenAI RFT limit)
  --max-train N          training limit (default ${PROVIDER_LIMITS.maxTrain.toLocaleString('en-US')})
  --reporter NAME        text (default) or json
${FORCE_HELP.replace('--force    ', '--force       ')}

The input file is the first argument that is not an option value.

${FIELD_PATH_HELP}

Exit codes: 0 ok; 1 a label with ≥2 examples could not be put in both files (files written, see the report),
or the file has lines that are not JSON objects or not UTF-8 (nothing written); 2 usage or I/O error, a size
over the provider limits, or an output that exists without --force.
`;

export const splitCommand: CliCommand = {
  name: 'split',
  summary: 'stratified train/validation split, every label in both files',
  usage: USAGE,
  allowPositionals: true,
  options: {
    ...PREP_OPTIONS,
    'valid-fraction': { type: 'string' },
    'valid-count': { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string', multiple: true },
    'max-valid': { type: 'string' },
    'max-train': { type: 'string' },
  },
  async run({ values, positionals }, io) {
    const reporter = reporterOf(values.reporter);
    const field = fieldOf(values.field);
    const outs = (values.out as string[] | undefined) ?? [];
    // `--out TRAIN VALID`: the value after TRAIN arrives as the second positional.
    let file: string;
    let trainOut: string;
    let validOut: string;
    if (outs.length === 2 && positionals.length === 1)
      [file, trainOut, validOut] = [positionals[0], outs[0], outs[1]];
    else if (outs.length === 1 && positionals.length === 2)
      [file, trainOut, validOut] = [positionals[0], outs[0], positionals[1]];
    else if (outs.length === 0) throw new UsageError('--out TRAIN.jsonl VALID.jsonl is required');
    else
      throw new UsageError(
        'give one input file and two outputs: split <file> ... --out TRAIN.jsonl VALID.jsonl',
      );
    const fractionText = values['valid-fraction'] as string | undefined;
    const countText = values['valid-count'] as string | undefined;
    if ((fractionText === undefined) === (countText === undefined)) {
      throw new UsageError('give exactly one of --valid-fraction F and --valid-count N');
    }
    const validFraction = fractionText === undefined ? undefined : parseFraction(fractionText);
    if (fractionText !== undefined && validFraction === undefined) {
      throw new UsageError(
        `--valid-fraction must be between 0 and 1 (e.g. 0.33 or 33%), not '${fractionText}'`,
      );
    }
    const validCount = countText === undefined ? undefined : parseWholeNumber(countText);
    if (countText !== undefined && validCount === undefined) {
      throw new UsageError(`--valid-count must be a whole number ≥ 1, not '${countText}'`);
    }
    const limit = (name: string, fallback: number) => {
      const t = values[name] as string | undefined;
      if (t === undefined) return fallback;
      const v = parseWholeNumber(t);
      if (v === undefined) throw new UsageError(`--${name} must be a whole number ≥ 1, not '${t}'`);
      return v;
    };
    const maxValid = limit('max-valid', PROVIDER_LIMITS.maxValid);
    const maxTrain = limit('max-train', PROVIDER_LIMITS.maxTrain);
    const seed = seedOf(values.seed);
    file = path.resolve(io.cwd, file);
    trainOut = path.resolve(io.cwd, trainOut);
    validOut = path.resolve(io.cwd, validOut);
    outputGuard(file, [trainOut, validOut]);
    await guardArgumentOrder(file, validOut);
    await refuseExistingOutputs(file, [trainOut, validOut], values.force, io.cwd);
    try {
      const report = await splitFile(
        file,
        field,
        { validFraction, validCount, maxValid, maxTrain },
        trainOut,
        validOut,
        {
          seed,
          signal: io.signal,
        },
      );
      printReport(
        io,
        reporter,
        'split',
        {
          ...report,
          file: rel(io.cwd, file),
          trainOut: rel(io.cwd, trainOut),
          validOut: rel(io.cwd, validOut),
        },
        () => splitReportText(report, io.cwd),
      );
      return report.coverage.covered < report.coverage.needed ? EXIT.problems : EXIT.ok;
    } catch (e) {
      return prepFailure('split', e, io);
    }
  },
};

/**
 * `split --out T V data.jsonl` would make V the input and data.jsonl the validation output. A validation file is
 * always smaller than the file it came from, so an existing "validation output" larger than the "input" means the
 * arguments are the wrong way round: refuse instead of overwriting what is probably the dataset.
 */
async function guardArgumentOrder(file: string, validOut: string): Promise<void> {
  const [inp, out] = await Promise.all([
    stat(file).catch(() => undefined),
    stat(validOut).catch(() => undefined),
  ]);
  if (inp && out && out.isFile() && out.size > inp.size) {
    throw new UsageError(
      `${validOut} already exists and is larger than the input ${file}: are the arguments in the right order? ` +
        'The input file comes first: split <file> --field PATH ... --out TRAIN.jsonl VALID.jsonl (or --out TRAIN --out VALID). ' +
        'Delete the validation file first if it really should be replaced.',
    );
  }
}
