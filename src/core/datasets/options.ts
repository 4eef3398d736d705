// Options and result types of the dataset validator, shared by the in-memory, incremental and
// streaming entry points.
import type { Diagnostic } from '../diagnostics';
import type { DatasetRole, ExampleFingerprints, ItemFieldInfo, Provider } from './aggregate';
import { DEFAULT_MAX_PER_RULE } from './aggregate';
import type { ParallelCheckOptions } from './chunkPool';
import type { DatasetFormat, FileFormat } from './format';
import type { SftTokenLimit } from './lineCheck';
import { describeTokenLimit, exampleTokenLimit } from './modelProfiles';

export type { DatasetRole, ExampleFingerprints, ItemFieldInfo, Provider };

export interface DatasetValidationOptions {
  /** Forced format, or `auto` (default): file name, then content. */
  format?: DatasetFormat | 'auto';
  /** Provider profile (default `openai`); `azure` also wants a BOM. */
  provider?: Provider;
  /** Model to fine-tune: SFT examples are checked against its training context (default: the profile's). */
  model?: string;
  /** Training (default) or validation file; inferred from the file name when omitted. */
  role?: DatasetRole;
  /** File name or path: used for format and role detection and reported back. */
  fileName?: string;
  signal?: AbortSignal;
  onProgress?: (linesDone: number, bytesDone: number) => void;
  /** Diagnostics kept per rule code before a summary replaces the rest (default 1000). */
  maxPerRule?: number;
  /** Streaming validation of a large file: check its chunks on worker threads (see chunkPool.ts). */
  parallel?: ParallelCheckOptions;
  /** Streaming read size in bytes (default 2 MiB; tests use tiny chunks to cross chunk boundaries). */
  chunkBytes?: number;
}

export interface DatasetReport {
  path?: string;
  format: FileFormat;
  /** Why this format was chosen (setting, file name, or content). */
  formatReason?: string;
  /** Non-blank lines. */
  examples: number;
  bytes: number;
  hasBom: boolean;
  diagnostics: Diagnostic[];
  /** Item fields (what graders read as {{ item.* }}) over all examples. */
  itemFields: Record<string, ItemFieldInfo>;
  /** Example hashes, for validatePair (streaming and whole-text validation fill it). */
  fingerprints?: ExampleFingerprints;
}

const VALIDATION_NAME = /(?:^|[^a-z])(valid|validation|val|test|eval|dev)(?:[^a-z]|$)/i;

/** `validation` when the file name says so (valid, val, test, eval, dev), else `training`. */
export function inferRole(fileName: string | undefined): DatasetRole {
  if (!fileName) return 'training';
  const base = fileName.split(/[\\/]/).pop() ?? '';
  return VALIDATION_NAME.test(base.replace(/\.jsonl?$/i, '')) ? 'validation' : 'training';
}

export function resolveOptions(o: DatasetValidationOptions): {
  format: DatasetFormat | 'auto';
  provider: Provider;
  role: DatasetRole;
  fileName: string | undefined;
  maxPerRule: number;
  sftTokens: SftTokenLimit;
} {
  const provider = o.provider ?? 'openai';
  const tokens = exampleTokenLimit(provider, o.model);
  return {
    format: o.format ?? 'auto',
    provider,
    role: o.role ?? inferRole(o.fileName),
    fileName: o.fileName,
    maxPerRule: Math.max(1, o.maxPerRule ?? DEFAULT_MAX_PER_RULE),
    sftTokens: { limit: tokens.limit, model: describeTokenLimit(tokens, provider) },
  };
}
