// The alpha graders API: validate (the platform's structural check plus the multi grader's formula) and run
// (graded by RFT Studio's grader engine). A formula the parser refuses, or one so large or deep that checking
// it overflows, is the caller's mistake: 400, never 500.
import { evaluateFormula, FormulaError, formulaVariables, parseFormula } from '../../core/graders/formula';
import { buildSample } from '../../core/graders/sample';
import type { Grader } from '../../core/graders/types';
import type { EmulatorContext, Reply, RouteRequest } from '../context';
import { HttpError, isObj } from '../context';
import { checkGrader } from '../graderCheck';
import type { Route } from '../router';

function isFormulaFailure(e: unknown): e is Error {
  return e instanceof FormulaError || e instanceof RangeError;
}

function formulaMessage(e: Error): string {
  return e instanceof RangeError
    ? 'the formula is too long or too deeply nested to check'
    : `${e.message}${e instanceof FormulaError ? ` at ${e.start + 1}` : ''}`;
}

/** The first problem of a top-level grader (structure, then multi formulas), or undefined. */
export function graderProblem(grader: unknown): string | undefined {
  const problem = checkGrader(grader);
  if (problem) return problem;
  if (isObj(grader) && grader.type === 'multi' && typeof grader.calculate_output === 'string') {
    try {
      const node = parseFormula(grader.calculate_output);
      // A trial walk with every variable at 1: a tree too deep to walk (a parser without a depth limit
      // accepts one) overflows here instead of in a grading run. Other evaluation errors are the engine's.
      const vars = Object.fromEntries(formulaVariables(node).map((v) => [v.name, 1]));
      try {
        evaluateFormula(node, vars);
      } catch (e) {
        if (e instanceof RangeError) throw e;
      }
    } catch (e) {
      if (!isFormulaFailure(e)) throw e;
      return `grader.calculate_output: ${formulaMessage(e)}.`;
    }
  }
  return undefined;
}

function requireValidGrader(grader: unknown): void {
  const problem = graderProblem(grader);
  if (problem) throw new HttpError(400, `Invalid grader: ${problem}`, 'invalid_grader', 'grader');
}

async function run(ctx: EmulatorContext, rq: RouteRequest): Promise<Reply> {
  const body = rq.json();
  requireValidGrader(body.grader);
  if (typeof body.model_sample !== 'string')
    throw new HttpError(
      400,
      'Missing required parameter: model_sample (string).',
      'missing_required_parameter',
      'model_sample',
    );
  if (body.item !== undefined && !isObj(body.item))
    throw new HttpError(400, 'item must be an object.', 'invalid_request', 'item');
  try {
    const result = await ctx
      .graderEngine()
      .grade(
        body.grader as Grader,
        (body.item as Record<string, unknown> | undefined) ?? {},
        buildSample(body.model_sample),
      );
    return { status: 200, json: result };
  } catch (e) {
    if (!isFormulaFailure(e)) throw e;
    throw new HttpError(
      400,
      `Invalid grader: grader.calculate_output: ${formulaMessage(e)}.`,
      'invalid_grader',
      'grader',
    );
  }
}

function validate(_ctx: EmulatorContext, rq: RouteRequest): Reply {
  const body = rq.json();
  requireValidGrader(body.grader);
  return { status: 200, json: { grader: body.grader } };
}

export const graderRoutes: readonly Route[] = [
  { method: 'POST', path: '/fine_tuning/alpha/graders/run', handler: run },
  { method: 'POST', path: '/fine_tuning/alpha/graders/validate', handler: validate },
];
