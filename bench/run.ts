// `npm run bench [-- name...]`: runs bench/<name>.bench.ts (all when no name is given). Each benchmark prints
// its figures and its ratio to a baseline it measures in the same run.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main() {
  const dir = __dirname;
  const available = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.replace(/\.bench\.ts$/, ''))
    .sort();
  const args = process.argv.slice(2);
  const names = args.filter((a) => !a.startsWith('--'));
  const flags = args.filter((a) => a.startsWith('--'));
  const unknown = names.filter((n) => !available.includes(n));
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
    process.exit(2);
  }
  for (const name of names.length ? names : available) {
    console.log(`\n=== bench ${name} ===`);
    const mod = (await import(join(dir, `${name}.bench.ts`))) as {
      default: (flags: string[]) => Promise<void>;
    };
    await mod.default(flags);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
