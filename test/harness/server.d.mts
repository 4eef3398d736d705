// Types for server.mjs (imported by the TypeScript e2e helpers).
import type { HarnessPaths } from './install.mjs';

export declare const BASE_SETTINGS: Record<string, unknown>;

export interface VscodeServer {
  pid: number;
  port: number;
  url: string;
  stateDir: string;
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  paths: HarnessPaths;
  exited: Promise<number | string | null>;
  /** True once stop() was called (an exit after that is expected). */
  stopRequested: boolean;
  remoteUri(path: string): string;
  stop(): Promise<void>;
}

export interface StartServerOptions {
  port?: number;
  smokeTestDriver?: boolean;
  settings?: Record<string, unknown>;
  extensionsDir?: string;
  symlinkExtensions?: string[];
  stateDir?: string;
  /** Default true: fail when no Chromium is found (false for npm start, where the user brings the browser). */
  needBrowser?: boolean;
  log?: (msg: string) => void;
}

export declare function freePort(): Promise<number>;
export declare function startServer(opts?: StartServerOptions): Promise<VscodeServer>;
export declare function installExtension(
  paths: HarnessPaths,
  extensionsDir: string,
  vsix: string,
  stateDir: string,
): Promise<string>;
