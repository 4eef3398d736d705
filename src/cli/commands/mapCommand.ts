// `rft-studio map`: replaces codes by names in one field of a JSONL file, writing a new file.
import * as path from 'node:path';
import type { CliCommand } from '../command';
import { EXIT, UsageError } from '../command';
import { readInputText } from '../../core/io/inputFile';
import { mapCodesInFile } from '../../core/prep/mapCodes';
import { MappingError, parseMapping } from '../../core/prep/mapping';
import { mapReportText } from '../../core/prep/report';
import {
  FIELD_PATH_HELP,
  FORCE_HELP,
  refuseExistingOutputs,
  outputGuard,
  outputPathOf,
  PREP_OPTIONS,
  prepFailure,
  prepArgsOf,
  printReport,
  rel,
} from '../prepOptions';

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
${FORCE_HELP}

${FIELD_PATH_HELP}

Exit codes: 0 every code mapped; 1 unknown codes or lines without the field (the output is still written,
with those values unchanged), or a line that is not UTF-8 (nothing written); 2 usage or I/O error, or an
output that exists without --force.
`;

export const mapCommand: CliCommand = {
  name: 'map',
  summary: 'replace codes by names in a field (new file)',
  usage: USAGE,
  allowPositionals: true,
  options: { ...PREP_OPTIONS, mapping: { type: 'string' }, out: { type: 'string' } },
  async run({ values, positionals }, io) {
    const { file, reporter, field } = prepArgsOf(values, positionals, io.cwd);
    if (typeof values.mapping !== 'string') throw new UsageError('--mapping FILE is required');
    const out = outputPathOf(values.out, io.cwd);
    const mappingPath = path.resolve(io.cwd, values.mapping);
    outputGuard(file, [out]);
    if (mappingPath === out)
      throw new UsageError('the output is the mapping file; choose another output path');
    await refuseExistingOutputs(file, [out], values.force, io.cwd);
    let mapping;
    try {
      mapping = parseMapping(await readInputText(mappingPath, '--mapping'), rel(io.cwd, mappingPath));
    } catch (e) {
      if (e instanceof MappingError) {
        io.stderr(`rft-studio map: ${e.message}\n`);
        return EXIT.usage;
      }
      throw e;
    }
    let report;
    try {
      report = await mapCodesInFile(file, field, mapping, out, { signal: io.signal });
    } catch (e) {
      return prepFailure('map', e, io);
    }
    printReport(
      io,
      reporter,
      'map',
      { ...report, file: rel(io.cwd, file), out: rel(io.cwd, out), mapping: mapping.source },
      () => mapReportText(report, io.cwd),
    );
    return report.unknown.length || report.problems.length ? EXIT.problems : EXIT.ok;
  },
};
