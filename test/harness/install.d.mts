// Types for install.mjs.
export declare const NODE_VERSION: string;
export declare const CODE_SERVER_VERSION: string;

export interface HarnessPaths {
  root: string;
  node24Dir: string;
  node: string;
  codeServerDir: string;
  serverMain: string;
  chromium: string | null;
}

export declare function cacheRoot(env?: NodeJS.ProcessEnv): string;
export declare function harnessPaths(root?: string): HarnessPaths;
export declare function findChromium(): string | null;
export interface EnsureHarnessOptions {
  log?: (msg: string) => void;
  /** Default true: fail when no Chromium is found. */
  needBrowser?: boolean;
}
export declare const SYSTEM_PACKAGES: readonly string[];
export declare class HarnessInstallError extends Error {
  constructor(o: { step: string; reason: string; logFile?: string; hint: string });
  step: string;
  reason: string;
  logFile?: string;
  hint: string;
}
export declare function describeInstallFailure(e: unknown): string;
export declare function nestedInstallEnv(
  baseEnv: NodeJS.ProcessEnv,
  node24Dir?: string,
): Record<string, string>;
export declare function ensureSystemPackages(log?: (msg: string) => void): void;
export declare function ensureHarness(opts?: EnsureHarnessOptions): Promise<HarnessPaths>;
export declare function ensureHarnessOrExit(
  prefix: string,
  opts?: EnsureHarnessOptions,
): Promise<HarnessPaths>;
