// A run folder under `.rft/evals/` (layout on EvalRunManifest in types.ts): creating a new one without ever
// overwriting, finding the newest unfinished run of a spec to resume, reading back its finished rows (dropping a
// line torn by a kill), and appending result rows as they finish.
import { randomUUID } from 'node:crypto';
import { open, mkdir, readFile, readdir, rename, stat, truncate, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { readJsonlLines } from '../datasets/jsonlReader';
import { canonicalJson } from '../json/canonicalJson';
import type { ResolvedEvalSpec } from './spec';
import type { EvalResultRow, EvalRunManifest, EvalSpecFile } from './types';

export const RUN_FILES = {
  manifest: 'run.json',
  spec: 'spec.json',
  results: 'results.jsonl',
  summary: 'summary.json',
  summaryMd: 'summary.md',
} as const;

export function evalsDir(root: string): string {
  return path.join(root, '.rft', 'evals');
}

/** `countdown` + 2026-12-04T05:01:02Z → `countdown-20261204-050102`. */
export function runFolderName(name: string, at: Date): string {
  const safe =
    name
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+|-+$/g, '')
      .slice(0, 80) || 'eval';
  const iso = at.toISOString();
  return `${safe}-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  // A name of its own per write: two writes at once never rename each other's temp file.
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, file);
}

export async function writeManifest(dir: string, manifest: EvalRunManifest): Promise<void> {
  await writeJsonAtomic(path.join(dir, RUN_FILES.manifest), manifest);
}

export async function readManifest(dir: string): Promise<EvalRunManifest | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, RUN_FILES.manifest), 'utf8')) as EvalRunManifest;
  } catch {
    return undefined;
  }
}

/** Makes a new folder (`-2`, `-3`… when the second is taken); never reuses an existing one. */
export async function createRunFolder(
  root: string,
  spec: ResolvedEvalSpec,
  manifest: EvalRunManifest,
  at: Date,
): Promise<string> {
  const parent = evalsDir(root);
  await mkdir(parent, { recursive: true });
  const base = runFolderName(spec.name, at);
  for (let n = 1; ; n++) {
    const dir = path.join(parent, n === 1 ? base : `${base}-${n}`);
    try {
      await mkdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    await writeJsonAtomic(path.join(dir, RUN_FILES.spec), spec.resolved);
    await writeFile(path.join(dir, RUN_FILES.results), '');
    await writeManifest(dir, manifest);
    return dir;
  }
}

function sameHashes(a: EvalRunManifest['hashes'], b: EvalRunManifest['hashes']): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * The newest run of this spec (same name and spec file) that did not complete and whose spec.json and hashes
 * match what the spec resolves to now: the run to resume.
 */
export async function findResumableRun(
  root: string,
  spec: ResolvedEvalSpec,
  specPath: string,
): Promise<string | undefined> {
  const parent = evalsDir(root);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return undefined;
  }
  const candidates: Array<{ dir: string; manifest: EvalRunManifest }> = [];
  for (const name of names) {
    const dir = path.join(parent, name);
    const manifest = await readManifest(dir);
    if (manifest && manifest.name === spec.name && manifest.spec_path === specPath)
      candidates.push({ dir, manifest });
  }
  candidates.sort((a, b) =>
    a.manifest.created < b.manifest.created
      ? 1
      : a.manifest.created > b.manifest.created
        ? -1
        : b.dir.localeCompare(a.dir),
  );
  const newest = candidates[0];
  if (!newest || newest.manifest.status === 'completed' || !sameHashes(newest.manifest.hashes, spec.hashes))
    return undefined;
  try {
    const written = JSON.parse(await readFile(path.join(newest.dir, RUN_FILES.spec), 'utf8')) as EvalSpecFile;
    if (canonicalJson(written) !== canonicalJson(spec.resolved)) return undefined;
  } catch {
    return undefined;
  }
  return newest.dir;
}

/** `candidate item sample`: the identity of one results row. */
export function rowId(candidate: string, item: number, sample: number): string {
  return `${candidate}\u0000${item}\u0000${sample}`;
}

/**
 * The rows a killed or cancelled run already wrote. A last line without its newline (torn by a kill) is cut off
 * the file, so the rows appended next start on a line of their own.
 */
export async function readFinishedRows(
  dir: string,
  onRow?: (row: EvalResultRow) => void,
): Promise<Set<string>> {
  const file = path.join(dir, RUN_FILES.results);
  const size = (await stat(file)).size;
  let good = 0;
  const done = new Set<string>();
  for await (const l of readJsonlLines(file)) {
    const end = l.byteOffset + l.byteLength + (l.crlf ? 2 : 1);
    // A line that reaches the end of the file without its newline was cut by a kill.
    if (end > size || !l.text.trim()) break;
    let row: EvalResultRow;
    try {
      row = JSON.parse(l.text) as EvalResultRow;
    } catch {
      break;
    }
    good = end;
    done.add(rowId(row.candidate, row.item, row.sample));
    onRow?.(row);
  }
  if (good < size) await truncate(file, good);
  return done;
}

/** Appends rows in order, one write per row, so a kill loses at most the line being written. */
export class ResultsWriter {
  private chain: Promise<void> = Promise.resolve();

  private constructor(private readonly fh: FileHandle) {}

  static async open(dir: string): Promise<ResultsWriter> {
    return new ResultsWriter(await open(path.join(dir, RUN_FILES.results), 'a'));
  }

  append(row: EvalResultRow): Promise<void> {
    const line = `${JSON.stringify(row)}\n`;
    this.chain = this.chain.then(() => this.fh.appendFile(line));
    return this.chain;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.fh.close();
  }
}
