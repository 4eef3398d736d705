// What grading with a grader file will do, told before it runs: whether it executes grader code (python), how
// many model requests it sends (score_model / label_model) and what they cost at list price, so a tool can ask for
// confirmation with the facts.
import { ASSUMED_OUTPUT_TOKENS, requestCostUsd } from '../../core/evals/estimate';
import { jsonText } from '../../core/json/canonicalJson';
import { countTokens } from '../../core/tokens/tokenizer';

export interface GraderRunPlan {
  /** Python graders: code from the grader file runs (in the sandbox). */
  runsCode: boolean;
  /** Model graders and their models, with one request per row each. */
  models: string[];
  rows: number;
  /** Requests to the provider: rows × model graders. */
  modelRequests: number;
  /**
   * Estimated cost in USD at list price of the requests whose model has a known price: prompt = the grader's input
   * template plus one data row (`rowTokens`), output = the grader's max_completion_tokens or an assumed 1,000.
   */
  usd: number;
  /** Models without a known price (their requests are not in `usd`). */
  unpriced: string[];
}

interface ModelGrader {
  model: string;
  promptTokens: number;
  maxOutputTokens?: number;
}

function walk(g: unknown, out: { python: boolean; models: ModelGrader[] }, depth = 0): void {
  if (!g || typeof g !== 'object' || depth > 8) return;
  const grader = g as {
    type?: unknown;
    model?: unknown;
    graders?: unknown;
    input?: unknown;
    sampling_params?: unknown;
  };
  if (grader.type === 'python') out.python = true;
  if (grader.type === 'score_model' || grader.type === 'label_model') {
    const params = (grader.sampling_params ?? {}) as { max_completion_tokens?: unknown };
    out.models.push({
      model: typeof grader.model === 'string' ? grader.model : '(unnamed model)',
      promptTokens: grader.input === undefined ? 0 : countTokens(jsonText(grader.input)),
      ...(typeof params.max_completion_tokens === 'number'
        ? { maxOutputTokens: params.max_completion_tokens }
        : {}),
    });
  }
  if (grader.type === 'multi' && grader.graders && typeof grader.graders === 'object')
    for (const child of Object.values(grader.graders)) walk(child, out, depth + 1);
}

/**
 * The plan for a grader (parsed JSON, or undefined when it could not be read) over `rows` rows, each about
 * `rowTokens` tokens (the data line and sample a template may interpolate).
 */
export function graderRunPlan(grader: unknown, rows: number, rowTokens = 0): GraderRunPlan {
  const found = { python: false, models: [] as ModelGrader[] };
  walk(grader, found);
  let usd = 0;
  const unpriced = new Set<string>();
  for (const m of found.models) {
    const each = requestCostUsd(m.model, m.promptTokens + rowTokens, m.maxOutputTokens);
    if (each === undefined) unpriced.add(m.model);
    else usd += each * rows;
  }
  return {
    runsCode: found.python,
    models: found.models.map((m) => m.model),
    rows,
    modelRequests: rows * found.models.length,
    usd,
    unpriced: [...unpriced],
  };
}

/** Plans of several graders run over the same rows (the Lab compares graders), as one. */
export function mergePlans(plans: readonly GraderRunPlan[], rows: number): GraderRunPlan {
  return {
    runsCode: plans.some((p) => p.runsCode),
    models: plans.flatMap((p) => p.models),
    rows,
    modelRequests: plans.reduce((n, p) => n + p.modelRequests, 0),
    usd: plans.reduce((n, p) => n + p.usd, 0),
    unpriced: [...new Set(plans.flatMap((p) => p.unpriced))],
  };
}

function dollars(v: number): string {
  return `$${v.toFixed(v < 1 ? 3 : 2)}`;
}

/** Markdown for a confirmation dialog; undefined when the run neither executes code nor calls a model. */
export function graderRunConfirmation(plan: GraderRunPlan, graderPath: string): string | undefined {
  if (!plan.runsCode && !plan.models.length) return undefined;
  const parts = [`Grade ${plan.rows} row(s) with \`${graderPath}\`.`];
  if (plan.runsCode)
    parts.push(
      'It **runs Python code from the grader file** on this machine, inside the bubblewrap sandbox (no network, no access to your files).',
    );
  if (plan.models.length) {
    parts.push(
      `It sends **${plan.modelRequests} request(s)** to the active provider (${[...new Set(plan.models)].join(', ')}), which are billed at the model's price.`,
    );
    const priced = plan.unpriced.length < new Set(plan.models).size;
    if (priced)
      parts.push(
        `Estimated cost: **about ${dollars(plan.usd)}** at list price (the grader's prompt and one data row per request, ${ASSUMED_OUTPUT_TOKENS.toLocaleString('en-US')} output tokens each unless the grader sets max_completion_tokens)${plan.unpriced.length ? `, not counting ${plan.unpriced.join(', ')} (no known price)` : ''}.`,
      );
    else parts.push(`No list price is known for ${plan.unpriced.join(', ')}: the cost is not estimated.`);
  }
  return parts.join(' ');
}
