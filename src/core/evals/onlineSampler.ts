// The online EvalSampler: sends each request through the candidate's `openai` client with the SDK's own retries
// off, so the runner owns the policy — paced per provider model by a RateController, 429s retried for as long as
// the run lasts, server errors and dropped connections retried a few times with back-off, then reported.
import OpenAI, { type APIPromise } from 'openai';
import type { Logger } from '../log';
import { nullLogger } from '../log';
import { RateController, abortableSleep, retryAfterMs } from './rateControl';
import { parseAnswer } from './requests';
import type { EvalRequest, EvalRequestFailure, EvalSampled, EvalSampler } from './types';

export interface OnlineSamplerOptions {
  /** The client a candidate samples through. */
  clientFor: (candidate: string) => OpenAI;
  /** Upper bound on requests in flight, over all candidates. */
  maxConcurrency: number;
  /** Attempts of a request that fails with a server error or a dropped connection (default 5); 429s do not count. */
  maxAttempts?: number;
  /** First back-off after a server error (default 500 ms), doubled each attempt. */
  backoffMs?: number;
  log?: Logger;
}

/** A rough token count of a request as providers meter it before answering: the prompt plus the output cap. */
export function requestTokenEstimate(request: EvalRequest): number {
  const b = request.body;
  const prompt = JSON.stringify(b.messages ?? b.input ?? '').length / 4;
  const cap = [b.max_completion_tokens, b.max_output_tokens].find((v): v is number => typeof v === 'number');
  return Math.ceil(prompt + (cap ?? 0));
}

/** A 429 that waiting will not fix: over quota, or a request larger than the whole token limit. */
function permanent429(e: InstanceType<typeof OpenAI.APIError>): boolean {
  return e.code === 'insufficient_quota' || /request too large/i.test(e.message);
}

export class OnlineSampler implements EvalSampler {
  private readonly controllers = new Map<string, RateController>();
  private readonly log: Logger;

  constructor(private readonly opts: OnlineSamplerOptions) {
    this.log = opts.log ?? nullLogger;
  }

  /** Rate limits apply per provider and model, so candidates sharing both share a controller. */
  controllerFor(client: OpenAI, model: string): RateController {
    const id = `${client.baseURL} ${model}`;
    let c = this.controllers.get(id);
    if (!c) this.controllers.set(id, (c = new RateController({ maxConcurrency: this.opts.maxConcurrency })));
    return c;
  }

  get stats(): { rateLimited: number; serverErrors: number; succeeded: number } {
    const out = { rateLimited: 0, serverErrors: 0, succeeded: 0 };
    for (const c of this.controllers.values()) {
      out.rateLimited += c.stats.rateLimited;
      out.serverErrors += c.stats.serverErrors;
      out.succeeded += c.stats.succeeded;
    }
    return out;
  }

  async *sample(
    requests: AsyncIterable<EvalRequest> | Iterable<EvalRequest>,
    signal?: AbortSignal,
  ): AsyncIterable<EvalSampled> {
    const it =
      Symbol.asyncIterator in requests
        ? (requests as AsyncIterable<EvalRequest>)[Symbol.asyncIterator]()
        : (requests as Iterable<EvalRequest>)[Symbol.iterator]();
    const ready: EvalSampled[] = [];
    let active = 0;
    let exhausted = false;
    let pulling = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const max = Math.max(1, this.opts.maxConcurrency);
    // Requests are pulled only when a slot is free, so the runner's spend check sees each one just before it goes.
    const pump = async () => {
      if (pulling) return;
      pulling = true;
      try {
        while (!exhausted && !signal?.aborted && active < max && active + ready.length < max * 2) {
          const r = await it.next();
          if (r.done) {
            exhausted = true;
            break;
          }
          active++;
          void this.one(r.value, signal).then((res) => {
            active--;
            if (res) ready.push(res);
            notify();
            void pump();
          });
        }
      } catch (e) {
        failure = e;
        exhausted = true;
      } finally {
        pulling = false;
        notify();
      }
    };
    void pump();
    for (;;) {
      while (ready.length) {
        yield ready.shift()!;
        void pump();
      }
      if (failure) throw failure;
      if ((exhausted || signal?.aborted) && active === 0 && !pulling) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }

  /** One request to its end: an answer, a failure, or nothing when the run is cancelled. */
  private async one(request: EvalRequest, signal?: AbortSignal): Promise<EvalSampled | undefined> {
    const client = this.opts.clientFor(request.candidate);
    const ctl = this.controllerFor(client, String(request.body.model));
    const tokens = requestTokenEstimate(request);
    const maxAttempts = this.opts.maxAttempts ?? 5;
    let attempts = 0;
    for (;;) {
      try {
        await ctl.acquire(tokens, signal);
      } catch {
        return undefined;
      }
      const t0 = performance.now();
      try {
        const options = { signal, maxRetries: 0 };
        const call =
          request.endpoint === '/v1/responses'
            ? client.responses.create(request.body as never, options)
            : client.chat.completions.create(request.body as never, options);
        const { data, response } = await (call as APIPromise<unknown>).withResponse();
        ctl.release(tokens);
        ctl.onSuccess(response.headers);
        return { request, response: parseAnswer(request, data, performance.now() - t0), cached: false };
      } catch (e) {
        ctl.release(tokens);
        if (signal?.aborted || e instanceof OpenAI.APIUserAbortError) return undefined;
        const api = e instanceof OpenAI.APIError ? e : undefined;
        const status = api?.status;
        if (status === 429 && api && !permanent429(api)) {
          // Never lose an item to a rate limit: wait as told and try again.
          ctl.onRateLimited(retryAfterMs(api.headers as Headers | undefined));
          continue;
        }
        attempts++;
        const retryable =
          status === undefined || status >= 500 || status === 408 || status === 409 || status === 429;
        const message = (e as Error).message ?? String(e);
        if (!retryable || (status === 429 && api && permanent429(api)) || attempts >= maxAttempts) {
          const failure: EvalRequestFailure = { message, ...(status ? { status } : {}), retryable };
          this.log.warn(
            `eval: ${request.candidate} item ${request.item} sample ${request.sample}: ${message}`,
          );
          return { request, failure };
        }
        ctl.onServerError();
        const wait =
          retryAfterMs(api?.headers as Headers | undefined) ??
          (this.opts.backoffMs ?? 500) * 2 ** (attempts - 1);
        try {
          await abortableSleep(wait * (0.75 + Math.random() * 0.5), signal);
        } catch {
          return undefined;
        }
      }
    }
  }
}
