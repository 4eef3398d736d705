// The agent tools: RFT Studio's checks as typed tools for a language model. One catalogue serves both the VS Code
// language-model tools (src/host/tools/) and the MCP server (`rft-studio mcp`); package.json's
// `contributes.languageModelTools` is kept equal to it by a unit test.
// File tools run the CLI command of the same name in-process, so a tool's JSON is the CLI's `--reporter json`
// output for the same input; job tools call the jobs API through the client the caller provides.

/**
 * What a call may cost: `read` tools run at once; `runsGraders` may run grader code or call a model and ask first
 * (VS Code) or need a flag (MCP); `network` reads the provider; `spends` sends billed requests and runs only after
 * the user confirmed the estimate (VS Code's confirmation, MCP elicitation or an explicit `confirm`).
 */
export type ToolRisk = 'read' | 'runsGraders' | 'network' | 'spends';

/** A JSON Schema object for a tool's input (the subset VS Code and MCP both accept). */
export interface ToolInputSchema {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties: false;
}

export interface ToolDefinition {
  /** MCP tool name and VS Code tool name. */
  name: string;
  /** `#name` in VS Code chat. */
  toolReferenceName: string;
  displayName: string;
  /** For the model: what it does, when to use it, what comes back. */
  modelDescription: string;
  /** For the user, in VS Code's tool picker. */
  userDescription: string;
  risk: ToolRisk;
  inputSchema: ToolInputSchema;
  /** Input properties that name files (a string or a string array); they must lie inside the allowed roots. */
  pathFields: readonly string[];
}

const path = (description: string) => ({ type: 'string', description });
const FORMAT = {
  type: 'string',
  enum: ['auto', 'rft', 'sft', 'dpo'],
  description: 'dataset format (default auto)',
};
const PROVIDER = {
  type: 'string',
  enum: ['openai', 'azure'],
  description: 'whose limits to check against (default openai)',
};

