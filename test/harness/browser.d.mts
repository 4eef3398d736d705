// Types for browser.mjs.
import type { BrowserContext, Page } from 'playwright-core';

export declare const CHROMIUM_ARGS: string[];
export declare function launchBrowser(opts?: {
  viewport?: { width: number; height: number };
}): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }>;
export declare function isOffHost(url: string): boolean;
export declare function trackOffHostRequests(context: BrowserContext, sink?: string[]): Promise<string[]>;
export declare function workbenchUrl(
  server: { url: string; remoteUri(path: string): string },
  opts?: { folder?: string; extensionDevelopmentPath?: string; extensionTestsPath?: string },
): string;
export declare function copyWorkspace(src: string, prefix?: string): string;
