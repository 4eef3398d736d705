// Entry point VS Code calls inside the extension host (extensionTestsPath): runs every out/test/vscode/**/*.test.js
// with mocha (tdd ui) and resolves once they pass, rejecting with the failure count otherwise.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as mochaModule from 'mocha';
import type MochaType from 'mocha';

// mocha 12 is an ES module; required from this CommonJS bundle its class arrives as the namespace's default.
type MochaCtor = typeof MochaType;
const Mocha = ((mochaModule as unknown as { default?: MochaCtor }).default ?? mochaModule) as MochaCtor;

function testFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return testFiles(p);
      return e.name.endsWith('.test.js') ? [p] : [];
    })
    .sort();
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.RFT_VSCODE_TEST_GREP;
  if (grep) mocha.grep(grep);
  // out/ is never cleaned: skip bundles whose test/vscode/**/*.test.ts source was deleted or renamed.
  const sourceRoot = path.resolve(__dirname, '../../../test/vscode');
  for (const file of testFiles(__dirname)) {
    const source = path.join(sourceRoot, path.relative(__dirname, file)).replace(/\.js$/, '.ts');
    if (fs.existsSync(source)) mocha.addFile(file);
  }
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
