import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  evaluateFormula,
  FormulaError,
  formulaVariables,
  MAX_FORMULA_LENGTH,
  MAX_FORMULA_NESTING,
  parseFormula,
} from '../../../../src/core/graders/formula';

const ev = (s: string, vars: Record<string, number> = {}) => evaluateFormula(parseFormula(s), vars);

describe('calculate_output formulas', () => {
  it('evaluates the documented language', () => {
    assert.equal(ev('1 + 2 * 3'), 7);
    assert.equal(ev('(1 + 2) * 3'), 9);
    assert.equal(ev('2 ^ 3 ^ 2'), 512); // right-associative
    assert.equal(ev('-2 ^ 2'), -4); // power binds tighter than unary minus
    assert.equal(ev('2 ^ -1'), 0.5);
    assert.equal(ev('1e-3 * 1E3'), 1);
    assert.equal(ev('.5 + 2.'), 2.5);
    assert.equal(ev('min(3, 1, 2) + max(4, 5)'), 6);
    assert.equal(ev('abs(-2) + floor(1.7) + ceil(1.2) + sqrt(9)'), 8);
    assert.equal(ev('log(exp(2))'), 2);
    assert.equal(ev('--1'), 1);
    assert.equal(ev('0.5 * a + 0.5 * b_2', { a: 1, b_2: 0 }), 0.5);
  });

  it('computes the Build Hour F1 and the F2 variant', () => {
    const f1 = '2 * precision * recall / max(precision + recall, 1e-9)';
    const f2 = '5 * precision * recall / max(4 * precision + recall, 1e-9)';
    assert.equal(ev(f1, { precision: 0.5, recall: 1 }), 2 / 3);
    assert.equal(ev(f1, { precision: 0, recall: 0 }), 0);
    assert.equal(ev(f2, { precision: 0.5, recall: 1 }), (5 * 0.5) / (4 * 0.5 + 1));
  });

  it('rejects bad formulas with a position', () => {
    const bad: Array<[string, number]> = [
      ['', 0],
      ['1 +', 3],
      ['(1 + 2', 6],
      ['1 2', 2],
      ['a ** b', 2],
      ['pow(2, 3)', 0],
      ['sqrt()', 0],
      ['abs(1, 2)', 0],
      ['1 % 2', 2],
      ['max(1,)', 6],
      ['__import__("os")', 11],
    ];
    for (const [src, at] of bad) {
      assert.throws(
        () => parseFormula(src),
        (e: unknown) => e instanceof FormulaError && e.start === at,
        `${src} should fail at ${at}`,
      );
    }
  });

  it('reports unknown variables at evaluation with their range', () => {
    const ast = parseFormula('a + bee');
    assert.deepEqual(
      formulaVariables(ast).map((v) => [v.name, v.start, v.end]),
      [
        ['a', 0, 1],
        ['bee', 4, 7],
      ],
    );
    assert.throws(() => evaluateFormula(ast, { a: 1 }), FormulaError);
  });

  // Random expression trees, printed with full parentheses, evaluate to what the tree computes.
  type T = { s: string; v: (x: Record<string, number>) => number };
  const leaf: fc.Arbitrary<T> = fc.oneof(
    fc
      .double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true })
      .map((n) => ({ s: String(n), v: () => n })),
    fc.constantFrom('a', 'b', 'c').map((k) => ({ s: k, v: (x: Record<string, number>) => x[k]! })),
  );
  const tree = fc.letrec<{ t: T }>((tie) => ({
    t: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.tuple(tie('t'), fc.constantFrom('+', '-', '*', '/', '^'), tie('t')).map(([l, op, r]) => ({
        s: `(${l.s} ${op} ${r.s})`,
        v: (x: Record<string, number>) => {
          const a = l.v(x);
          const b = r.v(x);
          return op === '+'
            ? a + b
            : op === '-'
              ? a - b
              : op === '*'
                ? a * b
                : op === '/'
                  ? a / b
                  : Math.pow(a, b);
        },
      })),
      tie('t').map((a) => ({ s: `(-(${a.s}))`, v: (x: Record<string, number>) => -a.v(x) })),
      fc
        .tuple(fc.constantFrom('min', 'max'), fc.array(tie('t'), { minLength: 1, maxLength: 3 }))
        .map(([fn, args]) => ({
          s: `${fn}(${args.map((a) => a.s).join(', ')})`,
          v: (x: Record<string, number>) => (fn === 'min' ? Math.min : Math.max)(...args.map((a) => a.v(x))),
        })),
      fc.tuple(fc.constantFrom('abs', 'floor', 'ceil', 'exp', 'sqrt', 'log'), tie('t')).map(([fn, a]) => ({
        s: `${fn}(${a.s})`,
        v: (x: Record<string, number>) => (Math[fn as 'abs'] as (n: number) => number)(a.v(x)),
      })),
    ),
  }));

  it('property: printed random trees parse and evaluate to the tree value', () => {
    fc.assert(
      fc.property(
        tree.t,
        fc.double({ noNaN: true, min: -10, max: 10 }),
        fc.double({ noNaN: true, min: -10, max: 10 }),
        fc.double({ noNaN: true, min: -10, max: 10 }),
        (t, a, b, c) => {
          const vars = { a, b, c };
          assert.ok(
            Object.is(ev(t.s, vars), t.v(vars)) || (Number.isNaN(ev(t.s, vars)) && Number.isNaN(t.v(vars))),
            t.s,
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('property: arbitrary strings either parse or throw FormulaError (never anything else)', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(...'0123456789.eE+-*/^(),abminxlogsqrt _'.split('')),
          maxLength: 30,
        }),
        (s) => {
          try {
            parseFormula(s);
          } catch (e) {
            assert.ok(e instanceof FormulaError, `${s}: ${String(e)}`);
            assert.ok(e.start >= 0 && e.start <= s.length);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('hostile sizes: a flat sum near the length cap evaluates (iteratively), longer formulas and deep nesting are FormulaErrors at a position', () => {
    const terms = Math.floor((MAX_FORMULA_LENGTH + 1) / 2); // a+a+…+a: 2 characters per term
    const flat = Array.from({ length: terms }, () => 'a').join('+');
    assert.ok(flat.length <= MAX_FORMULA_LENGTH);
    const tree = parseFormula(flat);
    assert.equal(evaluateFormula(tree, { a: 1 }), terms);
    assert.equal(formulaVariables(tree).length, terms);
    assert.equal(formulaVariables(tree)[terms - 1]!.start, flat.length - 1, 'variables in source order');

    const tooLong = `${flat}+a+a`;
    assert.throws(
      () => parseFormula(tooLong),
      (e: unknown) =>
        e instanceof FormulaError &&
        /at most 10000/.test(e.message) &&
        e.start === MAX_FORMULA_LENGTH &&
        e.end === tooLong.length,
    );
    const nested = (open: string, close: string, n: number) => `${open.repeat(n)}a${close.repeat(n)}`;
    assert.equal(ev(nested('(', ')', MAX_FORMULA_NESTING - 5), { a: 2 }), 2);
    for (const deep of [
      nested('(', ')', 2000),
      nested('abs(', ')', 1500),
      `${'-'.repeat(5000)}a`,
      Array.from({ length: 3000 }, () => 'a').join('^'),
    ])
      assert.throws(
        () => parseFormula(deep),
        (e: unknown) =>
          e instanceof FormulaError && /nested more than 100 levels/.test(e.message) && e.start > 0,
      );
  });
});
