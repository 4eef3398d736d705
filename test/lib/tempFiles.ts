// The one temp-file helper of the test suites (unit and in-editor): fresh directories under the OS temp folder,
// removed when the process exits (node:test and mocha alike), or earlier by the caller.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const created = new Set<string>();
let cleanupInstalled = false;

function removeAll(): void {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
  created.clear();
}

/** A new, empty directory; `prefix` names it after the suite, which helps when one is left behind. */
export function tempDir(prefix = 'rft-test-'): string {
  if (!cleanupInstalled) {
    cleanupInstalled = true;
    process.once('exit', removeAll);
  }
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  created.add(dir);
  return dir;
}

/** Removes a directory made by tempDir() now (tests that check what is left in it, or run many). */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  created.delete(dir);
}

let shared: string | undefined;
let n = 0;

/** Writes `content` to a new file named `name` in a directory of its own, and returns the file's path. */
export function tempFile(content: string | Uint8Array, name = 'data.jsonl'): string {
  shared ??= tempDir('rft-files-');
  const dir = path.join(shared, String(n++));
  mkdirSync(dir);
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}
