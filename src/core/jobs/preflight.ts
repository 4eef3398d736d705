// Checks before a launch: datasets valid, grader lints clean and validates remotely, limits,
// the provider's situation, and a cost/time estimate. Errors block the launch.
import type { ProviderConfig } from '../providers/types';
import type { ResolvedJobSpec } from './jobSpec';

export interface PreflightItem {
  level: 'error' | 'warning' | 'info';
  title: string;
  detail?: string;
}

export interface PreflightReport {
  ok: boolean;
  items: PreflightItem[];
  estimate?: {
    trainingExamples: number;
    validationExamples: number;
    approxTokens?: number;
    costNote: string;
    timeNote: string;
  };
}

export interface PreflightDeps {
  provider: ProviderConfig;
  now: Date;
  validateDataset: (
    path: string,
    role: 'training' | 'validation',
  ) => Promise<{ errors: number; warnings: number; examples: number; summary: string }>;
  lintGrader?: (grader: unknown) => Promise<{ errors: number; messages: string[] }>;
  validateGraderRemotely?: (grader: unknown) => Promise<void>;
}

export function runPreflight(resolved: ResolvedJobSpec, deps: PreflightDeps): Promise<PreflightReport> {
  void resolved;
  void deps;
  throw new Error('runPreflight: not implemented yet');
}
