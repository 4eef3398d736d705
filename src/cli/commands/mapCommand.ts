// `rft-studio map`: replaces codes by names in one field of a JSONL file, writing a new file.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { CliCommand } from '../command';
import { EXIT, UsageError } from '../command';
import { checkOutputPaths, OutputPathError } from '../../core/prep/dataset';
import { JsonPathError, parseJsonPath } from '../../core/prep/jsonPath';
import { mapCodesInFile } from '../../core/prep/mapCodes';
import { MappingError, parseMapping } from '../../core/prep/mapping';
import { mapReportText } from '../../core/prep/report';

export const FIELD_PATH_HELP = `Field paths: dotted keys with [n] indices, e.g. reference_answer, item.labels, meta.codes[0];
  [-1] is the last element; ["a.b"] quotes a key that contains dots or brackets.`;

const USAGE = `Usage: rft-studio map <file> --field PATH --mapping MAP.json|MAP.csv --out OUT.jsonl [--reporter text|json]

Replaces the codes in one field (a string, a number, or an array of them) by the names in a mapping file and
writes the result to a new file. Every other byte of every line is kept as it is. Codes the mapping does not
know are left unchanged and listed with their lines.

Options:
  --field PATH        the field that holds the codes
  --mapping FILE      JSON ({"code": "name", ...} or [{"code", "name"}, ...]) or CSV (code,name per row,
                      optional header row; RFC 4180 quoting, e.g. 56,"agriculture, forestry and fisheries")
  --out FILE          the output file (never the input)
  --reporter NAME     text (default) or json

${FIELD_PATH_HELP}

Exit codes: 0 every code mapped; 1 unknown codes or lines without the field (the output is still written,
with those values unchanged); 2 usage or I/O error.
`;

export function reporterOf(value: unknown): 'text' | 'json' {
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

export const mapCommand: CliCommand = {
  name: 'map',
  summary: 'replace codes by names in a field (new file)',
  usage: USAGE,
  allowPositionals: true,
  options: {
    field: { type: 'string' },
    mapping: { type: 'string' },
    out: { type: 'string' },
    reporter: { type: 'string' },
  },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError('give exactly one input file');
    const reporter = reporterOf(values.reporter);
    const field = fieldOf(values.field);
    if (typeof values.mapping !== 'string') throw new UsageError('--mapping FILE is required');
    if (typeof values.out !== 'string') throw new UsageError('--out FILE is required');
    const file = path.resolve(io.cwd, positionals[0]);
    const out = path.resolve(io.cwd, values.out);
    const mappingPath = path.resolve(io.cwd, values.mapping);
    try {
      checkOutputPaths(file, [out]);
      if (mappingPath === out)
        throw new OutputPathError('the output is the mapping file; choose another output path');
    } catch (e) {
      if (e instanceof OutputPathError) throw new UsageError(e.message);
      throw e;
    }
    let mapping;
    try {
      mapping = parseMapping(await readFile(mappingPath, 'utf8'), rel(io.cwd, mappingPath));
    } catch (e) {
      if (e instanceof MappingError) {
        io.stderr(`rft-studio map: ${e.message}\n`);
        return EXIT.usage;
      }
      throw e;
    }
    const report = await mapCodesInFile(file, field, mapping, out, { signal: io.signal });
    if (reporter === 'json')
      io.stdout(
        `${JSON.stringify({ map: { ...report, file: rel(io.cwd, file), out: rel(io.cwd, out), mapping: mapping.source } }, null, 2)}\n`,
      );
    else io.stdout(mapReportText(report, io.cwd));
    return report.unknown.length || report.problems.length ? EXIT.problems : EXIT.ok;
  },
};

export function rel(cwd: string, p: string): string {
  const r = path.relative(cwd, p);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : p;
}
