// Builds the `rft-studio` binary from source into a temporary folder (the CLI bundle and its dataset check
// worker, laid out as in dist/), so tests can run the real process: exit codes, stderr, time and memory.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../lib/tempFiles';

const root = join(__dirname, '../../..');

/**
 * Returns the path of a freshly built cli.js (workers next to it in workers/); `extra` entries (name → source
 * path) are bundled beside it, e.g. a runner that calls runCli in-process.
 */
export async function buildCliBundle(
  extra: Record<string, string> = {},
): Promise<{ dir: string; cli: string }> {
  const dir = tempDir('rft-cli-bundle-'); // removed when the test process exits
  const common = {
    bundle: true,
    platform: 'node' as const,
    format: 'cjs' as const,
    target: 'node20',
    logLevel: 'silent' as const,
    absWorkingDir: root,
    // As esbuild.js: packages' ESM builds (jsonc-parser's UMD main has requires esbuild cannot follow), and the
    // python grader worker source inlined.
    mainFields: ['module', 'main'],
    define: {
      __RFT_PY_WORKER__: JSON.stringify(
        readFileSync(join(root, 'src/core/graders/python/worker.py'), 'utf8'),
      ),
    },
  };
  await Promise.all([
    build({ ...common, entryPoints: { cli: 'src/cli/main.ts', ...extra }, outdir: dir }),
    build({
      ...common,
      entryPoints: { datasetCheck: 'src/core/datasets/datasetCheck.worker.ts' },
      outdir: join(dir, 'workers'),
    }),
  ]);
  return { dir, cli: join(dir, 'cli.js') };
}
