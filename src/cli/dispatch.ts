// Runs one `rft-studio` subcommand from a given command list: help, argument parsing, and failures mapped to exit
// codes (0 ok, 1 problems found, 2 usage or I/O error). src/cli/app.ts runs it over every command; the agent tools
// over the few they need, so the extension bundle carries only those.
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand, CliIO } from './command';
import { EXIT, UsageError } from './command';
import { describeFileError, InputFileError } from '../core/io/inputFile';

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

export function mainHelp(commands: readonly CliCommand[]): string {
  const width = Math.max(8, ...commands.map((c) => c.name.length));
  return [
    'rft-studio — check datasets and graders for reinforcement fine-tuning, grade locally, run jobs.',
    '',
    'Usage: rft-studio <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `rft-studio <command> --help` for a command's options.",
    'Exit codes: 0 ok, 1 problems found, 2 usage or I/O error.',
    '',
  ].join('\n');
}

export async function dispatch(
  argv: readonly string[],
  io: CliIO,
  commands: readonly CliCommand[],
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(mainHelp(commands));
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${VERSION}\n`);
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`rft-studio: unknown command '${name}'\n\n${mainHelp(commands)}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    return EXIT.ok;
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...rest],
      options: command.options,
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    }) as typeof parsed;
  } catch (e) {
    io.stderr(`rft-studio ${name}: ${(e as Error).message}\n\n${command.usage}\n`);
    return EXIT.usage;
  }
  try {
    return await command.run(parsed, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`rft-studio ${name}: ${e.message}\n\n${command.usage}\n`);
      return EXIT.usage;
    }
    if (e instanceof InputFileError) {
      io.stderr(`rft-studio ${name}: ${e.message}\n`);
      return EXIT.usage;
    }
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.code === 'string' && err.syscall) {
      const where = typeof err.path === 'string' ? path.relative(io.cwd, err.path) || err.path : undefined;
      io.stderr(`rft-studio ${name}: ${(where && describeFileError(err, where)) ?? err.message}\n`);
      return EXIT.usage;
    }
    // A bug, not the user's doing: one line by default (the stack when asked for), never a wall of frames.
    const detail = io.env.RFT_STUDIO_DEBUG ? (err?.stack ?? String(e)) : (err?.message ?? String(e));
    io.stderr(
      `rft-studio ${name}: internal error: ${detail}\n${io.env.RFT_STUDIO_DEBUG ? '' : '(set RFT_STUDIO_DEBUG=1 for the stack trace)\n'}`,
    );
    return EXIT.usage;
  }
}
