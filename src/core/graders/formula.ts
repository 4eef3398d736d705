// The `calculate_output` language of multi graders: numbers (with exponents), variables named by the
// grader keys, + - * / ^ (right-associative, binds tighter than unary minus), unary minus and plus,
// parentheses, and min max abs floor ceil exp sqrt log. A parser and a tree evaluator; no eval/Function.
// Hostile formulas are refused with a FormulaError (the emulator answers it with a 400): the text is capped in
// length, the parser in nesting, and the tree walkers are iterative, so no formula reaches the stack limit.

export type FormulaNode =
  | { kind: 'num'; value: number; start: number; end: number }
  | { kind: 'var'; name: string; start: number; end: number }
  | { kind: 'neg'; arg: FormulaNode; start: number; end: number }
  | {
      kind: 'bin';
      op: '+' | '-' | '*' | '/' | '^';
      left: FormulaNode;
      right: FormulaNode;
      start: number;
      end: number;
    }
  | { kind: 'call'; fn: FormulaFunction; args: FormulaNode[]; start: number; end: number };

export const FORMULA_FUNCTIONS = ['min', 'max', 'abs', 'floor', 'ceil', 'exp', 'sqrt', 'log'] as const;
export type FormulaFunction = (typeof FORMULA_FUNCTIONS)[number];

const ARITY: Record<FormulaFunction, [number, number]> = {
  min: [1, Infinity],
  max: [1, Infinity],
  abs: [1, 1],
  floor: [1, 1],
  ceil: [1, 1],
  exp: [1, 1],
  sqrt: [1, 1],
  log: [1, 1],
};

/**
 * The platform documents no limit. 10,000 characters is far beyond any real formula (the longest in the reference
 * material is under 100) and keeps parsing and every walk of the tree cheap.
 */
export const MAX_FORMULA_LENGTH = 10_000;
/** Parentheses, calls, signs and powers nested deeper than this are refused (the parser recurses on them). */
export const MAX_FORMULA_NESTING = 100;

export class FormulaError extends Error {
  constructor(
    message: string,
    /** Offsets in the formula text. */
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

type Token =
  | { t: 'num'; v: number; s: number; e: number }
  | { t: 'id'; v: string; s: number; e: number }
  | { t: 'op'; v: string; s: number; e: number }
  | { t: 'eof'; s: number; e: number };

const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(src);
    if (num) {
      out.push({ t: 'num', v: Number(num[0]), s: i, e: i + num[0].length });
      i += num[0].length;
      continue;
    }
    IDENT.lastIndex = i;
    const id = IDENT.exec(src);
    if (id) {
      out.push({ t: 'id', v: id[0], s: i, e: i + id[0].length });
      i += id[0].length;
      continue;
    }
    if (src.startsWith('**', i))
      throw new FormulaError('"**" is not an operator here: use ^ for powers', i, i + 2);
    if ('+-*/^(),'.includes(c)) {
      out.push({ t: 'op', v: c, s: i, e: i + 1 });
      i++;
      continue;
    }
    throw new FormulaError(`unexpected character "${c}"`, i, i + 1);
  }
  out.push({ t: 'eof', s: src.length, e: src.length });
  return out;
}

