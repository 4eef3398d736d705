// What a `*.rftjob.json` says about the grader file it names: the training and validation files the grader
// will grade and the job's response format, so a grader can be linted in the context of its job.
import * as path from 'node:path';
import { parse } from 'jsonc-parser';

export interface GraderJobContext {
  /** Absolute path of the job spec. */
  specPath: string;
  /** Absolute paths of the files the job trains and validates on (when the spec names them). */
  datasets: string[];
  /** The response format: inline (any shape lint accepts), a file to read, or `null`: the job sets none. */
  responseFormat: { inline: Record<string, unknown> } | { file: string } | null;
}

/**
 * The job context of `graderPath` from one job spec's text, or undefined when the spec does not name that
 * grader file. Tolerant of a spec being edited: whatever parses is used.
 */
export function graderJobContext(
  specText: string,
  specPath: string,
  graderPath: string,
): GraderJobContext | undefined {
  const spec = parse(specText.replace(/^\uFEFF/, ''), [], { allowTrailingComma: true }) as unknown;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return undefined;
  const o = spec as Record<string, unknown>;
  const dir = path.dirname(path.resolve(specPath));
  const abs = (p: string) => path.resolve(dir, p.trim());
  if (typeof o.grader !== 'string' || !o.grader.trim()) return undefined;
  if (!samePath(abs(o.grader), graderPath)) return undefined;
  const datasets = (['training_file', 'validation_file'] as const)
    .map((k) => o[k])
    .filter((v): v is string => typeof v === 'string' && v.trim() !== '')
    .map(abs);
  const rf = o.response_format;
  const responseFormat =
    typeof rf === 'string' && rf.trim()
      ? { file: abs(rf) }
      : rf && typeof rf === 'object' && !Array.isArray(rf)
        ? { inline: rf as Record<string, unknown> }
        : null;
  return { specPath: path.resolve(specPath), datasets: [...new Set(datasets)], responseFormat };
}

function samePath(a: string, b: string): boolean {
  const norm = (p: string) => path.resolve(p);
  // Windows and macOS file systems are usually case-insensitive; a spec written by hand may differ in case.
  return process.platform === 'linux' ? norm(a) === norm(b) : norm(a).toLowerCase() === norm(b).toLowerCase();
}
