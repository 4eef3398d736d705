// Every `rft-studio` subcommand, in the order `--help` lists them.
import type { CliCommand } from '../command';
import { emulatorCommand } from './emulatorCommand';
import { mapCommand } from './mapCommand';
import { sampleCommand } from './sampleCommand';
import { splitCommand } from './splitCommand';

export const commands: CliCommand[] = [emulatorCommand, mapCommand, sampleCommand, splitCommand];
