// Exports Grader Lab results as JSONL (one graded sample per line) and CSV (RFC 4180 quoting).

export interface ExportRow {
  grader: string;
  line: number;
  itemKey: string;
  sample: string;
  reward: number;
  subRewards: Record<string, number>;
  errors: string[];
  traceback?: string | null;
}

export function toJsonl(rows: readonly ExportRow[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

/** One RFC 4180 field: quoted when it holds a quote, comma or line break, or starts or ends with a space. */
export function csvCell(v: unknown): string {
  const s =
    v === undefined || v === null
      ? ''
      : typeof v === 'string'
        ? v
        : typeof v === 'number'
          ? String(v)
          : JSON.stringify(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: readonly ExportRow[]): string {
  const subKeys = [...new Set(rows.flatMap((r) => Object.keys(r.subRewards)))].sort();
  const header = [
    'grader',
    'line',
    'item',
    'reward',
    ...subKeys.map((k) => `sub_${k}`),
    'errors',
    'sample',
    'traceback',
  ];
  const lines = [header.map(csvCell).join(',')];
  for (const r of rows) {
    lines.push(
      [
        r.grader,
        r.line,
        r.itemKey,
        r.reward,
        ...subKeys.map((k) => r.subRewards[k]),
        r.errors.join(';'),
        r.sample,
        r.traceback ?? '',
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
