// What the data-prep commands (`map`, `sample`, `split`) share: the input and output paths, the --field, --seed
// and --reporter options with their usage errors, the exit codes of prep failures, and the text or JSON report.
import * as path from 'node:path';
import type { CliIO } from './command';
import { EXIT, UsageError } from './command';
import { checkInputFile, outputExists } from '../core/io/inputFile';
import { checkOutputPaths, OutputPathError } from '../core/prep/dataset';
import { JsonPathError, parseJsonPath } from '../core/prep/jsonPath';
import { parseSeed } from '../core/prep/prepCli';
import { DEFAULT_SEED } from '../core/prep/prng';
import { PrepInputError, PrepRequestError } from '../core/prep/runPrep';

export const FIELD_PATH_HELP = `Field paths: dotted keys with [n] indices, e.g. reference_answer, item.labels, meta.codes[0];
  [-1] is the last element; ["a.b"] quotes a key that contains dots or brackets.`;

export type PrepReporter = 'text' | 'json';

/** The options every prep command takes: `--field PATH`, `--reporter text|json` and `--force`. */
export const PREP_OPTIONS = {
  field: { type: 'string' },
  reporter: { type: 'string' },
  force: { type: 'boolean' },
} as const;

export const FORCE_HELP = `  --force             overwrite output files that already exist (without it they are refused)`;

/** Refuses outputs that already exist unless `--force` was given; the input itself is checked first. */
export async function refuseExistingOutputs(
  input: string,
  outs: readonly string[],
  force: unknown,
  cwd: string,
): Promise<void> {
  await checkInputFile(input);
  if (force === true) return;
  for (const o of outs)
    if (await outputExists(o))
      throw new UsageError(`${rel(cwd, o)} already exists: give --force to overwrite it`);
}

/**
 * `<file> --field PATH [--reporter text|json]`, checked in that order, for the commands whose one positional
 * argument is the input file (`split` finds its input among its outputs). The file is resolved against `cwd`.
 */
export function prepArgsOf(values: Record<string, unknown>, positionals: readonly string[], cwd: string) {
  if (positionals.length !== 1) throw new UsageError('give exactly one input file');
  const file = path.resolve(cwd, positionals[0]);
  const reporter = reporterOf(values.reporter);
  const field = fieldOf(values.field);
  return { file, reporter, field };
}

/** `--out FILE`: the one output file, resolved against the working directory. */
export function outputPathOf(value: unknown, cwd: string): string {
  if (typeof value !== 'string') throw new UsageError('--out FILE is required');
  return path.resolve(cwd, value);
}

/** Refuses, as a usage error, outputs that would overwrite the input or each other. */
export function outputGuard(file: string, outs: string[]): void {
  try {
    checkOutputPaths(file, outs);
  } catch (e) {
    if (e instanceof OutputPathError) throw new UsageError(e.message);
    throw e;
  }
}

export function reporterOf(value: unknown): PrepReporter {
  const r = (value as string | undefined) ?? 'text';
  if (r !== 'text' && r !== 'json') throw new UsageError(`unknown reporter '${r}' (use text or json)`);
  return r;
}

export function fieldOf(value: unknown) {
  if (typeof value !== 'string') throw new UsageError('--field PATH is required');
  try {
    return parseJsonPath(value);
  } catch (e) {
    if (e instanceof JsonPathError) throw new UsageError(e.message);
    throw e;
  }
}

export function seedOf(value: unknown): string {
  if (value === undefined) return DEFAULT_SEED;
  const s = parseSeed(String(value));
  if (!s) throw new UsageError('--seed must be a non-empty number or word');
  return s;
}

/**
 * Prints a report: the text for people, or for `--reporter json` the report under the command's name
 * (`{"sample": {...}}`), whose paths the caller has already made relative with `rel`.
 */
export function printReport(
  io: CliIO,
  reporter: PrepReporter,
  command: string,
  jsonReport: object,
  text: () => string,
): void {
  io.stdout(reporter === 'json' ? `${JSON.stringify({ [command]: jsonReport }, null, 2)}\n` : text());
}

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

/** `p` relative to the working directory when it lies below it, else as it is. */
export function rel(cwd: string, p: string): string {
  const r = path.relative(cwd, p);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : p;
}
