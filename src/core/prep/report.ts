// Renders the map / sample / split reports as aligned text (CLI), Markdown (editor report) and plain rows.
import * as path from 'node:path';
import type { MapReport } from './mapCodes';
import type { SampleReport, SplitReport } from './runPrep';

const int = (n: number) => n.toLocaleString('en-US');
const pct = (n: number) => n.toFixed(1);

function rel(cwd: string | undefined, p: string): string {
  if (!cwd) return p;
  const r = path.relative(cwd, p);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : p;
}

/** Aligned columns: the first `leftColumns` columns left-aligned, the others right-aligned. */
export function textTable(header: string[], rows: string[][], leftColumns = 1): string[] {
  const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i < leftColumns ? c.padEnd(width[i]) : c.padStart(width[i])))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}

function lineList(lines: readonly number[], max = 20): string {
  const shown = lines.slice(0, max).join(', ');
  return lines.length > max ? `${shown}, … (${lines.length - max} more)` : shown;
}

export function mapReportText(r: MapReport, cwd?: string): string {
  const out: string[] = [];
  const replaced = r.codes.reduce((s, c) => s + c.count, 0);
  out.push(`Map codes to names in ${rel(cwd, r.file)}, field ${r.field}, mapping ${rel(cwd, r.mapping)}`);
  out.push(
    `${int(r.lines)} line(s), ${int(r.changedLines)} changed; ${int(replaced)} code(s) replaced (${r.codes.length} distinct)` +
      (r.alreadyNames ? `; ${int(r.alreadyNames)} value(s) were already names` : ''),
  );
  if (r.codes.length) {
    out.push('');
    out.push(
      ...textTable(
        ['code', 'name', 'count'],
        r.codes.map((c) => [c.code, c.name, int(c.count)]),
        2,
      ),
    );
  }
  if (r.unknown.length) {
    out.push('');
    out.push(`Unknown codes (not in the mapping, left unchanged): ${r.unknown.length}`);
    for (const u of r.unknown)
      out.push(`  ${JSON.stringify(u.code)} ×${u.count} on line(s) ${lineList(u.lines)}`);
  }
  if (r.problems.length) {
    out.push('');
    out.push(`Lines left unchanged: ${r.problems.length}`);
    for (const p of r.problems.slice(0, 20)) out.push(`  line ${p.line}: ${p.message}`);
    if (r.problems.length > 20) out.push(`  … and ${r.problems.length - 20} more`);
  }
  out.push('');
  out.push(r.written ? `Wrote ${rel(cwd, r.out)}.` : `Nothing written (would write ${rel(cwd, r.out)}).`);
  return `${out.join('\n')}\n`;
}

export function sampleReportText(r: SampleReport, cwd?: string): string {
  const out: string[] = [];
  out.push(
    `Balanced sample of ${rel(cwd, r.file)} on ${r.field} (seed ${r.seed}): ${int(r.selected)} of ${int(r.examples)} examples`,
  );
  out.push('');
  out.push(
    ...textTable(
      ['label', 'before', 'before %', 'after', 'after %'],
      r.labels.map((l) => [
        l.label,
        int(l.before),
        pct((100 * l.before) / r.examples),
        int(l.after),
        pct(r.selected ? (100 * l.after) / r.selected : 0),
      ]),
    ),
  );
  if (r.unlabelled.before.count) {
    out.push(
      `(no label)  ${int(r.unlabelled.before.count)} → ${int(r.unlabelled.after)}  lines ${lineList(r.unlabelled.before.lines)}`,
    );
  }
  out.push('');
  const present = r.labels.length - r.missingLabels.length;
  out.push(
    r.missingLabels.length
      ? `${present} of ${r.labels.length} labels are in the sample; missing: ${r.missingLabels.join(', ')} (the sample is smaller than the number of labels it would need).`
      : `Every label is in the sample (${present}/${r.labels.length}).`,
  );
  const min = r.labels.reduce((m, l) => Math.min(m, l.after), Infinity);
  const max = r.labels.reduce((m, l) => Math.max(m, l.after), 0);
  if (r.labels.length)
    out.push(
      `Examples per label in the sample: ${int(min)} to ${int(max)} (before: ${int(r.labels[r.labels.length - 1].before)} to ${int(r.labels[0].before)}).`,
    );
  if (r.duplicatesPicked)
    out.push(`${r.duplicatesPicked} pick(s) repeat an exact duplicate: too few distinct examples.`);
  out.push(
    r.written
      ? `Wrote ${rel(cwd, r.out)} (${int(r.selected)} examples).`
      : `Nothing written (would write ${rel(cwd, r.out)}).`,
  );
  return `${out.join('\n')}\n`;
}

export function splitCoverageLine(r: SplitReport): string {
  const { needed, covered } = r.coverage;
  return covered === needed
    ? `Coverage: every label with ≥2 examples is in both files (${covered}/${needed}).`
    : `Coverage: ${covered} of ${needed} labels with ≥2 examples are in both files; see the warnings.`;
}

