// A local OpenAI / Azure OpenAI API emulator: a real node:http server with files, uploads, fine-tuning jobs
// that move through states over time, alpha graders, a deterministic fake model and fault injection.
import type { Logger } from '../core/log';

export interface EmulatorOptions {
  /** 0 = any free port. */
  port?: number;
  host?: string;
  /** N× faster than real time (default 1: a job takes about a minute). */
  speed?: number;
  log?: Logger;
}

export interface Emulator {
  /** OpenAI-style base URL, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  /** Azure-style base URL, e.g. http://127.0.0.1:PORT/openai/v1 */
  azureUrl: string;
  port: number;
  close(): Promise<void>;
}

export function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  void opts;
  throw new Error('startEmulator: not implemented yet');
}
