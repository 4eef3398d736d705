// The meeting point between the provider feature (which owns configurations and secrets) and the features
// that need a client (Grader Lab sampling and remote verification, model graders). Built by the composition root.
import type OpenAI from 'openai';

export interface ActiveProvider {
  label: string;
  client: OpenAI;
  /** The provider serves the alpha graders run endpoint. */
  graderRun: boolean;
  modelGraders: boolean;
}

export class ProviderHub {
  private source: () => Promise<ActiveProvider | undefined> = async () => undefined;

  /** The provider feature installs how to get the active provider's client. */
  setSource(source: () => Promise<ActiveProvider | undefined>): void {
    this.source = source;
  }

  active(): Promise<ActiveProvider | undefined> {
    return this.source();
  }
}
