// TypeScript shapes of every grader JSON (as the platform accepts them) and of one grading result,
// which is exactly the platform's `graders/run` response so local and remote runs compare field by field.

export type StringCheckOperation = 'eq' | 'ne' | 'like' | 'ilike';

export const STRING_CHECK_OPERATIONS: readonly StringCheckOperation[] = ['eq', 'ne', 'like', 'ilike'];

export type TextSimilarityMetricName =
  | 'cosine'
  | 'fuzzy_match'
  | 'bleu'
  | 'gleu'
  | 'meteor'
  | 'rouge_1'
  | 'rouge_2'
  | 'rouge_3'
  | 'rouge_4'
  | 'rouge_5'
  | 'rouge_l';

export const TEXT_SIMILARITY_METRICS: readonly TextSimilarityMetricName[] = [
  'cosine',
  'fuzzy_match',
  'bleu',
  'gleu',
  'meteor',
  'rouge_1',
  'rouge_2',
  'rouge_3',
  'rouge_4',
  'rouge_5',
  'rouge_l',
];

interface GraderBase {
  name: string;
  /** Evals-only field that Build Hour graders carry; accepted, effect on RFT unconfirmed. */
  pass_threshold?: number;
}

export interface StringCheckGrader extends GraderBase {
  type: 'string_check';
  input: string;
  reference: string;
  operation: StringCheckOperation;
}

export interface TextSimilarityGrader extends GraderBase {
  type: 'text_similarity';
  input: string;
  reference: string;
  evaluation_metric: TextSimilarityMetricName;
}

export interface PythonGrader extends GraderBase {
  type: 'python';
  source: string;
  image_tag?: string;
}

export type InputContentPart =
  | { type: 'input_text'; text: string }
  | { type: 'output_text'; text: string }
  | { type: 'input_image'; image_url: string; detail?: 'auto' | 'low' | 'high' }
  | { type: 'input_audio'; input_audio: { data: string; format: string } };

export type InputMessageContent = string | InputContentPart | InputContentPart[];

export interface ModelGraderInputMessage {
  type?: 'message';
  role: 'user' | 'assistant' | 'system' | 'developer';
  content: InputMessageContent;
}

export interface SamplingParams {
  seed?: number | null;
  top_p?: number | null;
  temperature?: number | null;
  max_completions_tokens?: number | null;
  reasoning_effort?: 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max' | null;
}

export interface ScoreModelGrader extends GraderBase {
  type: 'score_model';
  model: string;
  input: ModelGraderInputMessage[];
  /** Default [0, 1]. */
  range?: [number, number];
  sampling_params?: SamplingParams;
}

export interface LabelModelGrader extends GraderBase {
  type: 'label_model';
  model: string;
  input: ModelGraderInputMessage[];
  labels: string[];
  passing_labels: string[];
  /** Not in the published schema (Azure mentions it); honoured when present. */
  sampling_params?: SamplingParams;
}

/** Preview: schema unpublished; accepted and passed through, not run locally. */
export interface EndpointGrader extends GraderBase {
  type: 'endpoint';
  url: string;
  headers?: Record<string, string>;
  [extra: string]: unknown;
}

export type MultiChildGrader =
  | StringCheckGrader
  | TextSimilarityGrader
  | PythonGrader
  | ScoreModelGrader
  | LabelModelGrader
  | EndpointGrader;

export interface MultiGrader extends GraderBase {
  type: 'multi';
  /** Keyed by the variable name `calculate_output` uses (not the inner `name`). */
  graders: Record<string, MultiChildGrader>;
  calculate_output: string;
}

export type Grader =
  | StringCheckGrader
  | TextSimilarityGrader
  | PythonGrader
  | ScoreModelGrader
  | LabelModelGrader
  | MultiGrader
  | EndpointGrader;

export type GraderType = Grader['type'];

export const GRADER_TYPES: readonly GraderType[] = [
  'string_check',
  'text_similarity',
  'python',
  'score_model',
  'label_model',
  'multi',
  'endpoint',
];

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cached_tokens: number;
}

export type GraderErrorFlags = {
  formula_parse_error: boolean;
  sample_parse_error: boolean;
  truncated_observation_error: boolean;
  unresponsive_reward_error: boolean;
  invalid_variable_error: boolean;
  other_error: boolean;
  python_grader_server_error: boolean;
  python_grader_server_error_type: string | null;
  python_grader_runtime_error: boolean;
  python_grader_runtime_error_details: string | null;
  model_grader_server_error: boolean;
  model_grader_refusal_error: boolean;
  model_grader_parse_error: boolean;
  model_grader_server_error_details: string | null;
};

/** Boolean flags of GraderErrorFlags (the ones that mean "this row raised a grader error"). */
export const ERROR_FLAG_NAMES = [
  'formula_parse_error',
  'sample_parse_error',
  'truncated_observation_error',
  'unresponsive_reward_error',
  'invalid_variable_error',
  'other_error',
  'python_grader_server_error',
  'python_grader_runtime_error',
  'model_grader_server_error',
  'model_grader_refusal_error',
  'model_grader_parse_error',
] as const;

export type ErrorFlagName = (typeof ERROR_FLAG_NAMES)[number];

export interface GraderResult {
  reward: number;
  metadata: {
    name: string;
    type: string;
    errors: GraderErrorFlags;
    /** Seconds. */
    execution_time: number;
    scores: Record<string, unknown>;
    token_usage: TokenUsage | null;
    sampled_model_name: string | null;
  };
  sub_rewards: Record<string, number>;
  model_grader_token_usage_per_model: Record<string, TokenUsage>;
}

export function noErrors(): GraderErrorFlags {
  return {
    formula_parse_error: false,
    sample_parse_error: false,
    truncated_observation_error: false,
    unresponsive_reward_error: false,
    invalid_variable_error: false,
    other_error: false,
    python_grader_server_error: false,
    python_grader_server_error_type: null,
    python_grader_runtime_error: false,
    python_grader_runtime_error_details: null,
    model_grader_server_error: false,
    model_grader_refusal_error: false,
    model_grader_parse_error: false,
    model_grader_server_error_details: null,
  };
}

/** Names of the boolean error flags set in a result (empty when the row graded cleanly). */
export function raisedErrors(errors: GraderErrorFlags): ErrorFlagName[] {
  return ERROR_FLAG_NAMES.filter((k) => errors[k]);
}
