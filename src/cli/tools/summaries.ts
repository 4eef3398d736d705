// The short text a language model reads first from a tool result: counts, the problems grouped by rule code with
// file:line references, a few examples per group. The full JSON report travels beside it.

interface DiagnosticJson {
  line: number;
  column?: number;
  severity: string;
  code: string;
  message: string;
}
interface FileJson {
  path: string;
  format?: string;
  examples?: number;
  diagnostics: DiagnosticJson[];
}

const EXAMPLES_PER_CODE = 3;
const MAX_GROUPS = 15;

/** Diagnostics of every file, grouped by rule code, most severe and most frequent first. */
export function diagnosticsSummary(files: readonly FileJson[]): string {
  const lines: string[] = [];
  const groups = new Map<string, { severity: string; items: { path: string; d: DiagnosticJson }[] }>();
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const f of files) {
    for (const d of f.diagnostics ?? []) {
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
      else infos++;
      const g = groups.get(d.code) ?? { severity: d.severity, items: [] };
      g.items.push({ path: f.path, d });
      groups.set(d.code, g);
    }
  }
  const described = files
    .map(
      (f) =>
        `${f.path}${f.format ? ` (${f.format}${f.examples !== undefined ? `, ${f.examples} examples` : ''})` : ''}`,
    )
    .join(', ');
  lines.push(`${described}: ${errors} error(s), ${warnings} warning(s), ${infos} info.`);
  const rank = (s: string) => (s === 'error' ? 0 : s === 'warning' ? 1 : 2);
  const sorted = [...groups].sort(
    ([, a], [, b]) => rank(a.severity) - rank(b.severity) || b.items.length - a.items.length,
  );
  for (const [code, g] of sorted.slice(0, MAX_GROUPS)) {
    lines.push(`- ${g.severity} ${code} × ${g.items.length}`);
    for (const { path, d } of g.items.slice(0, EXAMPLES_PER_CODE))
      lines.push(`  ${path}:${d.line}${d.column ? `:${d.column}` : ''}: ${d.message}`);
    if (g.items.length > EXAMPLES_PER_CODE) lines.push(`  … and ${g.items.length - EXAMPLES_PER_CODE} more`);
  }
  if (sorted.length > MAX_GROUPS)
    lines.push(`… and ${sorted.length - MAX_GROUPS} more rule codes (see the JSON)`);
  return lines.join('\n');
}

function num(v: unknown, digits = 3): string {
  return typeof v === 'number' && Number.isFinite(v) ? String(Number(v.toFixed(digits))) : '-';
}

interface EvalReportJson {
  run?: string;
  runs?: string[];
  candidates?: {
    label: string;
    model: string;
    mean: number;
    ci: number[];
    pass_rate: number;
    samples: number;
    errors: number;
  }[];
  comparisons?: {
    a: string;
    b: string;
    difference: number;
    ci: number[];
    p_value: number;
    wins: number;
    ties: number;
    losses: number;
    items: number;
  }[];
  gates?: { name: string; passed: boolean; message: string }[];
}

/** An eval report in a few lines: each candidate, each comparison, each gate. */
export function evalReportSummary(r: EvalReportJson): string {
  const out = [`Eval run ${r.runs?.join(' and ') ?? r.run ?? '?'}:`];
  for (const c of r.candidates ?? [])
    out.push(
      `- ${c.label} (${c.model}): mean ${num(c.mean)} [95% CI ${num(c.ci[0])}, ${num(c.ci[1])}], pass rate ${Number.isFinite(c.pass_rate) ? `${(c.pass_rate * 100).toFixed(1)}%` : '-'}, ${c.samples} sample(s), ${c.errors} error(s)`,
    );
  for (const c of r.comparisons ?? [])
    out.push(
      `- ${c.a} − ${c.b}: ${num(c.difference)} [95% CI ${num(c.ci[0])}, ${num(c.ci[1])}], p ${num(c.p_value, 4)} (Wilcoxon), wins/ties/losses ${c.wins}/${c.ties}/${c.losses} over ${c.items} item(s)`,
    );
  for (const g of r.gates ?? [])
    out.push(`- gate ${g.passed ? 'passed' : 'FAILED'}: ${g.name}: ${g.message}`);
  return out.join('\n');
}

