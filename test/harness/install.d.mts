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

export declare function cacheRoot(): string;
export declare function harnessPaths(root?: string): HarnessPaths;
export declare function findChromium(): string | null;
export declare function ensureHarness(opts?: { log?: (msg: string) => void }): Promise<HarnessPaths>;