export function splitReportText(r: SplitReport, cwd?: string): string {
  const out: string[] = [];
  out.push(
    `Stratified split of ${rel(cwd, r.file)} on ${r.field} (seed ${r.seed}): ${int(r.examples)} examples → ` +
      `${int(r.train)} training + ${int(r.valid)} validation`,
  );
  out.push('');
  out.push(
    ...textTable(
      ['label', 'total', 'train', 'valid', 'train %', 'valid %', ''],
      r.labels.map((l) => [
        l.label,
        int(l.total),
        int(l.train),
        int(l.valid),
        pct(l.trainShare),
        pct(l.validShare),
        l.covered ? (l.total < 2 ? '1 example' : '') : 'NOT IN BOTH',
      ]),
    ),
  );
  if (r.unlabelled.total.count) {
    out.push(
      `(no label)  ${int(r.unlabelled.total.count)} → ${int(r.unlabelled.train)} train, ${int(r.unlabelled.valid)} valid`,
    );
  }
  out.push('');
  out.push(splitCoverageLine(r));
  if (r.maxShareDiff) {
    out.push(
      `Largest share difference between the files: ${pct(r.maxShareDiff.points)} percentage points (${r.maxShareDiff.label}).`,
    );
  }
  if (r.duplicateGroups) {
    out.push(
      `Exact duplicates: ${r.duplicateGroups} group(s), ${r.exactDuplicateLines} lines; each group is kept in one file.`,
    );
  }
  for (const w of r.warnings) out.push(`warning: ${w}`);
  out.push(
    r.written
      ? `Wrote ${rel(cwd, r.trainOut)} (${int(r.train)}) and ${rel(cwd, r.validOut)} (${int(r.valid)}).`
      : `Nothing written (would write ${rel(cwd, r.trainOut)} and ${rel(cwd, r.validOut)}).`,
  );
  return `${out.join('\n')}\n`;
}

function mdEscape(s: string): string {
  return s.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`);
}

export function splitReportMarkdown(r: SplitReport, cwd?: string): string {
  const out: string[] = [];
  out.push(`# Split of ${mdEscape(rel(cwd, r.file))}`);
  out.push('');
  out.push(
    `Field \`${r.field}\`, seed \`${r.seed}\`: ${int(r.examples)} examples → **${int(r.train)}** training ` +
      `(${mdEscape(rel(cwd, r.trainOut))}) + **${int(r.valid)}** validation (${mdEscape(rel(cwd, r.validOut))}).`,
  );
  out.push('');
  out.push(
    `${splitCoverageLine(r)}${r.maxShareDiff ? ` Largest share difference: ${pct(r.maxShareDiff.points)} points (${mdEscape(r.maxShareDiff.label)}).` : ''}`,
  );
  out.push('');
  out.push('| label | total | train | valid | train % | valid % | |');
  out.push('|---|---:|---:|---:|---:|---:|---|');
  for (const l of r.labels) {
    out.push(
      `| ${mdEscape(l.label)} | ${int(l.total)} | ${int(l.train)} | ${int(l.valid)} | ${pct(l.trainShare)} | ${pct(l.validShare)} | ${l.covered ? (l.total < 2 ? '1 example' : '✓') : '⚠ not in both'} |`,
    );
  }
  if (r.warnings.length) {
    out.push('');
    for (const w of r.warnings) out.push(`- ⚠ ${mdEscape(w)}`);
  }
  return `${out.join('\n')}\n`;
}

export function sampleReportMarkdown(r: SampleReport, cwd?: string): string {
  const out: string[] = [];
  out.push(`# Balanced sample of ${mdEscape(rel(cwd, r.file))}`);
  out.push('');
  out.push(
    `Field \`${r.field}\`, seed \`${r.seed}\`: **${int(r.selected)}** of ${int(r.examples)} examples → ${mdEscape(rel(cwd, r.out))}.`,
  );
  out.push('');
  out.push('| label | before | before % | after | after % |');
  out.push('|---|---:|---:|---:|---:|');
  for (const l of r.labels) {
    out.push(
      `| ${mdEscape(l.label)} | ${int(l.before)} | ${pct((100 * l.before) / r.examples)} | ${int(l.after)} | ${pct(r.selected ? (100 * l.after) / r.selected : 0)} |`,
    );
  }
  return `${out.join('\n')}\n`;
}

export function mapReportMarkdown(r: MapReport, cwd?: string): string {
  const out: string[] = [];
  out.push(`# Codes to names: ${mdEscape(rel(cwd, r.file))}`);
  out.push('');
  out.push(
    `Field \`${r.field}\`, mapping ${mdEscape(rel(cwd, r.mapping))} → ${mdEscape(rel(cwd, r.out))}: ${int(r.changedLines)} of ${int(r.lines)} lines changed.`,
  );
  out.push('');
  out.push('| code | name | count |');
  out.push('|---|---|---:|');
  for (const c of r.codes) out.push(`| ${mdEscape(c.code)} | ${mdEscape(c.name)} | ${int(c.count)} |`);
  if (r.unknown.length) {
    out.push('');
    out.push('## Unknown codes (left unchanged)');
    for (const u of r.unknown)
      out.push(`- \`${JSON.stringify(u.code)}\` ×${u.count}: line(s) ${lineList(u.lines)}`);
  }
  if (r.problems.length) {
    out.push('');
    out.push('## Lines left unchanged');
    for (const p of r.problems.slice(0, 50)) out.push(`- line ${p.line}: ${mdEscape(p.message)}`);
  }
  return `${out.join('\n')}\n`;
}
