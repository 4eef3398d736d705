// HTML shell shared by every webview: strict CSP with a per-load nonce, codicons, one script, one stylesheet.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';

export function nonce(): string {
  return crypto.randomBytes(18).toString('base64url');
}

export interface WebviewHtmlOptions {
  /** The app folder name under webview/ (bundled to dist/webview/<app>.js/.css). */
  app: string;
  title: string;
  /** Extra attributes for <body>, e.g. data-initial state (must already be attribute-escaped). */
  bodyAttributes?: string;
}

/** Local resources a webview may load: only the built dist folder. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
  };
}

export function renderWebviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  opts: WebviewHtmlOptions,
): string {
  const n = nonce();
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview', `${opts.app}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview', `${opts.app}.css`));
  const codicons = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicons', 'codicon.css'));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${n}'`,
  ].join('; ');
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${codicons.toString()}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${style.toString()}">
<title>${esc(opts.title)}</title>
</head>
<body ${opts.bodyAttributes ?? ''}>
<div id="app" role="main"></div>
<script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
}