/** Parses a formula; throws FormulaError with the offending range. */
export function parseFormula(src: string): FormulaNode {
  if (src.length > MAX_FORMULA_LENGTH)
    throw new FormulaError(
      `formula is ${src.length} characters long; at most ${MAX_FORMULA_LENGTH} are accepted`,
      MAX_FORMULA_LENGTH,
      src.length,
    );
  const toks = tokenize(src);
  let p = 0;
  let nesting = 0;
  const peek = () => toks[p]!;
  const isOp = (v: string) => {
    const t = peek();
    return t.t === 'op' && t.v === v;
  };
  const expect = (v: string, what: string) => {
    const t = peek();
    if (t.t === 'op' && t.v === v) {
      p++;
      return t;
    }
    throw new FormulaError(
      `expected ${what}${t.t === 'eof' ? ' before the end' : ''}`,
      t.s,
      Math.max(t.e, t.s + 1),
    );
  };

  const parseExpr = (): FormulaNode => {
    let left = parseTerm();
    while (isOp('+') || isOp('-')) {
      const op = (toks[p++] as { v: '+' | '-' }).v;
      const right = parseTerm();
      left = { kind: 'bin', op, left, right, start: left.start, end: right.end };
    }
    return left;
  };
  const parseTerm = (): FormulaNode => {
    let left = parseUnary();
    while (isOp('*') || isOp('/')) {
      const op = (toks[p++] as { v: '*' | '/' }).v;
      const right = parseUnary();
      left = { kind: 'bin', op, left, right, start: left.start, end: right.end };
    }
    return left;
  };
  // Every recursive path of the grammar passes here, so this one counter bounds the parser's stack.
  const parseUnary = (): FormulaNode => {
    const t = peek();
    if (++nesting > MAX_FORMULA_NESTING)
      throw new FormulaError(
        `formula nested more than ${MAX_FORMULA_NESTING} levels deep (parentheses, calls, signs or powers)`,
        t.s,
        Math.max(t.e, t.s + 1),
      );
    try {
      if (t.t === 'op' && (t.v === '-' || t.v === '+')) {
        p++;
        const arg = parseUnary();
        return t.v === '-' ? { kind: 'neg', arg, start: t.s, end: arg.end } : arg;
      }
      return parsePower();
    } finally {
      nesting--;
    }
  };
  const parsePower = (): FormulaNode => {
    const base = parsePrimary();
    if (isOp('^')) {
      p++;
      const exp = parseUnary(); // right-associative: 2^3^2 = 2^(3^2); 2^-1 allowed
      return { kind: 'bin', op: '^', left: base, right: exp, start: base.start, end: exp.end };
    }
    return base;
  };
  const parsePrimary = (): FormulaNode => {
    const t = peek();
    if (t.t === 'num') {
      p++;
      return { kind: 'num', value: t.v, start: t.s, end: t.e };
    }
    if (t.t === 'id') {
      p++;
      if (isOp('(')) {
        if (!(FORMULA_FUNCTIONS as readonly string[]).includes(t.v))
          throw new FormulaError(
            `unknown function "${t.v}" (allowed: ${FORMULA_FUNCTIONS.join(', ')})`,
            t.s,
            t.e,
          );
        p++;
        const args: FormulaNode[] = [];
        if (!isOp(')')) {
          args.push(parseExpr());
          while (isOp(',')) {
            p++;
            args.push(parseExpr());
          }
        }
        const close = expect(')', '")" to close the call');
        const fn = t.v as FormulaFunction;
        const [lo, hi] = ARITY[fn];
        if (args.length < lo || args.length > hi)
          throw new FormulaError(
            `${fn} takes ${hi === Infinity ? `at least ${lo} argument` : `${lo} argument`}${lo === 1 && hi === 1 ? '' : 's'}, got ${args.length}`,
            t.s,
            close.e,
          );
        return { kind: 'call', fn, args, start: t.s, end: close.e };
      }
      return { kind: 'var', name: t.v, start: t.s, end: t.e };
    }
    if (t.t === 'op' && t.v === '(') {
      p++;
      const inner = parseExpr();
      const close = expect(')', '")"');
      return { ...inner, start: t.s, end: close.e };
    }
    if (t.t === 'eof')
      throw new FormulaError(src.trim() ? 'unexpected end of formula' : 'empty formula', t.s, t.e);
    throw new FormulaError(`unexpected "${t.v}"`, t.s, t.e);
  };

  const node = parseExpr();
  const rest = peek();
  if (rest.t !== 'eof') {
    const what = rest.t === 'num' ? String(rest.v) : rest.v;
    throw new FormulaError(`unexpected "${what}" (missing operator?)`, rest.s, rest.e);
  }
  return node;
}

/** Every variable the formula names, with its range (for lint against the grader keys), in source order. */
export function formulaVariables(
  node: FormulaNode,
  acc: Array<{ name: string; start: number; end: number }> = [],
) {
  const stack: FormulaNode[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    switch (n.kind) {
      case 'var':
        acc.push({ name: n.name, start: n.start, end: n.end });
        break;
      case 'neg':
        stack.push(n.arg);
        break;
      case 'bin':
        stack.push(n.right, n.left);
        break;
      case 'call':
        for (let i = n.args.length - 1; i >= 0; i--) stack.push(n.args[i]!);
        break;
      case 'num':
        break;
    }
  }
  return acc;
}

/** Evaluates with IEEE semantics (x/0 = ±Infinity, log(-1) = NaN); callers decide what non-finite means. */
export function evaluateFormula(node: FormulaNode, vars: Readonly<Record<string, number>>): number {
  // Post-order on an explicit stack: a flat sum of thousands of terms is a tree thousands of levels deep.
  const work: Array<{ node: FormulaNode; visited: boolean }> = [{ node, visited: false }];
  const values: number[] = [];
  while (work.length) {
    const top = work.pop()!;
    const n = top.node;
    if (!top.visited) {
      switch (n.kind) {
        case 'num':
          values.push(n.value);
          continue;
        case 'var':
          if (!Object.prototype.hasOwnProperty.call(vars, n.name))
            throw new FormulaError(`unknown variable "${n.name}"`, n.start, n.end);
          values.push(vars[n.name]!);
          continue;
        case 'neg':
          work.push({ node: n, visited: true }, { node: n.arg, visited: false });
          continue;
        case 'bin':
          work.push(
            { node: n, visited: true },
            { node: n.right, visited: false },
            { node: n.left, visited: false },
          );
          continue;
        case 'call':
          work.push({ node: n, visited: true });
          for (let i = n.args.length - 1; i >= 0; i--) work.push({ node: n.args[i]!, visited: false });
          continue;
      }
    }
    values.push(apply(n, values));
  }
  return values[0]!;
}

/** Combines a visited node's operands, which are the last values computed. */
function apply(n: FormulaNode, values: number[]): number {
  switch (n.kind) {
    case 'neg':
      return -values.pop()!;
    case 'bin': {
      const b = values.pop()!;
      const a = values.pop()!;
      switch (n.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        case '^':
          return Math.pow(a, b);
      }
      break;
    }
    case 'call': {
      const args = values.splice(values.length - n.args.length, n.args.length);
      switch (n.fn) {
        case 'min':
          return Math.min(...args);
        case 'max':
          return Math.max(...args);
        case 'abs':
          return Math.abs(args[0]!);
        case 'floor':
          return Math.floor(args[0]!);
        case 'ceil':
          return Math.ceil(args[0]!);
        case 'exp':
          return Math.exp(args[0]!);
        case 'sqrt':
          return Math.sqrt(args[0]!);
        case 'log':
          return Math.log(args[0]!);
      }
    }
  }
  throw new Error('unreachable');
}
