// Every `rft-studio` subcommand, in the order `--help` lists them.
import type { CliCommand } from '../command';
import { mapCommand } from './mapCommand';
import { sampleCommand } from './sampleCommand';
import { splitCommand } from './splitCommand';

export const commands: CliCommand[] = [mapCommand, sampleCommand, splitCommand];
