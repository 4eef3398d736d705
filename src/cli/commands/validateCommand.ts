// `rft-studio validate`: checks RFT, SFT and DPO JSONL datasets (streaming, any size) and prints
// compiler-style text, JSON, or SARIF for GitHub code scanning.
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { CliCommand } from '../command';
import { UsageError } from '../command';
import type { FileReport } from '../reporters/diagnosticsReporter';
import { DIAGNOSTICS_REPORTERS, exitCodeFor, renderDiagnostics } from '../reporters/diagnosticsReporter';
import type { DiagnosticsReporterName } from '../reporters/diagnosticsReporter';
import { datasetRuleInfos } from '../../core/datasets/rules';
import type { DatasetReport, DatasetRole, DatasetValidationOptions } from '../../core/datasets/validate';
import { validateDatasetFile, validatePair } from '../../core/datasets/validate';
import { datasetCheckWorkers } from '../checkWorkers';
import { checkInputFile, describeFileError, InputFileError } from '../../core/io/inputFile';
import type { DatasetFormat } from '../../core/datasets/format';

declare const __VERSION__: string | undefined;

const USAGE = `Usage: rft-studio validate <files or folders…> [--format rft|sft|dpo|auto] [--provider openai|azure]
                            [--pair TRAIN VALID] [--model M] [--reporter text|json|sarif] [--max-problems N]

Checks fine-tuning datasets (JSONL) line by line: JSON syntax at the exact column, the line schema of the
format (RFT, SFT or DPO), per-format rules (roles, last message, weights, outputs), duplicates, item fields
that are missing or change type, example limits and provider profiles. Files of any size are streamed.
Folders are searched for *.jsonl files.

Options:
  --format F           rft, sft, dpo, or auto (default: from the file name, else the first 100 examples)
  --provider P         openai (default) or azure (Azure also wants a UTF-8 BOM)
  --pair TRAIN VALID   also check a training and a validation file together: examples in both, and item
                       fields that differ (TRAIN VALID or TRAIN,VALID; both files are validated too)
  --model M            the model to fine-tune: SFT examples longer than its training context are reported
                       (default: the provider profile's default model, named in the message)
  --role R             training or validation for every file (default: from the file name: valid, val,
                       test, eval and dev mean validation)
  --reporter NAME      text (default, path:line:col severity code message), json, or sarif
  --max-problems N     problems shown per rule and file before a summary line (default 1000)

Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage or I/O error.
`;

function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got '${String(v)}'`);
}

async function expand(p: string): Promise<string[]> {
  let st;
  try {
    st = await stat(p);
  } catch (e) {
    throw new InputFileError(p, describeFileError(e, p) ?? `${p} cannot be read`);
  }
  if (!st.isDirectory()) return [p];
  const out: string[] = [];
  for (const e of await readdir(p, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const child = path.join(p, e.name);
    if (e.isDirectory()) out.push(...(await expand(child)));
    else if (e.name.toLowerCase().endsWith('.jsonl')) out.push(child);
  }
  return out.sort();
}

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'check RFT/SFT/DPO datasets (JSONL) for problems',
  usage: USAGE,
  allowPositionals: true,
  options: {
    format: { type: 'string' },
    provider: { type: 'string' },
    pair: { type: 'string' },
    role: { type: 'string' },
    model: { type: 'string' },
    reporter: { type: 'string' },
    'max-problems': { type: 'string' },
  },
  async run({ values, positionals }, io) {
    const reporter = oneOf<DiagnosticsReporterName>(
      'reporter',
      values.reporter,
      DIAGNOSTICS_REPORTERS,
      'text',
    );
    const format = oneOf<DatasetFormat | 'auto'>(
      'format',
      values.format,
      ['rft', 'sft', 'dpo', 'auto'],
      'auto',
    );
    const provider = oneOf('provider', values.provider, ['openai', 'azure'] as const, 'openai');
    const role =
      values.role === undefined
        ? undefined
        : oneOf<DatasetRole>('role', values.role, ['training', 'validation'], 'training');
    let maxPerRule: number | undefined;
    if (values['max-problems'] !== undefined) {
      maxPerRule = Number(values['max-problems']);
      if (!Number.isInteger(maxPerRule) || maxPerRule < 1)
        throw new UsageError('--max-problems must be a whole number ≥ 1');
    }
    const files = [...positionals];
    let pair: [string, string] | undefined;
    if (typeof values.pair === 'string') {
      if (values.pair.includes(',')) {
        const [t, v, ...rest] = values.pair.split(',');
        if (!t || !v || rest.length)
          throw new UsageError('--pair takes two files: TRAIN VALID or TRAIN,VALID');
        pair = [t, v];
      } else {
        const v = files.shift();
        if (!v) throw new UsageError('--pair takes two files: TRAIN VALID');
        pair = [values.pair, v];
      }
    }
    if (!files.length && !pair) throw new UsageError('give at least one file or folder to validate');
    const resolve = (p: string) => path.resolve(io.cwd, p);
    const targets: { file: string; role?: DatasetRole }[] = [];
    if (pair)
      targets.push(
        { file: resolve(pair[0]), role: 'training' },
        { file: resolve(pair[1]), role: 'validation' },
      );
    for (const f of files)
      for (const x of await expand(resolve(f)))
        if (!targets.some((t) => t.file === x)) targets.push({ file: x, role });
    if (!targets.length) throw new UsageError('no .jsonl files found');
    for (const t of targets) await checkInputFile(t.file);
    const reports: DatasetReport[] = [];
    for (const t of targets) {
      const opts: DatasetValidationOptions = {
        format,
        provider,
        model: typeof values.model === 'string' ? values.model : undefined,
        role: t.role,
        signal: io.signal,
        maxPerRule,
        parallel: datasetCheckWorkers(),
      };
      reports.push(await validateDatasetFile(t.file, opts));
    }
    if (pair) {
      const extra = validatePair(reports[0], reports[1], {
        trainingPath: path.relative(io.cwd, targets[0].file) || targets[0].file,
      });
      reports[1].diagnostics.push(...extra);
    }
    const fileReports: FileReport[] = reports.map((r, i) => ({
      path: targets[i].file,
      format: r.format,
      examples: r.examples,
      diagnostics: r.diagnostics,
    }));
    io.stdout(
      renderDiagnostics(reporter, fileReports, {
        cwd: io.cwd,
        toolName: 'rft-studio',
        toolVersion: typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev',
        rules: datasetRuleInfos(),
      }),
    );
    return exitCodeFor(fileReports);
  },
};
