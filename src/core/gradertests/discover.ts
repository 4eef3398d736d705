// Finds grader test files: the paths given (files as they are, folders searched), or every
// `*.gradertest.jsonl` under a root, skipping dependency and VCS folders.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GRADER_TEST_SUFFIX } from './parse';

/** Folders never searched: installed packages and version control hold no tests of this project. */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['node_modules', '.git']);

export function isGraderTestFile(file: string): boolean {
  return file.endsWith(GRADER_TEST_SUFFIX);
}

async function walk(dir: string, out: string[], signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return;
  const entries = await fs.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(e.name)) await walk(p, out, signal);
    } else if (e.isFile() && isGraderTestFile(e.name)) out.push(p);
  }
}

/**
 * Absolute paths of the test files named by `paths` (relative to `cwd`), in order and without duplicates.
 * A named file is taken whatever its name; a named folder contributes its `*.gradertest.jsonl` files.
 * A path that does not exist is an error (thrown with the path), so a typo in CI does not pass as "no tests".
 */
export async function findGraderTestFiles(
  paths: readonly string[],
  cwd: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths.length ? paths : ['.']) {
    const abs = path.resolve(cwd, p);
    const st = await fs.stat(abs);
    if (st.isDirectory()) await walk(abs, out, signal);
    else out.push(abs);
  }
  return [...new Set(out)];
}