export function summarize(tool: string, data: unknown, exitCode: number): string {
  const d = (data ?? {}) as Record<string, unknown>;
  switch (tool) {
    case 'rft_eval_run':
    case 'rft_eval_summary':
      return evalReportSummary(d as EvalReportJson);
    case 'rft_validate_dataset':
    case 'rft_lint_grader':
      return diagnosticsSummary((d.files as FileJson[] | undefined) ?? []);
    case 'rft_dataset_stats': {
      const keys = Object.keys(d);
      return `Statistics of the dataset (exit ${exitCode}); sections: ${keys.join(', ')}. Read the JSON for the figures.`;
    }
    case 'rft_grade': {
      const s = (d.summary ?? {}) as Record<string, unknown>;
      const rows = (d.rows as { line: number; reward: number | null; errors: string[] }[] | undefined) ?? [];
      const flagged = Object.entries((s.errors as Record<string, number> | undefined) ?? {});
      const lines = [
        `Graded ${num(s.count, 0)} row(s): mean ${num(s.mean)}, min ${num(s.min)}, max ${num(s.max)}.`,
        flagged.length
          ? `Error flags: ${flagged.map(([k, n]) => `${k} on ${n} row(s)`).join(', ')}.`
          : 'No error flags.',
        ...rows
          .slice(0, 20)
          .map(
            (r) =>
              `  line ${r.line}: reward ${r.reward === null ? 'none' : num(r.reward, 6)}${r.errors?.length ? ` [${r.errors.join(', ')}]` : ''}`,
          ),
      ];
      if (rows.length > 20) lines.push(`  … and ${rows.length - 20} more rows (see the JSON)`);
      return lines.join('\n');
    }
    case 'rft_lab_analyze': {
      const a = d as {
        analysis?: {
          graders: {
            graderId: string;
            label: string;
            signal: {
              verdict: string;
              meanReward: number;
              flatItems: number;
              items: number;
              errorRate: number;
            };
          }[];
        };
        probes?: { graderId: string; title: string; meanReward: number; exploitable: boolean }[];
        recommendation?: { text: string };
      };
      const lines = (a.analysis?.graders ?? []).map((g) => {
        const s = g.signal;
        const paid = (a.probes ?? []).filter((p) => p.graderId === g.graderId && p.exploitable);
        return `- ${g.label}: ${s.verdict}, mean ${num(s.meanReward)}, ${s.flatItems}/${s.items} items flat, errors ${num(s.errorRate * 100, 0)}%${paid.length ? `; pays probes: ${paid.map((p) => `"${p.title}" ${num(p.meanReward)}`).join(', ')}` : ''}`;
      });
      return [...lines, a.recommendation?.text ?? ''].join('\n');
    }
    case 'rft_list_jobs': {
      const jobs =
        (d.jobs as { id: string; status: string; model: string; fine_tuned_model?: string | null }[]) ?? [];
      if (!jobs.length) return 'No fine-tuning jobs.';
      return [
        `${jobs.length} job(s)${d.has_more ? ' (more exist: raise limit)' : ''}:`,
        ...jobs.map(
          (j) => `- ${j.id} ${j.status} ${j.model}${j.fine_tuned_model ? ` → ${j.fine_tuned_model}` : ''}`,
        ),
      ].join('\n');
    }
    case 'rft_job_status': {
      const job = (d.job ?? {}) as Record<string, unknown>;
      const m = (d.metrics ?? {}) as {
        steps?: number;
        total_steps?: number;
        latest?: Record<string, unknown>;
      };
      const err = job.error as { message?: string } | null | undefined;
      return [
        `${String(job.id)}: ${String(job.status)} (${String(job.model)}${job.fine_tuned_model ? ` → ${String(job.fine_tuned_model)}` : ''})`,
        ...(err?.message ? [`error: ${err.message}`] : []),
        m.latest
          ? `step ${num(m.latest.step, 0)}/${m.total_steps ?? '?'}: train reward ${num(m.latest.trainRewardMean)}, validation reward ${num(m.latest.validRewardMean)}`
          : 'no metrics yet',
      ].join('\n');
    }
    default:
      return `exit ${exitCode}`;
  }
}
