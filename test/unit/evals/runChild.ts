// A runEval in a process of its own, for the tests and the bench that kill a run mid-way:
// `node --import tsx runChild.ts SPEC ROOT BASE_URL`. Prints one JSON line when the run ends.
import OpenAI from 'openai';
import { loadEvalSpec } from '../../../src/core/evals/spec';
import { runEval } from '../../../src/core/evals/runner';

async function main(): Promise<void> {
  const [specPath, root, baseURL] = process.argv.slice(2);
  const spec = await loadEvalSpec(specPath!);
  const client = new OpenAI({ baseURL, apiKey: 'k', maxRetries: 0 });
  const r = await runEval(
    spec,
    { clientFor: () => ({ client, kind: 'emulator' }) },
    { root: root!, online: { backoffMs: 5 } },
  );
  process.stdout.write(
    `${JSON.stringify({ dir: r.dir, status: r.manifest.status, counts: r.manifest.counts })}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
