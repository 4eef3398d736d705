// Test-only hooks (commands the in-editor tests call, logs they read) exist only when the extension runs under the
// test harness: test/harness/runVscodeTests.mjs passes `extensionTestsPath`, which makes VS Code start the extension
// in ExtensionMode.Test. Users and the e2e suite (a plain workbench) never see them.
import * as vscode from 'vscode';

export function isTestMode(extension: vscode.ExtensionContext): boolean {
  return extension.extensionMode === vscode.ExtensionMode.Test;
}
