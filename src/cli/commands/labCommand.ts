// `rft-studio lab`: the Grader Lab without the editor — runs one or more graders on a dataset's samples with the
// same LabSession the editor's panel drives, and prints whether each gives RFT a learning signal, the
// reward-hacking probes and which grader to prefer. The agent tool rft_lab_analyze prints its JSON.
import * as path from 'node:path';
import type { CliCommand } from '../command';
import { EXIT, UsageError } from '../command';
import { checkInputFile, readInputText } from '../../core/io/inputFile';
import { nullLogger } from '../../core/log';
import { LabSession, type LabProvider } from '../../core/lab/labSession';
import { createClient } from '../../core/providers/client';
import type { LabEvent } from '../../core/lab/types';

type AnalysisEvent = Extract<LabEvent, { type: 'analysis' }>;

export const labCommand: CliCommand = {
  name: 'lab',
  summary: 'run graders on samples and say which gives a learning signal (the Grader Lab, headless)',
  usage: `Usage: rft-studio lab --grader G.json [--grader G2.json]… --data ITEMS.jsonl --samples SAMPLES.jsonl
                      [--response-format RF.json] [--threshold T] [--allow-python] [--base-url URL]
                      [--reporter text|json]

Grades every sample with every grader, locally, as the editor's Grader Lab does, then reports per grader whether
rewards vary within items (a learning signal), saturation and errors, how graders agree, the reward-hacking
probes (empty answer, every label at once, …) and which grader to prefer.

Options:
  --grader FILE        a grader JSON (repeat to compare several)
  --data FILE          the dataset JSONL whose items the graders read
  --samples FILE       samples JSONL: several per item allowed, matched by "id" or by line
  --response-format F  the job's response_format (or its JSON schema)
  --threshold T        pass threshold for the agreement between graders (default 0.5)
  --allow-python       run python graders (in the bubblewrap sandbox; refused where there is none)
  --base-url URL       OpenAI-compatible endpoint for model graders (score_model, label_model), with the key in
                       OPENAI_API_KEY (default OPENAI_BASE_URL, or api.openai.com when only the key is set)
  --reporter R         text (default) or json ({"analysis", "probes", "recommendation"})

Exit codes: 0 analysed, 2 usage or I/O error (including a run that could not grade).
`,
  options: {
    grader: { type: 'string', multiple: true },
    data: { type: 'string' },
    samples: { type: 'string' },
    'response-format': { type: 'string' },
    threshold: { type: 'string' },
    'allow-python': { type: 'boolean', default: false },
    'base-url': { type: 'string' },
    reporter: { type: 'string', default: 'text' },
  },
  async run({ values }, io) {
    const graders = (values.grader as string[] | undefined) ?? [];
    if (!graders.length) throw new UsageError('give at least one --grader');
    if (typeof values.data !== 'string') throw new UsageError('--data is required');
    if (typeof values.samples !== 'string') throw new UsageError('--samples is required');
    const reporter = String(values.reporter);
    if (reporter !== 'text' && reporter !== 'json') throw new UsageError(`--reporter must be text or json`);
    let threshold: number | undefined;
    if (values.threshold !== undefined) {
      threshold = Number(values.threshold);
      if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1)
        throw new UsageError('--threshold must be a number from 0 to 1');
    }
    const abs = (p: string) => path.resolve(io.cwd, p);
    const responseFormat =
      typeof values['response-format'] === 'string' ? abs(values['response-format']) : undefined;
    for (const f of [
      ...graders.map(abs),
      abs(values.data),
      abs(values.samples),
      ...(responseFormat ? [responseFormat] : []),
    ])
      await checkInputFile(f);
    const allowPython = values['allow-python'] === true;
    // Model graders (score_model, label_model) call this endpoint, as `rft-studio grade` does; without a key or
    // a URL they fail with the engine's own error per row.
    const apiKey = io.env.OPENAI_API_KEY;
    const baseURL = typeof values['base-url'] === 'string' ? values['base-url'] : io.env.OPENAI_BASE_URL;
    const provider: LabProvider | undefined =
      apiKey || baseURL
        ? {
            label: 'CLI',
            client: createClient(
              {
                id: 'cli',
                kind: baseURL ? 'compatible' : 'openai',
                label: 'CLI',
                baseURL: baseURL ?? 'https://api.openai.com/v1',
                auth: apiKey ? 'apiKey' : 'none',
              },
              { apiKey },
            ),
            graderRun: false,
            modelGraders: true,
          }
        : undefined;
    const events: LabEvent[] = [];
    const session = new LabSession({
      log: nullLogger,
      emit: (e) => events.push(e),
      provider: async () => provider,
      // Python graders then run in the sandbox; where there is none the engine flags them (sandbox_unavailable).
      trusted: () => allowPython,
      pythonRefusedNotice:
        'python graders are not run without --allow-python (they score 0 with python_grader_server_error); pass --allow-python to run them in the sandbox.',
      confirmSampling: async () => false,
      readText: (f) => readInputText(f, path.relative(io.cwd, f) || f),
    });
    try {
      await session.setDataset(abs(values.data));
      await session.addGraders(graders.map(abs));
      await session.setSamplesFile(abs(values.samples));
      await session.setResponseFormat(responseFormat);
      if (threshold !== undefined) await session.setThreshold(threshold);
      await session.run();
    } finally {
      session.dispose();
    }
    const statuses = events.filter((e): e is Extract<LabEvent, { type: 'status' }> => e.type === 'status');
    const last = statuses.at(-1)?.status;
    const analysis = events.filter((e): e is AnalysisEvent => e.type === 'analysis').at(-1);
    if (!analysis || last?.phase === 'error') {
      io.stderr(`rft-studio lab: ${last?.message ?? 'nothing was graded'}\n`);
      return EXIT.usage;
    }
    for (const n of events) if (n.type === 'notice') io.stderr(`${n.level}: ${n.message}\n`);
    const report = {
      analysis: analysis.analysis,
      probes: analysis.probes,
      recommendation: analysis.recommendation,
    };
    if (reporter === 'json') {
      io.stdout(`${JSON.stringify(report)}\n`);
      return EXIT.ok;
    }
    const out: string[] = [];
    for (const g of analysis.analysis.graders) {
      const s = g.signal;
      out.push(
        `${g.label}: ${s.verdict} — mean ${s.meanReward.toFixed(3)}, ${s.flatItems}/${s.items} items flat, errors ${(s.errorRate * 100).toFixed(0)}%`,
        `  ${s.explanation}`,
      );
      for (const p of analysis.probes.filter((x) => x.graderId === g.graderId && x.exploitable))
        out.push(
          `  probe "${p.title}" is paid ${p.meanReward.toFixed(3)} (real samples ${p.baseline.toFixed(3)})`,
        );
    }
    out.push('', analysis.recommendation.text, '');
    io.stdout(out.join('\n'));
    return EXIT.ok;
  },
};
