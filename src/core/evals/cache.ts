// The on-disk request cache of evals: `.rft/cache/evals/<2 hex>/<key>.json`, one successful answer per request
// key. Writes go to a temporary file then rename, so a kill never leaves a torn entry; nothing but the
// EvalResponse is stored (no keys, no headers).
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { EvalResponse } from './types';

export class EvalCache {
  private readonly dirs = new Set<string>();

  constructor(readonly dir: string) {}

  static forWorkspace(root: string): EvalCache {
    return new EvalCache(path.join(root, '.rft', 'cache', 'evals'));
  }

  fileOf(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not a request key: ${key}`);
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<EvalResponse | undefined> {
    let text: string;
    try {
      text = await readFile(this.fileOf(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const v = JSON.parse(text) as EvalResponse;
      return typeof v?.output_text === 'string' && v.usage ? v : undefined;
    } catch {
      // A damaged entry is a miss: the request is made again and the entry replaced.
      return undefined;
    }
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async put(key: string, response: EvalResponse): Promise<void> {
    const file = this.fileOf(key);
    const dir = path.dirname(file);
    if (!this.dirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.dirs.add(dir);
    }
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, `${JSON.stringify(response)}\n`);
      await rename(tmp, file);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }
}
