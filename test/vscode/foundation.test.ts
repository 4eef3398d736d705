// Foundation checks inside a real VS Code: the extension activates, the manifest and the registered commands agree,
// and the Jobs view and the "RFT Studio" output channel are reachable.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../lib/waitFor';

const EXTENSION_ID = 'rft-studio.rft-studio';
// out/test/vscode -> repo root (the ext host does not inherit the runner's environment).
const repoRoot = path.resolve(__dirname, '../../..');

interface Manifest {
  version: string;
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    viewsContainers: { activitybar: { id: string; title: string }[] };
    views: Record<string, { id: string; name: string }[]>;
  };
}

function manifest(): Manifest {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;
}

async function activeExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  await ext.activate();
  return ext;
}

suite('Foundation', () => {
  test('the extension loads from this repo and activates', async () => {
    const ext = await activeExtension();
    assert.strictEqual(ext.isActive, true);
    assert.strictEqual(path.resolve(ext.extensionPath), repoRoot);
    assert.strictEqual(ext.packageJSON.version, manifest().version);
  });

  test('every contributed command is registered and every registered rftStudio.* command is contributed', async () => {
    await activeExtension();
    const contributed = manifest().contributes.commands.map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    // VS Code itself registers <viewId>.focus/.open/... for every contributed view; those are not ours to declare.
    const viewIds = Object.values(manifest().contributes.views).flatMap((views) => views.map((v) => v.id));
    const registered = (await vscode.commands.getCommands(true)).filter(
      (c) => c.startsWith('rftStudio.') && !viewIds.some((v) => c.startsWith(`${v}.`)),
    );
    const notRegistered = contributed.filter((c) => !registered.includes(c));
    const notContributed = registered.filter((c) => !contributed.includes(c));
    assert.deepStrictEqual(notRegistered, [], 'contributed in package.json but never registered');
    assert.deepStrictEqual(
      notContributed,
      [],
      'registered but missing from package.json contributes.commands',
    );
  });

  test('private _rftStudio.* commands are test hooks (named *Test*), present here because the harness runs in test mode', async () => {
    await activeExtension();
    // getCommands(true) would leave out every _-prefixed (internal) command.
    const hidden = (await vscode.commands.getCommands(false)).filter((c) => c.startsWith('_rftStudio.'));
    // src/host/testMode.ts: such commands are registered only under ExtensionMode.Test, which extensionTestsPath sets.
    assert.ok(
      hidden.includes('_rftStudio.prepTestOverwriteAnswers'),
      `test hooks seen: ${hidden.join(', ')}`,
    );
    assert.deepStrictEqual(
      hidden.filter((c) => !/^_rftStudio\.[a-z][A-Za-z]*Test[A-Z][A-Za-z]*$/.test(c)),
      [],
      'a private command that is not named as a test hook',
    );
  });

  test('every contributed command has a title and the "RFT Studio" category', () => {
    for (const c of manifest().contributes.commands) {
      assert.ok(c.title.trim(), `${c.command} has no title`);
      assert.strictEqual(c.category, 'RFT Studio', `${c.command} category`);
      assert.match(c.command, /^rftStudio\.[a-z][A-Za-z]+$/, `${c.command} is not rftStudio.verbNoun`);
    }
  });

  test('"RFT Studio: Show Log" opens the RFT Studio output channel', async () => {
    await activeExtension();
    await vscode.commands.executeCommand('rftStudio.showLog');
    // The output view shows the channel it just revealed; its document is an output: URI named after the channel.
    const channels = () =>
      vscode.workspace.textDocuments
        .filter((d) => d.uri.scheme === 'output')
        .map((d) => decodeURIComponent(d.uri.toString()));
    await waitFor('an "RFT Studio" output document', () => channels().some((c) => c.includes('RFT Studio')), {
      timeoutMs: 10_000,
      detail: () => `open output documents: ${JSON.stringify(channels())}`,
    });
  });

  test('the RFT Studio view container and the Jobs view are contributed and open', async () => {
    const m = manifest();
    const container = m.contributes.viewsContainers.activitybar.find((c) => c.id === 'rftStudio');
    assert.ok(container, 'no rftStudio activity-bar container');
    assert.strictEqual(container.title, 'RFT Studio');
    assert.ok(
      m.contributes.views.rftStudio?.some((v) => v.id === 'rftStudio.jobs'),
      'rftStudio.jobs view missing from the rftStudio container',
    );
    await activeExtension();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('workbench.view.extension.rftStudio'), 'the container has no open command');
    await vscode.commands.executeCommand('workbench.view.extension.rftStudio');
    // The view's own focus command exists only once the view is registered in the workbench.
    assert.ok(commands.includes('rftStudio.jobs.focus'), 'rftStudio.jobs.focus is not registered');
    await vscode.commands.executeCommand('rftStudio.jobs.focus');
  });
});