export const TOOLS = [
  {
    name: 'rft_validate_dataset',
    toolReferenceName: 'rftValidate',
    displayName: 'Validate RFT dataset',
    modelDescription:
      'Validate a JSONL fine-tuning dataset (RFT, SFT chat or DPO) exactly as RFT Studio does in the editor and in CI: ' +
      'JSON syntax, the line schema, roles, limits per provider, duplicates, field drift, and training/validation overlap ' +
      'when `pair` names the other file. Use it when a user asks why an upload or a fine-tuning job fails, or before ' +
      'launching a job. Returns diagnostics grouped by rule code, each with file:line, plus the CLI JSON report.',
    userDescription: 'Check a JSONL dataset for RFT, SFT or DPO problems',
    risk: 'read',
    inputSchema: {
      type: 'object',
      properties: {
        path: path('the dataset file (.jsonl), relative to the workspace or absolute'),
        format: FORMAT,
        provider: PROVIDER,
        pair: path('the validation file, to check for overlap with `path` (the training file)'),
      },
      required: ['path'],
      additionalProperties: false,
    },
    pathFields: ['path', 'pair'],
  },
  {
    name: 'rft_dataset_stats',
    toolReferenceName: 'rftStats',
    displayName: 'RFT dataset statistics',
    modelDescription:
      'Describe what is in a JSONL dataset: formats, roles, token counts, item fields and their types, label ' +
      'distribution of a field, duplicates, training/validation leakage (with `pair`) and an estimated cost. Use it to ' +
      'understand a dataset before changing it or a grader. Returns a short summary and the CLI JSON report.',
    userDescription: 'Summarise a JSONL dataset: tokens, fields, labels, duplicates',
    risk: 'read',
    inputSchema: {
      type: 'object',
      properties: {
        path: path('the dataset file (.jsonl)'),
        field: {
          type: 'string',
          description: 'an item field (dotted path) whose values to count, e.g. labels',
        },
        pair: path('the validation file, to report leakage between the two'),
      },
      required: ['path'],
      additionalProperties: false,
    },
    pathFields: ['path', 'pair'],
  },
  {
    name: 'rft_lint_grader',
    toolReferenceName: 'rftLint',
    displayName: 'Lint RFT grader',
    modelDescription:
      'Check a grader JSON file (string_check, text_similarity, python, score_model, label_model, multi): schema, ' +
      'allowed types, formulas, python source, {{ templates }}, and — with `data` — that every {{ item.x }} the ' +
      'grader reads exists in the datasets with one JSON type, and — with `response_format` — that {{ sample.output_json.x }} ' +
      'matches it. Use it when a grader gives unexpected rewards or before launching a job. Returns diagnostics ' +
      'grouped by rule code with file:line.',
    userDescription: 'Check a grader file, alone or against datasets and a response format',
    risk: 'read',
    inputSchema: {
      type: 'object',
      properties: {
        grader: path('the grader file (.json)'),
        data: {
          type: 'array',
          items: { type: 'string' },
          description: 'dataset files (.jsonl) the grader will see, e.g. the training and validation files',
        },
        response_format: path("the job's response_format JSON (or its JSON schema)"),
      },
      required: ['grader'],
      additionalProperties: false,
    },
    pathFields: ['grader', 'data', 'response_format'],
  },
  {
    name: 'rft_grade',
    toolReferenceName: 'rftGrade',
    displayName: 'Grade samples with an RFT grader',
    modelDescription:
      'Grade model outputs with a grader locally, exactly as the fine-tuning platform scores them, and return each ' +
      "row's reward, sub-rewards and error flags with a summary (mean, min, max). Samples come from a samples " +
      'JSONL (`samples`, line i grades data line i), from a field of each data line (`sample_field`), or inline ' +
      '(`outputs`: one output text per data line, in order). Use it to test whether a grader would reward an ' +
      'answer, e.g. an empty or a wrong one. Python graders run only where allowed, in a sandbox; model graders call ' +
      'the provider and cost money.',
    userDescription: 'Score outputs with a grader, locally',
    risk: 'runsGraders',
    inputSchema: {
      type: 'object',
      properties: {
        grader: path('the grader file (.json)'),
        data: path('the dataset (.jsonl) whose items the grader reads'),
        samples: path('a samples file (.jsonl): {"output_text": "…"} or {"output_json": {…}} per line'),
        sample_field: {
          type: 'string',
          description: 'take each output from this field (dotted path) of its data line',
        },
        outputs: {
          type: 'array',
          items: { type: 'string' },
          maxItems: 1000,
          description: 'inline output texts, one per data line in order (instead of samples / sample_field)',
        },
        response_format: path("the job's response_format JSON"),
      },
      required: ['grader', 'data'],
      additionalProperties: false,
    },
    pathFields: ['grader', 'data', 'samples', 'response_format'],
  },
  {
    name: 'rft_lab_analyze',
    toolReferenceName: 'rftLab',
    displayName: 'Grader Lab analysis',
    modelDescription:
      'Run one or more graders on the samples of a dataset, locally (the Grader Lab of RFT Studio), and report per ' +
      'grader whether it gives reinforcement fine-tuning a learning signal (rewards that vary within an item), ' +
      'saturation and errors, how the graders agree, reward-hacking probes (an empty answer, every label at once, …) ' +
      'that a grader would pay, and which grader to prefer and why. Use it to choose or fix a grader before a job. ' +
      'Python graders run only where allowed, in a sandbox.',
    userDescription: 'Compare graders on samples: learning signal, reward hacking, which to prefer',
    risk: 'runsGraders',
    inputSchema: {
      type: 'object',
      properties: {
        graders: {
          type: 'array',
          items: { type: 'string' },
          minItems: 1,
          maxItems: 8,
          description: 'grader files (.json) to run and compare',
        },
        data: path('the dataset (.jsonl) whose items the graders read'),
        samples: path('a samples file (.jsonl), several samples per item matched by "id" or by line'),
        response_format: path("the job's response_format JSON"),
        threshold: {
          type: 'number',
          minimum: 0,
          maximum: 1,
          description: 'pass threshold for agreement (default 0.5)',
        },
      },
      required: ['graders', 'data', 'samples'],
      additionalProperties: false,
    },
    pathFields: ['graders', 'data', 'samples', 'response_format'],
  },
  {
    name: 'rft_list_jobs',
    toolReferenceName: 'rftJobs',
    displayName: 'List fine-tuning jobs',
    modelDescription:
      "List the active provider's fine-tuning jobs, newest first, with their status, model and files. Use it to find " +
      'a job id. Returns the jobs as the provider reports them (no secrets).',
    userDescription: "List the active provider's fine-tuning jobs",
    risk: 'network',
    inputSchema: {
      type: 'object',
      properties: {
        limit: { type: 'integer', minimum: 1, maximum: 100, description: 'how many (default 20)' },
      },
      additionalProperties: false,
    },
    pathFields: [],
  },
  {
    name: 'rft_job_status',
    toolReferenceName: 'rftJobStatus',
    displayName: 'Fine-tuning job status',
    modelDescription:
      "Get one fine-tuning job's status, error, fine-tuned model and its latest training metrics (step, train and " +
      'validation reward means) from the metrics events. Use it to answer how a job is doing or why it failed.',
    userDescription: "A fine-tuning job's status and latest metrics",
    risk: 'network',
    inputSchema: {
      type: 'object',
      properties: {
        job_id: { type: 'string', pattern: '^[A-Za-z0-9_:.-]{1,128}$', description: 'the job id (ftjob-…)' },
      },
      required: ['job_id'],
      additionalProperties: false,
    },
    pathFields: [],
  },
  {
    name: 'rft_eval_run',
    toolReferenceName: 'rftEvalRun',
    displayName: 'Run RFT eval',
    modelDescription:
      'Run an eval spec (*.rfteval.json): sample every candidate model K times per item of the spec dataset through ' +
      'the provider, grade each sample locally, and report per candidate the mean reward with its 95% CI, paired ' +
      'comparisons (difference, CI, Wilcoxon p, wins/ties/losses) and the spec gates. It spends money, so it asks the ' +
      'user first with the estimate (calls, cached calls, prompt tokens, cost). Where the client cannot ask the user, ' +
      'a call without `confirm: true` only returns the estimate and runs nothing: show it to the user, and call again ' +
      'with `confirm: true` only after they agree. Writes a run folder under .rft/evals/ (summarise it later with ' +
      'rft_eval_summary); an unchanged rerun is answered from the request cache for free.',
    userDescription: 'Run an eval spec against its candidate models (spends money; asks first)',
    risk: 'spends',
    inputSchema: {
      type: 'object',
      properties: {
        spec: path('the eval spec (*.rfteval.json)'),
        confirm: {
          type: 'boolean',
          description:
            'the user saw the estimate and agreed to spend it (only where the client cannot ask the user itself)',
        },
        new: {
          type: 'boolean',
          description: "start a new run folder instead of resuming the spec's unfinished one",
        },
      },
      required: ['spec'],
      additionalProperties: false,
    },
    pathFields: ['spec'],
  },
  {
    name: 'rft_eval_summary',
    toolReferenceName: 'rftEvalSummary',
    displayName: 'Summarise RFT eval run',
    modelDescription:
      'Summarise a finished eval run folder (.rft/evals/<run>/): per candidate the mean reward, 95% CI, pass rate, ' +
      'samples and errors; each candidate against the first (difference with CI and Wilcoxon p); the gates. With ' +
      '`compare_with`, two saved runs side by side (items paired by key). Reads files only; nothing is sent. ' +
      'Returns a short summary and the JSON report of `rft-studio eval compare`.',
    userDescription: 'Summarise a finished eval run, or compare two',
    risk: 'read',
    inputSchema: {
      type: 'object',
      properties: {
        run: path('the run folder (.rft/evals/<run>)'),
        compare_with: path('a second run folder to compare with'),
      },
      required: ['run'],
      additionalProperties: false,
    },
    pathFields: ['run', 'compare_with'],
  },
] as const satisfies readonly ToolDefinition[];

export type ToolName = (typeof TOOLS)[number]['name'];

export function toolByName(name: string): ToolDefinition | undefined {
  return TOOLS.find((t) => t.name === name);
}
