// Every `rft-studio` subcommand, in the order `--help` lists them.
import type { CliCommand } from '../command';
import { emulatorCommand } from './emulatorCommand';
import { evalCommand } from './evalCommand';
import { gradeCommand } from './gradeCommand';
import { jobsCommand } from './jobsCommand';
import { labCommand } from './labCommand';
import { lintCommand } from './lintCommand';
import { mapCommand } from './mapCommand';
import { mcpCommand } from './mcpCommand';
import { sampleCommand } from './sampleCommand';
import { splitCommand } from './splitCommand';
import { statsCommand } from './statsCommand';
import { testCommand } from './testCommand';
import { validateCommand } from './validateCommand';

export const commands: CliCommand[] = [
  emulatorCommand,
  evalCommand,
  gradeCommand,
  jobsCommand,
  labCommand,
  lintCommand,
  mapCommand,
  mcpCommand,
  sampleCommand,
  splitCommand,
  statsCommand,
  testCommand,
  validateCommand,
];
