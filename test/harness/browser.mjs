// Headless Debian chromium driven by the repo's playwright-core, plus the URL and offline-guard helpers every
// harness entry point (in-editor tests, e2e, `npm start` self-check) shares.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { findChromium } from './install.mjs';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * A fresh persistent browser context (its own throwaway profile); close() also removes the profile.
 * @returns {Promise<{ context: import('playwright-core').BrowserContext, page: import('playwright-core').Page, close: () => Promise<void> }>}
 */
export async function launchBrowser({ viewport = { width: 1400, height: 900 } } = {}) {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('chromium not found: apt-get install chromium (or set CHROMIUM_PATH)');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rft-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport,
    args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  return {
    context,
    page,
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Whether a URL would leave the machine (anything but loopback, data:, blob: and browser-internal schemes). */
export function isOffHost(url) {
  if (/^(data|blob|about|chrome|chrome-extension|devtools):/.test(url)) return false;
  try {
    return !LOOPBACK.has(new URL(url).hostname);
  } catch {
    return true;
  }
}

/**
 * Blocks and records every request that would reach the network on a host other than loopback.
 * Routing sees real network requests only: webview resources (https://*.vscode-resource.vscode-cdn.net/...) are
 * answered by the webview's service worker from the local server and never reach the network, so they are not
 * counted. Returns the (live) list of blocked URLs.
 */
export async function trackOffHostRequests(context, sink = []) {
  await context.route(isOffHost, (route) => {
    sink.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  return sink;
}

/**
 * The workbench URL for a folder on the server, optionally with a smoke-driver payload
 * (extensionDevelopmentPath / extensionTestsPath as vscode-remote:// URIs).
 */
export function workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath } = {}) {
  const params = [];
  if (folder) params.push(`folder=${encodeURIComponent(folder)}`);
  const payload = [];
  if (extensionDevelopmentPath)
    payload.push(['extensionDevelopmentPath', server.remoteUri(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', server.remoteUri(extensionTestsPath)]);
  if (payload.length) params.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${server.url}/${params.length ? '?' + params.join('&') : ''}`;
}

/** A fresh temp copy of a folder (the demo workspace), so tests can write into it. */
export function copyWorkspace(src, prefix = 'rft-ws-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const ws = path.join(dir, path.basename(src));
  fs.cpSync(src, ws, { recursive: true });
  return ws;
}
