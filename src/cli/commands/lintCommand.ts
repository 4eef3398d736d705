// `rft-studio lint`: grader files → diagnostics (schema, rules, formulas, python source, templates), with
// cross-file checks against datasets (--data, repeatable: a job's training and validation files are also
// compared with each other) and a response format (--response-format).
import * as path from 'node:path';
import type { CliCommand, CliIO } from '../command';
import { UsageError } from '../command';
import {
  DIAGNOSTICS_REPORTERS,
  exitCodeFor,
  renderDiagnostics,
  type DiagnosticsReporterName,
  type FileReport,
} from '../reporters/diagnosticsReporter';
import { checkInputFile, readInputText } from '../../core/io/inputFile';
import { datasetFieldsFromItems } from '../../core/graders/datasetFields';
import { readDataItems } from '../../core/graders/gradeInputs';
import { GRADER_LINT_RULES, lintGraderText, type DatasetItemFields } from '../../core/graders/lint';

declare const __VERSION__: string | undefined;

export const lintCommand: CliCommand = {
  name: 'lint',
  summary: 'check grader files: schema, formulas, python source, templates, and against a dataset',
  usage: `Usage: rft-studio lint <grader.json…> [--data D.jsonl]… [--response-format RF.json] [--reporter text|json|sarif]

Checks each grader: JSON and schema, grader types allowed where they are, string_check operations,
passing_labels ⊆ labels, calculate_output (syntax and variables = grader keys), python source (< 256 kB, a
two-argument grade), grader model rules (allow-list, temperature / reasoning_effort), cosine not for RFT,
and every {{ template }}.

  --data FILE             dataset the grader will grade: every {{ item.x }} must exist on every line (count and
                          first lines where missing) with one type throughout. Give --data twice (training and
                          validation file) to also check that each field has the same type in both files
  --response-format FILE  the job's response_format (or its JSON schema): sample.output_json.* keys are checked
                          against it; without one, output_json is reported as unavailable when --data is given
  --reporter R            text (default), json or sarif

Exit codes: 0 no errors, 1 errors found, 2 usage or I/O error.
`,
  allowPositionals: true,
  options: {
    data: { type: 'string', multiple: true },
    'response-format': { type: 'string' },
    reporter: { type: 'string' },
  },
  async run({ values, positionals }, io: CliIO): Promise<number> {
    const v = values as Record<string, string | undefined> & { data?: string[] };
    const reporter = (v.reporter ?? 'text') as DiagnosticsReporterName;
    if (!DIAGNOSTICS_REPORTERS.includes(reporter))
      throw new UsageError(`--reporter must be one of ${DIAGNOSTICS_REPORTERS.join(', ')}`);
    if (!positionals.length) throw new UsageError('give at least one grader file');
    const abs = (p: string) => path.resolve(io.cwd, p);
    const dataFiles = v.data ?? [];
    // Every input is checked before any is read: a folder, a FIFO or a missing file fails fast and plainly.
    for (const p of positionals) await checkInputFile(abs(p));
    for (const d of dataFiles) await checkInputFile(abs(d), '--data');
    if (v['response-format']) await checkInputFile(abs(v['response-format']), '--response-format');
    const datasets: DatasetItemFields[] = [];
    for (const d of dataFiles) {
      const dataPath = abs(d);
      const { items, problems } = await readDataItems(dataPath, io.signal);
      for (const p of problems)
        io.stderr(`${path.relative(io.cwd, p.file) || p.file}:${p.line}: ${p.message} (line skipped)\n`);
      datasets.push(
        datasetFieldsFromItems(
          items.map((i) => i.item),
          { source: dataPath, lineNumbers: items.map((i) => i.line) },
        ),
      );
    }
    // One dataset: exactly the single-file checks; several: each file, and the files against each other.
    const dataContext = datasets.length > 1 ? { datasets } : { datasetItems: datasets[0] };
    let responseFormat: unknown;
    if (v['response-format']) {
      const rfText = await readInputText(abs(v['response-format']), '--response-format');
      try {
        responseFormat = JSON.parse(rfText.replace(/^\uFEFF/, '')) as unknown;
      } catch (e) {
        throw new UsageError(
          `response format ${v['response-format']} is not valid JSON: ${(e as Error).message}`,
        );
      }
    } else if (dataFiles.length) {
      responseFormat = null; // linked to a dataset with no response format: output_json will be empty
    }
    const files: FileReport[] = [];
    for (const p of positionals) {
      const file = abs(p);
      const text = await readInputText(file);
      files.push({
        path: file,
        format: 'grader',
        diagnostics: lintGraderText(text, { path: file, ...dataContext, responseFormat }),
      });
    }
    io.stdout(
      renderDiagnostics(reporter, files, {
        cwd: io.cwd,
        toolName: 'rft-studio',
        toolVersion: typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev',
        rules: GRADER_LINT_RULES,
      }),
    );
    return exitCodeFor(files);
  },
};
