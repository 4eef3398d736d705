// The shapes of an eval (issue #13): the spec a user writes (`*.rfteval.json`), one request to a model, one row of
// a run's results.jsonl, a run folder's manifest, and the comparison report. Type-only: the runner, the statistics,
// the CLI, the editor and the comparison webview all import these, so they are declared once here.
import type { Grader } from '../graders/types';

// ───────────────────────────── the spec, as written ─────────────────────────────

/** Sampling parameters of one candidate; omitted ones are not sent (the provider's default applies). */
export interface EvalSamplingParams {
  temperature?: number;
  top_p?: number;
  max_output_tokens?: number;
  reasoning_effort?: 'minimal' | 'low' | 'medium' | 'high';
  /** Base seed: sample i of an item is requested with `seed + i`, so samples are reproducible yet distinct. */
  seed?: number;
}

export interface EvalCandidateSpec extends EvalSamplingParams {
  /** Unique within the spec; the name results, comparisons and gates use. */
  label: string;
  /** A base model, a fine-tuned id (`ft:…`), a checkpoint's model id, or an Azure deployment name. */
  model: string;
  /** A configured provider's id (editor); default: the active provider (editor) or the provider options (CLI). */
  provider?: string;
  /** Which endpoint samples: Chat Completions (default) or Responses. */
  api?: 'chat' | 'responses';
}

/** `{"candidate": "tuned", "mean": {"min": 0.7}}`, `{"compare": ["tuned", "base"], "difference": {"min": 0.05}, "significance": 0.05}`, `{"max_error_rate": 0.02}` (issue #14). */
export type EvalGate =
  | { name?: string; candidate: string; mean?: { min?: number; max?: number }; pass_rate?: { min?: number } }
  | { name?: string; compare: [string, string]; difference?: { min?: number }; significance?: number }
  | { name?: string; max_error_rate: number; candidate?: string };

export interface EvalSpecFile {
  name: string;
  description?: string;
  /** Path of an RFT JSONL (messages + item fields), relative to the spec file. */
  dataset: string;
  /** Use only the first N items. */
  limit?: number;
  /** Use a seeded random sample of N items (after `limit`). */
  sample?: { size: number; seed?: number };
  /** Grader file paths (relative to the spec) or inline grader objects. The first one is the headline reward. */
  graders: Array<string | Grader>;
  /** Path of a response format file (relative to the spec) or an inline one. */
  response_format?: string | Record<string, unknown>;
  /** K, samples per item per candidate (default 1). */
  samples_per_item?: number;
  candidates: EvalCandidateSpec[];
  limits?: {
    /** Upper bound on requests in flight (the runner adapts below it to the provider's rate limits). */
    max_concurrency?: number;
    /** The run stops before it can spend more than this (estimated from tokens and list prices). */
    max_spend_usd?: number;
  };
  /** A reward at or above this counts as a pass (default 0.5). */
  pass_threshold?: number;
  /** Item field holding a label (or a list of labels) for the per-label breakdown. */
  label_field?: string;
  gates?: EvalGate[];
  /** `batch` hands sampling to the provider's Batch API (issue #14). */
  mode?: 'online' | 'batch';
}

// ───────────────────────────── one request ─────────────────────────────

/** One sampling call the runner makes (or finds in the cache). */
export interface EvalRequest {
  /** sha256 hex of the exact request content: endpoint, provider base URL, body and sample index. The cache key. */
  key: string;
  candidate: string;
  /** 0-based index of the item in the (limited, sampled) item list. */
  item: number;
  sample: number;
  endpoint: '/v1/chat/completions' | '/v1/responses';
  /** The JSON body as sent. */
  body: Record<string, unknown>;
}

/** What came back for one request; cached on disk under its key. */
export interface EvalResponse {
  output_text: string;
  /** The parsed output when the response format is a JSON schema and the text parses. */
  output_json?: unknown;
  usage: { input_tokens: number; output_tokens: number; reasoning_tokens?: number };
  latency_ms: number;
  /** The provider's model id as answered (an Azure deployment answers with its model). */
  model?: string;
}

// ───────────────────────────── one results.jsonl line ─────────────────────────────

export interface EvalGraderScore {
  reward: number;
  sub_rewards?: Record<string, number>;
  /** Names of the raised error flags (e.g. `python_grader_runtime_error`). */
  errors: string[];
}

