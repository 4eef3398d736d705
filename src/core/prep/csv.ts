// A small RFC 4180 CSV reader for mapping files: comma-separated, fields optionally in double quotes with ""
// for a quote, quoted fields may hold commas and line breaks, CRLF or LF records, an optional UTF-8 BOM.

export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  constructor(
    message: string,
    /** 1-based line. */
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** Parses CSV text into records. Empty lines are skipped; a final line break is optional. */
export function parseCsv(text: string): CsvRecord[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false; // the current field was quoted and its closing quote has been read
  let empty = true; // nothing of the current record has been read yet
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endField = () => {
    fields.push(field);
    field = '';
    quoted = false;
  };
  const endRecord = () => {
    if (!empty) {
      endField();
      records.push({ line: recordLine, fields });
    }
    fields = [];
    field = '';
    quoted = false;
    empty = true;
  };
  while (i < src.length) {
    const ch = src[i];
    if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && src[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    if (ch === ',') {
      endField();
      empty = false;
      i++;
      continue;
    }
    if (quoted)
      throw new CsvError(
        `unexpected '${ch}' after a closing quote (write "" for a quote inside a quoted field)`,
        line,
      );
    if (ch === '"') {
      if (field !== '')
        throw new CsvError(
          'a quote inside an unquoted field (quote the whole field and write "" for a quote)',
          line,
        );
      const startLine = line;
      empty = false;
      i++;
      for (;;) {
        if (i >= src.length) throw new CsvError('unterminated quoted field', startLine);
        const c = src[i];
        if (c === '"') {
          if (src[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n' || (c === '\r' && src[i + 1] !== '\n')) line++;
        field += c;
        i++;
      }
      quoted = true;
      continue;
    }
    field += ch;
    empty = false;
    i++;
  }
  endRecord();
  return records;
}
