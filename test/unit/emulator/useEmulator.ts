// The emulator a test suite talks to through the real SDK: started before the suite's tests (or the file's, when
// called at top level), closed after them.
import { after, before } from 'node:test';
import OpenAI from 'openai';
import type { Emulator, EmulatorOptions } from '../../../src/emulator/server';
import { startEmulator } from '../../../src/emulator/server';

export interface EmulatorHandle {
  /** Set once the suite's `before` hook has run. */
  em: Emulator;
  client: OpenAI;
}

export function useEmulator(options: EmulatorOptions = { speed: 1000 }): EmulatorHandle {
  const handle = {} as EmulatorHandle;
  before(async () => {
    handle.em = await startEmulator(options);
    handle.client = new OpenAI({ baseURL: handle.em.url, apiKey: 'k', maxRetries: 0 });
  });
  after(() => handle.em.close());
  return handle;
}
