// What grading with a grader file will do, told before it runs: whether it executes grader code (python) and how
// many model requests it sends (score_model / label_model), so a tool can ask for confirmation with the facts.

export interface GraderRunPlan {
  /** Python graders: code from the grader file runs (in the sandbox). */
  runsCode: boolean;
  /** Model graders and their models, with one request per row each. */
  models: string[];
  rows: number;
  /** Requests to the provider: rows × model graders. */
  modelRequests: number;
}

function walk(g: unknown, out: { python: boolean; models: string[] }, depth = 0): void {
  if (!g || typeof g !== 'object' || depth > 8) return;
  const grader = g as { type?: unknown; model?: unknown; graders?: unknown };
  if (grader.type === 'python') out.python = true;
  if (grader.type === 'score_model' || grader.type === 'label_model')
    out.models.push(typeof grader.model === 'string' ? grader.model : '(unnamed model)');
  if (grader.type === 'multi' && grader.graders && typeof grader.graders === 'object')
    for (const child of Object.values(grader.graders)) walk(child, out, depth + 1);
}

/** The plan for a grader (parsed JSON, or undefined when it could not be read) over `rows` rows. */
export function graderRunPlan(grader: unknown, rows: number): GraderRunPlan {
  const found = { python: false, models: [] as string[] };
  walk(grader, found);
  return { runsCode: found.python, models: found.models, rows, modelRequests: rows * found.models.length };
}

/** Markdown for a confirmation dialog; undefined when the run neither executes code nor calls a model. */
export function graderRunConfirmation(plan: GraderRunPlan, graderPath: string): string | undefined {
  if (!plan.runsCode && !plan.models.length) return undefined;
  const parts = [`Grade ${plan.rows} row(s) with \`${graderPath}\`.`];
  if (plan.runsCode)
    parts.push(
      'It **runs Python code from the grader file** on this machine, inside the bubblewrap sandbox (no network, no access to your files).',
    );
  if (plan.models.length)
    parts.push(
      `It sends **${plan.modelRequests} request(s)** to the active provider (${[...new Set(plan.models)].join(', ')}), which are billed at the model's price.`,
    );
  return parts.join(' ');
}
