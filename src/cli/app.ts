// `rft-studio`: dispatches to a subcommand over the full command list (src/cli/commands), prints help, and maps
// failures to exit codes (0 ok, 1 problems found, 2 usage or I/O error).
import type { CliCommand, CliIO } from './command';
import { commands as allCommands } from './commands';
import { dispatch } from './dispatch';

export { mainHelp } from './dispatch';

export function runCli(
  argv: readonly string[],
  io: CliIO,
  commands: readonly CliCommand[] = allCommands,
): Promise<number> {
  return dispatch(argv, io, commands);
}
