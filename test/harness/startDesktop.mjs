// `npm run start:desktop`: the same as `npm start`, but in an installed desktop VS Code: runs
// `code --extensionDevelopmentPath=<repo> <repo>/demo` when `code` is on PATH.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const code = process.env.RFT_CODE_BIN ?? 'code';
const probe = spawnSync(code, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.error(
    [
      `"${code}" (desktop VS Code) is not on PATH.`,
      'Install VS Code and its shell command ("Shell Command: Install \'code\' command in PATH"),',
      'or set RFT_CODE_BIN to the binary, or use `npm start` (a VS Code in the browser, no install needed).',
    ].join('\n'),
  );
  process.exit(1);
}
console.log(
  `VS Code ${probe.stdout.split('\n')[0]}: opening ${path.join(repo, 'demo')} with RFT Studio from ${repo}`,
);
const r = spawnSync(code, [`--extensionDevelopmentPath=${repo}`, path.join(repo, 'demo')], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