export interface EvalResultRow {
  /** 0-based index of the item in the run's item list. */
  item: number;
  /** The item's key: its `id` field, else `line N`. */
  item_key: string;
  /** 0-based line of the item in the dataset file. */
  line: number;
  candidate: string;
  sample: number;
  /** The headline reward (the first grader); null when sampling failed beyond the retries. */
  reward: number | null;
  /** Every grader's score, by grader name (file stem or the inline grader's name). */
  graders: Record<string, EvalGraderScore>;
  output: string;
  /** Set when the sample could not be produced or graded. */
  error?: { stage: 'sample' | 'grade'; message: string; status?: number };
  usage?: EvalResponse['usage'];
  latency_ms?: number;
  /** Answered from the request cache (nothing paid). */
  cached: boolean;
  /** The request's cache key. */
  request: string;
}

// ───────────────────────────── a run folder ─────────────────────────────

/**
 * `.rft/evals/<name>-<UTC yyyymmdd-hhmmss>[-n]/`, never overwritten:
 * - `run.json`     this manifest;
 * - `spec.json`    the resolved spec (paths resolved, graders and response format inlined, defaults filled);
 * - `results.jsonl` one EvalResultRow per sample, appended as samples finish;
 * - `summary.json` the EvalReport, written when the run ends (also when it was cancelled);
 * - `summary.md`   the same for people.
 */
export interface EvalRunManifest {
  name: string;
  /** The spec file, relative to the workspace / cwd. */
  spec_path: string;
  created: string;
  finished?: string;
  status: 'running' | 'completed' | 'cancelled' | 'failed' | 'spend_limit';
  /** sha256 hex of the dataset file and of each grader (by name), so a rerun can tell what changed. */
  hashes: { dataset: string; graders: Record<string, string>; response_format?: string };
  /** Providers by candidate label: kind and base URL only (never keys). */
  providers: Record<string, { kind: string; base_url: string }>;
  /** Batch mode: the provider's batch ids in flight, so a restart resumes them (issue #14). */
  batches?: Array<{ id: string; candidate: string; input_file_id: string; status: string }>;
  counts: { requests: number; cached: number; failed: number; spent_usd?: number };
}

// ───────────────────────────── the report (`--reporter json`, summary.json) ─────────────────────────────

export interface EvalCandidateSummary {
  label: string;
  model: string;
  mean: number;
  /** 95% bootstrap interval of the mean over items (seeded). */
  ci: [number, number];
  samples: number;
  errors: number;
  pass_rate: number;
  /** Mean per grader name (the headline one too). */
  graders: Record<string, number>;
  /** Mean per label value, when the spec names a label_field. */
  labels?: Record<string, { mean: number; items: number }>;
}

export interface EvalPairComparison {
  a: string;
  b: string;
  /** mean(a) − mean(b) over the items both have. */
  difference: number;
  ci: [number, number];
  /** Wilcoxon signed-rank, two-sided, over per-item mean rewards. */
  p_value: number;
  sign_test_p_value: number;
  wins: number;
  ties: number;
  losses: number;
  items: number;
}

export interface EvalGateResult {
  gate: EvalGate;
  name: string;
  passed: boolean;
  /** e.g. "mean of tuned 0.62 < 0.7 (short by 0.08)". */
  message: string;
}

/** The fixed JSON shape of `eval run --reporter json` and `eval compare --reporter json` (documented in the README). */
export interface EvalReport {
  run: string;
  /** When two saved runs are compared: both folders. */
  runs?: string[];
  candidates: EvalCandidateSummary[];
  comparisons: EvalPairComparison[];
  gates?: EvalGateResult[];
}

// ───────────────────────────── the sampling seam ─────────────────────────────

/** A request that could not be answered: after the runner's retries (online) or as the batch reported it. */
export interface EvalRequestFailure {
  message: string;
  status?: number;
  /** Worth trying again later (rate limit, server error, expired batch), as opposed to a 400. */
  retryable: boolean;
}

export type EvalSampled =
  | { request: EvalRequest; response: EvalResponse; cached: boolean }
  | { request: EvalRequest; failure: EvalRequestFailure };

/**
 * How requests become responses. The runner builds the requests, skips the ones the cache answers, and hands the
 * rest to a sampler: online (concurrent calls that adapt to the rate limits) or batch (the provider's Batch API).
 * Results may come back in any order; every request given must come back exactly once unless the signal aborts.
 */
export interface EvalSampler {
  sample(
    requests: AsyncIterable<EvalRequest> | Iterable<EvalRequest>,
    signal?: AbortSignal,
  ): AsyncIterable<EvalSampled>;
}
