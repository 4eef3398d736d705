// JUnit XML for CI servers (Jenkins, GitLab, GitHub test reporters): a generic writer over suites and cases,
// and the two documents RFT Studio emits: grader unit tests (`rft-studio test --reporter junit`, a suite per file)
// and eval gates (`rft-studio eval run --reporter junit`, a suite per spec). Checked against Jenkins' junit-10.xsd.
import * as path from 'node:path';
import type { EvalGateResult } from '../../core/evals/types';
import type { GraderTestResult } from '../../core/gradertests/run';

export interface JUnitCase {
  name: string;
  classname: string;
  /** Seconds. */
  time: number;
  failure?: { message: string; type: string; body: string };
  error?: { message: string; type: string; body: string };
  systemOut?: string;
}

export interface JUnitSuite {
  name: string;
  /** The file the suite came from (relative), for CI servers that link to it. */
  file?: string;
  cases: JUnitCase[];
}

// XML 1.0 cannot carry these at all, even escaped (C0 controls other than tab/LF/CR, lone surrogates,
// U+FFFE/U+FFFF); they are written as a visible \uXXXX so a grader's odd output still reaches the report.
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- matching the control characters XML forbids is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Text content: &, < and > escaped (> too, so a `]]>` in a message is harmless). */
export function xmlText(s: string): string {
  return s.replace(NOT_XML, visible).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value in double quotes; tabs and line breaks as character references, or parsers fold them to spaces. */
export function xmlAttr(s: string): string {
  return xmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** junit-10.xsd's SUREFIRE_TIME: plain decimals (no exponent), so never `1e-7`. */
function seconds(t: number): string {
  return (Number.isFinite(t) && t > 0 ? t : 0).toFixed(3);
}

export function renderJUnit(suites: readonly JUnitSuite[], opts: { name: string }): string {
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let time = 0;
  const body: string[] = [];
  for (const s of suites) {
    const f = s.cases.filter((c) => c.failure).length;
    const e = s.cases.filter((c) => c.error).length;
    const t = s.cases.reduce((a, c) => a + c.time, 0);
    tests += s.cases.length;
    failures += f;
    errors += e;
    time += t;
    body.push(
      `  <testsuite name="${xmlAttr(s.name)}" tests="${s.cases.length}" failures="${f}" errors="${e}" skipped="0" time="${seconds(t)}"${s.file ? ` file="${xmlAttr(s.file)}"` : ''}>`,
    );
    for (const c of s.cases) {
      const open = `    <testcase name="${xmlAttr(c.name)}" classname="${xmlAttr(c.classname)}" time="${seconds(c.time)}"`;
      const inner: string[] = [];
      for (const [tag, v] of [
        ['failure', c.failure],
        ['error', c.error],
      ] as const)
        if (v)
          inner.push(
            `      <${tag} message="${xmlAttr(v.message)}" type="${xmlAttr(v.type)}">${xmlText(v.body)}</${tag}>`,
          );
      if (c.systemOut) inner.push(`      <system-out>${xmlText(c.systemOut)}</system-out>`);
      body.push(inner.length ? `${open}>\n${inner.join('\n')}\n    </testcase>` : `${open}/>`);
    }
    body.push('  </testsuite>');
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlAttr(opts.name)}" tests="${tests}" failures="${failures}" errors="${errors}" time="${seconds(time)}">`,
    ...body,
    '</testsuites>',
    '',
  ].join('\n');
}

function rel(cwd: string, file: string): string {
  const r = path.relative(cwd, file);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r.split(path.sep).join('/') : file;
}

/** Grader unit tests as JUnit: one suite per test file, one case per line; file:line in every failure. */
export function graderTestsJUnit(results: readonly GraderTestResult[], opts: { cwd: string }): string {
  const byFile = new Map<string, GraderTestResult[]>();
  for (const r of results) {
    const list = byFile.get(r.file) ?? [];
    list.push(r);
    byFile.set(r.file, list);
  }
  const suites: JUnitSuite[] = [...byFile].map(([file, rs]) => {
    const name = rel(opts.cwd, file);
    return {
      name,
      file: name,
      cases: rs.map((r): JUnitCase => {
        const where = `${name}:${r.line + 1}`;
        const detail = [
          `${where}`,
          `expected: ${r.expected}`,
          `actual:   ${r.reward === null ? 'not run' : `reward ${r.reward}`}${r.errors.length ? `, errors ${r.errors.join(', ')}` : ''}`,
          ...r.details.map((d) => `note: ${d}`),
        ].join('\n');
        const c: JUnitCase = {
          name: r.name,
          classname: name.replace(/\.gradertest\.jsonl$/, '').replace(/[/\\]/g, '.'),
          time: r.durationMs / 1000,
        };
        if (r.status === 'failed')
          c.failure = {
            message: `${r.message ?? 'failed'} (${where})`,
            type: 'RewardMismatch',
            body: detail,
          };
        if (r.status === 'errored')
          c.error = {
            message: `${r.message ?? 'could not run'} (${where})`,
            type: 'GraderTestError',
            body: detail,
          };
        return c;
      }),
    };
  });
  return renderJUnit(suites, { name: 'rft-studio test' });
}

/**
 * Eval gates as JUnit (for `rft-studio eval run --reporter junit`): one suite for the spec, one case per gate,
 * a failure with the gate's message (which says by how much it missed).
 */
export function evalGatesJUnit(
  gates: readonly EvalGateResult[],
  opts: { specPath: string; cwd: string; run?: string; time?: number },
): string {
  const name = rel(opts.cwd, opts.specPath);
  const classname = name.replace(/\.rfteval\.json$/, '').replace(/[/\\]/g, '.');
  const cases = gates.map((g): JUnitCase => ({
    name: g.name,
    classname,
    time: 0,
    ...(g.passed
      ? {}
      : {
          failure: {
            message: g.message,
            type: 'GateFailed',
            body: `${name}\ngate: ${JSON.stringify(g.gate)}\n${g.message}`,
          },
        }),
    ...(opts.run ? { systemOut: `run: ${opts.run}\n${g.message}` } : {}),
  }));
  if (cases.length && opts.time !== undefined) cases[0]!.time = opts.time;
  return renderJUnit([{ name, file: name, cases }], { name: 'rft-studio eval run' });
}
