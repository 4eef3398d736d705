// Drives a real VS Code workbench (raw VS Code server + headless chromium) the way a person does, for the
// end-to-end tests in test/e2e/*.e2e.ts. The extension is loaded from this repo's sources (dist/) through the
// smoke-driver URL payload; every window gets a fresh temp copy of demo/ unless told otherwise.
//
// Server: `npm run test:e2e` starts one and passes it in RFT_E2E_URL; a single file run directly
// (`node --import tsx --test test/e2e/foo.e2e.ts`) starts its own on first use.
import { after } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseJsonc } from 'jsonc-parser';
import type { FrameLocator, Page } from 'playwright-core';
import { copyWorkspace, launchBrowser, trackOffHostRequests, workbenchUrl } from '../../harness/browser.mjs';
import { startServer as startVscodeServer } from '../../harness/server.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const demoFolder = path.join(repoRoot, 'demo');
export const screenshotsDir = path.resolve(
  process.env.RFT_E2E_SCREENSHOTS ?? path.join(repoRoot, 'test-results', 'screenshots'),
);
/** Default wait for every locator action; raise it on a slow or busy machine (RFT_E2E_ACTION_TIMEOUT_MS). */
const actionTimeoutMs = Number(process.env.RFT_E2E_ACTION_TIMEOUT_MS ?? 30_000);
/** The activity-bar entry of our view container; its presence means the remote extension host scanned us. */
const RFT_ACTIVITY = '.activitybar [aria-label*="RFT Studio"]';

export interface E2EServer {
  url: string;
  /** vscode-remote:// URI of an absolute path on the server's machine (for URL payloads). */
  remoteUri(p: string): string;
}

let shared: Promise<E2EServer> | undefined;

/** The VS Code server for this test process: the runner's (RFT_E2E_URL) or one started here on first use. */
export function startServer(): Promise<E2EServer> {
  shared ??= (async (): Promise<E2EServer> => {
    const env = process.env.RFT_E2E_URL;
    if (env) {
      const u = new URL(env);
      return { url: u.origin, remoteUri: (p) => `vscode-remote://${u.host}${p}` };
    }
    // Killed with its whole process group when this process exits (see server.mjs).
    return startVscodeServer({ log: (m) => console.error(`[e2e] ${m}`) });
  })();
  return shared;
}

export interface OpenWorkbenchOptions {
  /** Open this folder as is (no copy). Default: a fresh temp copy of demo/. */
  folder?: string;
  /** Workspace settings, written to <workspace>/.vscode/settings.json before the window opens. */
  settings?: Record<string, unknown>;
  /** Extra files (path relative to the workspace -> content) written before the window opens. */
  files?: Record<string, string>;
}

export interface Workbench {
  page: Page;
  /** Absolute path of the opened folder. */
  workspace: string;
  /** Runs a command from the command palette by its full title, e.g. "RFT Studio: Show Log". */
  runCommand(title: string): Promise<void>;
  /** Opens a file through Quick Open (Ctrl+P) and waits for its editor tab. */
  quickOpen(fileName: string): Promise<void>;
  /** Waits (default 30 s) for a notification containing/matching text and returns its full text. */
  waitForNotification(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Texts of all current notifications (toasts and Notifications Center). */
  notifications(): Promise<string[]>;
  /** Message of the open modal dialog (e.g. a modal showWarningMessage), or null when none is open. */
  dialog(): Promise<string | null>;
  /** Waits for a modal dialog, clicks the button whose label contains `button`, returns the dialog's message. */
  answerDialog(button: string): Promise<string>;
  /** Opens the Problems panel and returns the texts of its visible rows (file rows and problem rows). */
  problems(): Promise<string[]>;
  /** The inner frame of the visible (active) webview. */
  webview(): FrameLocator;
  /** Shows the view container whose activity-bar entry's label contains title (never toggles it closed). */
  openActivityBar(title: string): Promise<void>;
  /** Texts of the rows in the side bar's tree/list views. */
  treeRows(): Promise<string[]>;
  /** Saves a full-window PNG named <test file>-<name>.png in the screenshots folder; returns its path. */
  screenshot(name: string): Promise<string>;
  /** URLs requested from a host other than loopback; close() fails when not empty. */
  offHostRequests: string[];
  close(): Promise<void>;
}

const openWorkbenches = new Set<Workbench>();
// Safety net for tests that fail before their own close(): the file's process must be able to exit.
after(async () => {
  for (const wb of [...openWorkbenches]) await wb.close();
});

const testFileTag = path
  .basename(process.argv[1] ?? 'e2e')
  .replace(/\.e2e\.[cm]?[jt]s$/, '')
  .replace(/\.[cm]?[jt]s$/, '');

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
}

