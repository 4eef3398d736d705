// The fake model's Countdown skill (the demo's RFT task): it reads "Target: T Numbers: [..]" from a prompt and
// answers {expression, result}, solving the puzzle with a probability that is higher for fine-tuned model ids
// (`ft:BASE:…`) than for base models, deterministically per request; and it judges such answers by the
// demo grader's rules, so a base-vs-fine-tuned eval shows a real difference.
import { FormulaError, evaluateFormula, parseFormula } from '../core/graders/formula';

/** How often a model solves a solvable puzzle: the base model, and any fine-tuned id. */
export const COUNTDOWN_SKILL = { base: 0.35, fineTuned: 0.75 } as const;

export interface CountdownTask {
  target: number;
  numbers: number[];
}

/** The base model of a fine-tuned id (`ft:BASE:org:suffix:id`), or undefined for a base model. */
export function fineTunedBase(model: string): string | undefined {
  const m = /^ft:([^:]+):/.exec(model);
  return m?.[1];
}

function numberList(s: string): number[] | undefined {
  const parts = s.split(',').map((x) => x.trim().replace(/^"|"$/g, ''));
  if (parts.length < 2 || parts.length > 6) return undefined;
  const nums = parts.map(Number);
  return nums.every((n) => Number.isInteger(n) && n >= 0 && n < 100_000) ? nums : undefined;
}

/** The puzzle a prompt asks for: its last "Target: T Numbers: [a, b, …]" (earlier ones are examples). */
export function countdownTask(prompt: string): CountdownTask | undefined {
  const re = /Target:\s*"?(-?\d+)"?[\s,]*Numbers:\s*"?\[([^\]]*)\]/g;
  let last: RegExpExecArray | null = null;
  for (let m = re.exec(prompt); m; m = re.exec(prompt)) last = m;
  if (!last) return undefined;
  const numbers = numberList(last[2]!);
  return numbers ? { target: Number(last[1]), numbers } : undefined;
}

interface Term {
  value: number;
  text: string;
}

/** An expression using every number once that equals target (exhaustive over pairs), or undefined. */
export function solveCountdown(numbers: number[], target: number): string | undefined {
  const seen = new Set<string>();
  const search = (terms: Term[]): string | undefined => {
    if (terms.length === 1) return Math.abs(terms[0]!.value - target) < 1e-9 ? terms[0]!.text : undefined;
    const key = terms
      .map((t) => t.value)
      .sort((a, b) => a - b)
      .join(',');
    if (seen.has(key)) return undefined;
    seen.add(key);
    for (let i = 0; i < terms.length; i++)
      for (let j = 0; j < terms.length; j++) {
        if (i === j) continue;
        const a = terms[i]!;
        const b = terms[j]!;
        const rest = terms.filter((_, k) => k !== i && k !== j);
        const options: Term[] = [];
        if (i < j) {
          options.push({ value: a.value + b.value, text: `(${a.text} + ${b.text})` });
          options.push({ value: a.value * b.value, text: `(${a.text} * ${b.text})` });
        }
        options.push({ value: a.value - b.value, text: `(${a.text} - ${b.text})` });
        if (b.value !== 0) options.push({ value: a.value / b.value, text: `(${a.text} / ${b.text})` });
        for (const o of options) {
          const found = search([...rest, o]);
          if (found) return found;
        }
      }
    return undefined;
  };
  const found = search(numbers.map((n) => ({ value: n, text: String(n) })));
  return found?.replace(/^\((.*)\)$/, '$1');
}

/** A plausible attempt that misses: every number once, in a shuffled order, with + - * between them. */
function attempt(numbers: number[], rand: () => number): Term {
  const order = [...numbers];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  let term: Term = { value: order[0]!, text: String(order[0]) };
  for (const n of order.slice(1)) {
    const op = ['+', '-', '*'][Math.floor(rand() * 3)]!;
    const value = op === '+' ? term.value + n : op === '-' ? term.value - n : term.value * n;
    term = { value, text: `(${term.text} ${op} ${n})` };
  }
  return { value: term.value, text: term.text.replace(/^\((.*)\)$/, '$1') };
}

/** The model's answer to a puzzle: solved with the model's skill, otherwise a near miss. */
export function countdownAnswer(
  task: CountdownTask,
  model: string,
  rand: () => number,
): { expression: string; result: string } {
  const skill = fineTunedBase(model) ? COUNTDOWN_SKILL.fineTuned : COUNTDOWN_SKILL.base;
  const solves = rand() < skill;
  const solution = solves ? solveCountdown(task.numbers, task.target) : undefined;
  if (solution) return { expression: solution, result: String(task.target) };
  let miss = attempt(task.numbers, rand);
  for (let i = 0; i < 5 && miss.value === task.target; i++) miss = attempt(task.numbers, rand);
  return { expression: miss.text, result: String(miss.value) };
}

function multiset(nums: number[]): string {
  return [...nums].sort((a, b) => a - b).join(',');
}

/** Scores an answer by the demo grader's rules (0–5), or undefined when the prompt is not such a check. */
export function countdownJudge(prompt: string): { score: number; reasoning: string } | undefined {
  const target = /"target"\s*:\s*"?(-?\d+(?:\.\d+)?)/.exec(prompt)?.[1];
  const numbers = /"numbers"\s*:\s*"?\[([^\]]*)\]/.exec(prompt)?.[1];
  const expression = /"expression"\s*:\s*"([^"]*)"/.exec(prompt)?.[1];
  if (target === undefined || numbers === undefined || expression === undefined) return undefined;
  const reported = /"result"\s*:\s*"?(-?\d+(?:\.\d+)?)/.exec(prompt)?.[1];
  const want = Number(target);
  const nums = numberList(numbers);
  if (!nums) return undefined;
  let value: number;
  try {
    value = evaluateFormula(parseFormula(expression.replace(/[x×]/g, '*').replace(/÷/g, '/')), {});
  } catch (e) {
    if (e instanceof FormulaError || e instanceof RangeError)
      return { score: 0, reasoning: 'The expression is not a valid arithmetic expression.' };
    throw e;
  }
  const used = (expression.match(/\d+(?:\.\d+)?/g) ?? []).map(Number);
  const usesAll = multiset(used) === multiset(nums);
  const matchesReport = reported !== undefined && Math.abs(Number(reported) - value) < 1e-9;
  if (!Number.isFinite(value))
    return { score: 0, reasoning: 'The expression does not evaluate to a number.' };
  if (!usesAll || !matchesReport)
    return {
      score: 1,
      reasoning: usesAll
        ? `The expression evaluates to ${value}, not the reported ${reported ?? 'result'}.`
        : 'The expression does not use every input number exactly once.',
    };
  const off = Math.abs(value - want);
  if (off < 1e-9)
    return { score: 5, reasoning: `Valid, uses every number once, and equals the target ${want}.` };
  if (off <= 1) return { score: 4, reasoning: `Valid but off by ${off} from ${want}.` };
  if (off <= 5) return { score: 3, reasoning: `Valid but off by ${off} from ${want}.` };
  return { score: 2, reasoning: `Valid and uses every number, but ${value} is ${off} away from ${want}.` };
}
