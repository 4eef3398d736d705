// The python worker script: embedded into the bundles at build time (esbuild `define` of
// __RFT_PY_WORKER__ in esbuild.js), read from this folder when running from source (tests, tsx).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

declare const __RFT_PY_WORKER__: string | undefined;

let cached: string | undefined;

export function pythonWorkerSource(): string {
  if (cached === undefined) {
    cached =
      typeof __RFT_PY_WORKER__ === 'string'
        ? __RFT_PY_WORKER__
        : readFileSync(join(__dirname, 'worker.py'), 'utf8');
  }
  return cached;
}
