// Test helpers: validate text both in memory (the editor's model) and streamed from a temp file (the
// CLI), and insist that both give the same report.
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../../../src/core/diagnostics';
import type { DatasetReport, DatasetValidationOptions } from '../../../../src/core/datasets/validate';
import { validateDatasetFile, validateDatasetText } from '../../../../src/core/datasets/validate';
import { tempFile } from '../../../lib/tempFiles';

export { tempFile };

/** The comparable part of a report (fingerprints are typed arrays of implementation-defined layout). */
export function comparable(r: DatasetReport): unknown {
  return { ...r, path: undefined, fingerprints: undefined };
}

/** Validates `text` in memory and from disk; asserts both agree and returns the report. */
export async function both(
  text: string | Buffer,
  opts: DatasetValidationOptions & { name?: string } = {},
): Promise<DatasetReport> {
  const name = opts.name ?? 'data.jsonl';
  const p = tempFile(text, name);
  const fromFile = await validateDatasetFile(p, opts);
  // Tiny reads put chunk boundaries inside lines, CRLFs and the BOM.
  const tinyChunks = await validateDatasetFile(p, { ...opts, chunkBytes: 3 });
  assert.deepEqual(comparable(tinyChunks), comparable(fromFile), 'chunk boundaries changed the report');
  const str = typeof text === 'string' ? text : text.toString('utf8');
  const inMemory = validateDatasetText(str, { ...opts, fileName: p });
  assert.deepEqual(comparable(inMemory), comparable(fromFile), 'in-memory and streaming validation disagree');
  return fromFile;
}

/** `code@line:start-end` (0-based) for compact assertions. */
export function brief(d: Diagnostic): string {
  const r = d.range;
  const end = r.end.line === r.start.line ? `${r.end.character}` : `${r.end.line}:${r.end.character}`;
  return `${d.code}@${r.start.line}:${r.start.character}-${end}`;
}

export function codes(r: DatasetReport): string[] {
  return r.diagnostics.map((d) => d.code);
}

/** Codes emitted by any test in this process (the catalogue test checks every rule was exercised). */
export const emitted = new Set<string>();
export function record(r: DatasetReport): DatasetReport {
  for (const d of r.diagnostics) emitted.add(d.code);
  return r;
}

export const lines = (...ls: unknown[]): string =>
  ls.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';

/** Ten valid RFT examples with a target field. */
export function rftExamples(
  count = 10,
  extra: (i: number) => Record<string, unknown> = () => ({}),
): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    messages: [{ role: 'user', content: `Question ${i}?` }],
    target: i,
    ...extra(i),
  }));
}