export async function openWorkbench(opts: OpenWorkbenchOptions = {}): Promise<Workbench> {
  const server = await startServer();
  const ownsWorkspace = !opts.folder;
  const workspace = opts.folder ? path.resolve(opts.folder) : copyWorkspace(demoFolder, 'rft-e2e-');
  for (const [rel, content] of Object.entries(opts.files ?? {})) {
    const file = path.join(workspace, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  if (opts.settings) {
    // Merged over the folder's own workspace settings (JSONC, e.g. demo/.vscode/settings.json when present).
    const file = path.join(workspace, '.vscode', 'settings.json');
    const existing = fs.existsSync(file)
      ? (parseJsonc(fs.readFileSync(file, 'utf8')) as object | undefined)
      : {};
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ ...existing, ...opts.settings }, null, 2));
  }
  const browser = await launchBrowser();
  const { page, context } = browser;
  page.setDefaultTimeout(actionTimeoutMs);
  const offHostRequests = await trackOffHostRequests(context);

  const dialogBox = page.locator('.monaco-dialog-box');
  async function openDialogText(): Promise<string | null> {
    if (!(await dialogBox.first().isVisible())) return null;
    const message = await dialogBox.first().locator('.dialog-message-row').innerText();
    return message.trim().replace(/\s+/g, ' ');
  }

  const palette = page.locator('.quick-input-widget');
  const paletteInput = palette.locator('input.input');

  /** Opens the quick input with a key; a focused webview swallows keys, so hand focus back to the workbench. */
  async function openQuickInput(key: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await page.keyboard.press(key);
      try {
        await paletteInput.waitFor({ state: 'visible', timeout: attempt < 2 ? 3000 : actionTimeoutMs });
        return;
      } catch (e) {
        const blocking = await openDialogText();
        if (blocking)
          throw new Error(`a modal dialog blocks the workbench: "${blocking}" (use answerDialog())`);
        if (attempt >= 2) throw e;
        await page.evaluate('document.activeElement?.blur?.()');
      }
    }
  }

  async function pickFromQuickInput(query: string, label: string): Promise<void> {
    await paletteInput.fill(query);
    const rows = palette.locator('.quick-input-list .monaco-list-row');
    const loose = rows.filter({ hasText: label });
    await loose.first().waitFor({ state: 'visible' });
    // Prefer the row whose label is exactly the title ("Show Log" must not pick "Show Log Folder").
    const exact = rows.filter({
      has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(label)}$`) }),
    });
    const placeholder = await paletteInput.getAttribute('placeholder');
    await ((await exact.count()) > 0 ? exact.first() : loose.first()).click();
    // Done when the palette closes. A command that at once opens a quick input of its own (a field pick, an
    // input box) re-uses the widget, so it may never close: after a grace period, another placeholder and no
    // query mean the command ran.
    const start = Date.now();
    const deadline = start + 30_000;
    for (;;) {
      if (!(await palette.isVisible())) return;
      if (Date.now() - start > 3000) {
        const [value, now] = await Promise.all([
          paletteInput.inputValue().catch(() => query),
          paletteInput.getAttribute('placeholder').catch(() => placeholder),
        ]);
        if (value !== query && now !== placeholder) return;
      }
      if (Date.now() > deadline) throw new Error(`the quick input stayed open after picking "${label}"`);
      await page.waitForTimeout(100);
    }
  }

  const workbench: Workbench = {
    page,
    workspace,
    offHostRequests,

    async runCommand(title) {
      await openQuickInput('F1');
      await pickFromQuickInput(`>${title}`, title);
    },

    async quickOpen(fileName) {
      await openQuickInput('Control+P');
      await pickFromQuickInput(fileName, path.basename(fileName));
      await page
        .locator('.editor-group-container .tab.active', { hasText: path.basename(fileName) })
        .first()
        .waitFor();
    },

    async notifications() {
      await showNotificationsCenter(workbench);
      const texts = await page
        .locator('.notifications-toasts .notification-toast, .notifications-center .notification-list-item')
        .allInnerTexts();
      return [...new Set(texts.map((t) => t.trim()))];
    },

    async waitForNotification(text, timeoutMs = actionTimeoutMs) {
      // Toasts are suppressed in smoke-driver mode; the Notifications Center always lists everything.
      await showNotificationsCenter(workbench);
      const item = page
        .locator('.notifications-toasts .notification-toast, .notifications-center .notification-list-item')
        .filter({ hasText: text })
        .first();
      await item.waitFor({ state: 'visible', timeout: timeoutMs });
      return (await item.innerText()).trim();
    },

    dialog: openDialogText,

    async answerDialog(button) {
      const box = dialogBox.first();
      await box.waitFor({ state: 'visible' });
      const message = (await box.locator('.dialog-message-row').innerText()).trim().replace(/\s+/g, ' ');
      await box.locator('.dialog-buttons .monaco-button', { hasText: button }).first().click();
      await box.waitFor({ state: 'hidden' });
      return message;
    },

    async problems() {
      await workbench.runCommand('View: Focus Problems');
      const panel = page.locator('.markers-panel');
      await panel.waitFor({ state: 'visible' });
      // Let the marker list settle after opening (it renders asynchronously).
      await page.waitForTimeout(300);
      return (await panel.locator('.monaco-list-row').allInnerTexts()).map((t) => t.trim());
    },

    webview() {
      return page
        .locator('iframe.webview.ready')
        .filter({ visible: true })
        .last()
        .contentFrame()
        .frameLocator('iframe#active-frame');
    },

    async openActivityBar(title) {
      const item = page.locator(`.activitybar .action-item:has([aria-label*="${cssString(title)}"])`).first();
      await item.waitFor({ state: 'visible' });
      const checked = (await item.getAttribute('class'))?.split(/\s+/).includes('checked');
      // The item itself, as a person clicks it: a badge (a running job's progress) can cover the icon's label, and
      // a click that lands on the badge opens the view just the same.
      if (!checked) await item.click();
      await page
        .locator('.part.sidebar .composite.title', { hasText: title })
        .first()
        .waitFor({ state: 'visible' });
    },

    async treeRows() {
      const rows = page.locator('.part.sidebar .pane-body .monaco-list-row');
      return (await rows.allInnerTexts()).map((t) => t.trim());
    },

    async screenshot(name) {
      fs.mkdirSync(screenshotsDir, { recursive: true });
      const file = path.join(screenshotsDir, `${safeName(testFileTag)}-${safeName(name)}.png`);
      await page.screenshot({ path: file });
      return file;
    },

    async close() {
      if (!openWorkbenches.delete(workbench)) return;
      await browser.close();
      if (ownsWorkspace) fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
      if (offHostRequests.length) {
        recordOffHost(offHostRequests);
        throw new Error(`the workbench requested non-loopback hosts:\n  ${offHostRequests.join('\n  ')}`);
      }
    },
  };
  openWorkbenches.add(workbench);

  try {
    await page.goto(workbenchUrl(server, { folder: workspace, extensionDevelopmentPath: repoRoot }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator(RFT_ACTIVITY).first().waitFor({ state: 'visible', timeout: 60_000 });
  } catch (e) {
    await workbench.close().catch(() => {});
    throw e;
  }
  return workbench;
}

async function showNotificationsCenter(wb: Workbench): Promise<void> {
  const center = wb.page.locator('.notifications-center');
  if (await center.isVisible()) return;
  await wb.runCommand('Notifications: Show Notifications');
  await center.waitFor({ state: 'visible' });
}

/** Off-host requests also go to a file the runner checks, so a swallowed close() error still fails the run. */
function recordOffHost(urls: string[]): void {
  const file = process.env.RFT_E2E_OFFHOST_LOG;
  if (file) fs.appendFileSync(file, urls.map((u) => `${testFileTag}\t${u}\n`).join(''));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cssString(s: string): string {
  return s.replace(/["\\]/g, '\\$&');
}
