// The emulator's server-side grader check (what `graders/validate` and job creation refuse), per the
// grader shapes in reference §2: top-level types, multi children, required fields and enums.
import { TEXT_SIMILARITY_METRICS } from '../core/graders/types';

const TOP_LEVEL = ['string_check', 'text_similarity', 'python', 'score_model', 'multi'];
const MULTI_CHILD = ['string_check', 'text_similarity', 'python', 'score_model', 'label_model'];

function isObj(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function checkOne(g: unknown, where: string, allowed: readonly string[]): string | undefined {
  if (!isObj(g)) return `${where} must be an object.`;
  const type = g.type;
  if (typeof type !== 'string') return `${where}.type is required.`;
  if (type === 'endpoint') return `${where}: endpoint graders are in private preview and not available here.`;
  if (!allowed.includes(type))
    return type === 'multi'
      ? 'You cannot create a multigrader with a nested multigrader inside.'
      : `${where}.type "${type}" is not one of ${allowed.join(', ')}.`;
  const need = (field: string, kind: 'string' | 'array' | 'object' | 'number') => {
    const v = g[field];
    const ok = kind === 'array' ? Array.isArray(v) : kind === 'object' ? isObj(v) : typeof v === kind;
    return ok ? undefined : `${where}.${field} is required (${kind}).`;
  };
  const first = (...checks: Array<string | undefined>) => checks.find((c) => c !== undefined);
  switch (type) {
    case 'string_check': {
      const e = first(
        need('name', 'string'),
        need('input', 'string'),
        need('reference', 'string'),
        need('operation', 'string'),
      );
      if (e) return e;
      if (!['eq', 'ne', 'like', 'ilike'].includes(g.operation as string))
        return `${where}.operation must be one of eq, ne, like, ilike.`;
      return undefined;
    }
    case 'text_similarity': {
      const e = first(
        need('name', 'string'),
        need('input', 'string'),
        need('reference', 'string'),
        need('evaluation_metric', 'string'),
      );
      if (e) return e;
      if (!(TEXT_SIMILARITY_METRICS as readonly string[]).includes(g.evaluation_metric as string))
        return `${where}.evaluation_metric "${String(g.evaluation_metric)}" is not supported.`;
      return undefined;
    }
    case 'python':
      return first(need('name', 'string'), need('source', 'string'));
    case 'score_model':
      return first(need('name', 'string'), need('model', 'string'), need('input', 'array'));
    case 'label_model': {
      const e = first(
        need('name', 'string'),
        need('model', 'string'),
        need('input', 'array'),
        need('labels', 'array'),
        need('passing_labels', 'array'),
      );
      if (e) return e;
      return undefined;
    }
    case 'multi': {
      const e = first(need('name', 'string'), need('graders', 'object'), need('calculate_output', 'string'));
      if (e) return e;
      const children = Object.entries(g.graders as Record<string, unknown>);
      if (children.length === 0) return `${where}.graders must name at least one grader.`;
      for (const [key, child] of children) {
        const ce = checkOne(child, `${where}.graders.${key}`, MULTI_CHILD);
        if (ce) return ce;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The first structural problem of a top-level (RFT / graders API) grader, or undefined. */
export function checkGrader(grader: unknown): string | undefined {
  return checkOne(grader, 'grader', TOP_LEVEL);
}
