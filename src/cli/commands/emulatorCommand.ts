// `rft-studio emulator`: runs the local OpenAI / Azure OpenAI API emulator until stopped (Ctrl+C).
import type { CliCommand } from '../command';
import { EXIT, UsageError } from '../command';
import type { Logger } from '../../core/log';
import { formatLogArgs } from '../../core/log';
import { startEmulator } from '../../emulator/server';

const USAGE = `Usage: rft-studio emulator [--port P] [--host H] [--speed N] [--allow-python]
                            [--requests-per-minute N] [--tokens-per-minute N] [--quiet]

Runs a local API emulator that speaks the OpenAI and Azure OpenAI wire formats: files and uploads,
fine-tuning jobs (create, list, retrieve, cancel, pause, resume, events, checkpoints) that move through
validating_files → queued → running → succeeded and emit RFT metrics events, the alpha graders run and
validate (graded by RFT Studio's grader engine), and chat completions, responses and embeddings from a
deterministic fake model. Any non-empty key is accepted.

Base URLs (printed on start):
  OpenAI style   http://HOST:PORT/v1         (Authorization: Bearer KEY)
  Azure style    http://HOST:PORT/openai/v1  (api-key: KEY; ?api-version= is ignored)

Fault injection:
  POST /__emulator/faults  {"path":"/v1/fine_tuning/jobs","method":"POST","kind":"429","count":1,"retryAfter":1}
  (the /__emulator/ endpoints need an API key too: Authorization: Bearer KEY or api-key: KEY)
  kinds: 429 (with retry-after), 500, slow (delayMs), drop (processed, response lost), reset (not processed),
  training_not_available (403). GET lists the rules, DELETE clears them. A request header
  x-emulator-fault: KIND[;param=value] applies to that request only.
  Job metadata {"emulator_scenario": "fail" | "valid-gap" | "parse-errors"} makes a job fail mid-run, let
  validation reward fall behind, or raise parse errors.

Options:
  --port P         port to listen on (default 8787; 0 = any free port)
  --host H         interface (default 127.0.0.1)
  --speed N        run jobs N times faster (default 1: about a minute per job)
  --allow-python   run python graders sent to graders/run (they execute code from the request; by default
                   they come back with python_grader_server_error "not_allowed")
  --requests-per-minute N
                   per-model limit of chat completions, responses and embeddings (default 10000); answers
                   carry x-ratelimit-* headers, and a request past the limit gets 429 with retry-after
  --tokens-per-minute N
                   per-model token limit of the same endpoints (default 10000000; a request counts its prompt
                   estimate plus its max_tokens / max_completion_tokens / max_output_tokens)
  --quiet          do not log each request

Exit codes: 130 stopped with Ctrl+C (SIGINT); 2 usage error or the port is taken.
`;

function positiveNumber(raw: unknown, name: string, fallback: number, allowZero = false): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    throw new UsageError(
      `--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number (got "${String(raw)}")`,
    );
  return n;
}

export const emulatorCommand: CliCommand = {
  name: 'emulator',
  summary: 'run the local OpenAI/Azure API emulator (jobs, files, graders, fake model)',
  usage: USAGE,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    speed: { type: 'string' },
    quiet: { type: 'boolean' },
    'allow-python': { type: 'boolean' },
    'requests-per-minute': { type: 'string' },
    'tokens-per-minute': { type: 'string' },
  },
  async run({ values }, io) {
    const port = positiveNumber(values.port, 'port', 8787, true);
    if (!Number.isInteger(port) || port > 65535)
      throw new UsageError(`--port must be an integer 0–65535 (got "${String(values.port)}")`);
    const speed = positiveNumber(values.speed, 'speed', 1);
    const perMinute = (name: 'requests-per-minute' | 'tokens-per-minute') => {
      const raw = values[name];
      if (raw === undefined) return undefined;
      const n = positiveNumber(raw, name, 1);
      if (!Number.isInteger(n))
        throw new UsageError(`--${name} must be a positive integer (got "${String(raw)}")`);
      return n;
    };
    const rateLimits = {
      requestsPerMinute: perMinute('requests-per-minute'),
      tokensPerMinute: perMinute('tokens-per-minute'),
    };
    const host = typeof values.host === 'string' && values.host ? values.host : '127.0.0.1';
    const quiet = values.quiet === true;
    const line =
      (level: string) =>
      (message: string | Error, ...args: unknown[]) => {
        if (!quiet || level === 'error')
          io.stderr(`[${new Date().toISOString()}] ${level} ${formatLogArgs(message, args)}\n`);
      };
    const log: Logger = {
      trace() {},
      debug() {},
      info: line('info'),
      warn: line('warn'),
      error: line('error'),
    };
    let emulator;
    try {
      emulator = await startEmulator({
        port,
        host,
        speed,
        log,
        allowPython: values['allow-python'] === true,
        rateLimits,
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      io.stderr(
        `rft-studio emulator: cannot listen on ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}\n`,
      );
      return EXIT.usage;
    }
    io.stdout(
      `RFT Studio emulator running (jobs ${speed}× real time).\n` +
        `  OpenAI base URL: ${emulator.url}\n` +
        `  Azure base URL:  ${emulator.azureUrl}\n` +
        `Press Ctrl+C to stop.\n`,
    );
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await emulator.close();
    io.stdout('Emulator stopped.\n');
    return EXIT.ok;
  },
};
