// JobPoller with a fake clock shared by the emulator (so jobs progress exactly as fast as the poller's
// time), through JobsService and the real openai SDK: intervals, backoff on errors and on no change,
// retry-after, visibility, only-new events, transitions, and no requests once nothing is active.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { JobsService } from '../../../../src/core/jobs/jobsService';
import type { FineTuningJobEvent } from '../../../../src/core/jobs/jobsService';
import type { PollerChange, PollerClock } from '../../../../src/core/jobs/poller';
import { JobPoller } from '../../../../src/core/jobs/poller';
import type { Emulator } from '../../../../src/emulator/server';
import { startEmulator } from '../../../../src/emulator/server';

class FakeClock implements PollerClock {
  t = Date.parse('2026-11-26T06:00:00Z');
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers.delete(id as number);
  };
  get pending(): number {
    return this.timers.size;
  }
  /** Jumps to the earliest timer and fires it; false when none is set. */
  fireNext(): boolean {
    const next = [...this.timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
    if (!next) return false;
    this.timers.delete(next[0]);
    this.t = Math.max(this.t, next[1].at);
    next[1].fn();
    return true;
  }
}

const BASE = 10_000;
const resources: Array<{ close(): unknown }> = [];

async function setup(opts: { frozenEmulator?: boolean; speed?: number } = {}) {
  const clock = new FakeClock();
  // A frozen emulator only moves when the test says so: its job never changes while the poller waits.
  let frozenAt = clock.t;
  const em: Emulator = await startEmulator({
    speed: opts.speed ?? 1,
    now: opts.frozenEmulator ? () => frozenAt : clock.now,
  });
  const client = new OpenAI({ baseURL: em.url, apiKey: 'k', maxRetries: 0 });
  const poller = new JobPoller({
    service: new JobsService(client),
    clock,
    intervalMs: BASE,
    maxIntervalMs: 300_000,
    hiddenIntervalMs: 60_000,
  });
  const changes: PollerChange[] = [];
  poller.onDidChange((c) => changes.push(c));
  resources.push({ close: () => poller.dispose() }, em);
  /** Fires the next timer and waits until the poll it started has rescheduled; returns the new delay. */
  const step = async (): Promise<number | undefined> => {
    const done = new Promise<PollerChange & { type: 'scheduled' }>((resolve) => {
      const sub = poller.onDidChange((c) => {
        if (c.type === 'scheduled') {
          sub.dispose();
          resolve(c);
        }
      });
    });
    assert.ok(clock.fireNext(), 'a poll was scheduled');
    return (await done).delayMs;
  };
  const createJob = async () => {
    const text = `${Array.from({ length: 16 }, (_, i) => JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }], a: `${i}` })).join('\n')}\n`;
    const f = await client.files.create({
      file: await toFile(Buffer.from(text), 't.jsonl'),
      purpose: 'fine-tune',
    });
    // File processing takes 1 s of emulator time at speed 1.
    if (opts.frozenEmulator) frozenAt += 2000 / (opts.speed ?? 1);
    else clock.t += 2000 / (opts.speed ?? 1);
    return client.fineTuning.jobs.create({
      model: 'o4-mini-2025-04-16',
      training_file: f.id,
      validation_file: f.id,
      method: {
        type: 'reinforcement',
        reinforcement: {
          grader: {
            type: 'string_check',
            name: 'g',
            input: '{{sample.output_text}}',
            reference: '{{item.a}}',
            operation: 'eq',
          },
        },
      },
    } as OpenAI.FineTuning.JobCreateParams);
  };
  return { clock, em, client, poller, changes, step, createJob };
}

afterEach(async () => {
  while (resources.length) await resources.pop()!.close();
});

describe('JobPoller', () => {
  test('follows a job to success: transitions in order, every event exactly once, then silence', async () => {
    const { clock, em, client, poller, changes, step, createJob } = await setup();
    const job = await createJob();
    poller.track(job.id);
    const delays: Array<number | undefined> = [];
    for (let i = 0; i < 100 && clock.pending; i++) delays.push(await step());
    assert.equal(poller.nextPollAt, undefined, 'nothing scheduled once the job succeeded');
    assert.equal(delays.at(-1), undefined);
    const transitions = changes.filter(
      (c): c is Extract<PollerChange, { type: 'transition' }> => c.type === 'transition',
    );
    assert.ok(transitions.length >= 2);
    assert.equal(transitions.at(-1)!.to, 'succeeded');
    for (let i = 1; i < transitions.length; i++) assert.equal(transitions[i]!.from, transitions[i - 1]!.to);
    assert.equal(transitions[0]!.from, 'validating_files');
    // A running job changes every poll (new metrics), so the interval stays at the base.
    assert.ok(
      delays.slice(0, -1).every((d) => d === BASE),
      `delays: ${delays.join(', ')}`,
    );

    const seen = changes.flatMap((c) => (c.type === 'events' ? c.events : [])) as FineTuningJobEvent[];
    const all = (await new JobsService(client).eventsSince(job.id)).events;
    assert.deepEqual(
      seen.map((e) => e.id),
      all.map((e) => e.id),
      'each event reported once, oldest first',
    );
    assert.ok(changes.some((c) => c.type === 'checkpoints' && c.checkpoints.length > 0));

    const requests = em.requests().length;
    clock.t += 3_600_000;
    poller.setVisible(false);
    poller.setVisible(true);
    assert.equal(clock.pending, 0);
    assert.equal(em.requests().length, requests, 'no requests after the job finished');
  });

  test('backs off exponentially on errors, honours retry-after, survives dropped connections, recovers', async () => {
    // Slow jobs (10 minutes) so the job is still running after minutes of backoff.
    const { em, poller, changes, step, createJob } = await setup({ speed: 0.1 });
    const job = await createJob();
    poller.track(job.id);
    assert.equal(await step(), BASE);
    em.addFault({ path: '/fine_tuning/jobs/*', method: 'GET', kind: '500', count: 2 });
    em.addFault({ path: '/fine_tuning/jobs/*', method: 'GET', kind: 'reset', count: 1 });
    assert.equal(await step(), 2 * BASE);
    assert.equal(await step(), 4 * BASE);
    assert.equal(await step(), 8 * BASE);
    const errors = changes.filter((c): c is Extract<PollerChange, { type: 'error' }> => c.type === 'error');
    assert.deepEqual(
      errors.map((e) => [e.error.status ?? e.error.code, e.retryInMs]),
      [
        [500, 2 * BASE],
        [500, 4 * BASE],
        ['connection_error', 8 * BASE],
      ],
    );
    assert.equal(await step(), BASE, 'back to the base interval after a successful poll');
    assert.ok(changes.some((c) => c.type === 'recovered'));
    em.addFault({ path: '/fine_tuning/jobs/*', method: 'GET', kind: '429', retryAfter: 120 });
    assert.equal(await step(), 120_000, 'retry-after beats the shorter backoff');
    assert.equal(poller.tracked()[0]!.lastError?.status, 429);
    assert.equal(await step(), BASE);
  });

  test('backs off when nothing changes, up to the ceiling; pollNow resets', async () => {
    const { poller, step, createJob } = await setup({ frozenEmulator: true });
    const job = await createJob();
    poller.track(job.id);
    const delays = [];
    for (let i = 0; i < 8; i++) delays.push(await step());
    assert.deepEqual(delays, [BASE, 2 * BASE, 4 * BASE, 8 * BASE, 16 * BASE, 300_000, 300_000, 300_000]);
    const sched = new Promise<number | undefined>((resolve) => {
      const sub = poller.onDidChange((c) => c.type === 'scheduled' && (sub.dispose(), resolve(c.delayMs)));
    });
    await poller.pollNow();
    assert.equal(await sched, 2 * BASE, 'reset: one more unchanged poll after the refresh');
  });

  test('hidden view: slower while a job is active, silent when none is; back to normal when shown', async () => {
    const { clock, em, client, poller, step, createJob } = await setup({ frozenEmulator: true });
    const job = await createJob();
    poller.setVisible(false);
    poller.track(job.id);
    assert.equal(await step(), 60_000);
    assert.equal(await step(), 120_000, 'unchanged backoff applies on top of the hidden interval');
    poller.setVisible(true);
    assert.ok(poller.nextPollAt! - clock.t <= 1000, 'shown again: poll soon');
    poller.untrack(job.id);
    assert.equal(poller.nextPollAt, undefined);

    // A finished job tracked with its known state: no requests, hidden or not.
    const done = await client.fineTuning.jobs.cancel(job.id);
    const before = em.requests().length;
    poller.setVisible(false);
    poller.track(done.id, { job: done });
    assert.equal(clock.pending, 0);
    poller.setVisible(true);
    assert.equal(clock.pending, 0);
    await poller.pollNow();
    assert.equal(em.requests().length, before, 'terminal jobs are not polled even on refresh');
  });

  test('after a reload: only events newer than the remembered one; paused jobs wait for pollNow', async () => {
    const { clock, client, poller, changes, step, createJob } = await setup();
    const job = await createJob();
    clock.t += 30_000; // running, several steps in
    const service = new JobsService(client);
    const known = await service.eventsSince(job.id);
    const lastSeen = known.latestId!;
    clock.t += 10_000;
    const snapshot = await client.fineTuning.jobs.retrieve(job.id);
    poller.track(job.id, { job: snapshot, lastEventId: lastSeen });
    await step();
    const fresh = changes.flatMap((c) => (c.type === 'events' ? c.events : []));
    assert.ok(fresh.length > 0);
    assert.ok(!fresh.some((e) => known.events.some((k) => k.id === e.id)), 'no event reported twice');
    const paused = await client.fineTuning.jobs.pause(job.id);
    assert.equal(paused.status, 'paused');
    await step();
    assert.equal(poller.nextPollAt, undefined, 'a paused job is not polled');
    await client.fineTuning.jobs.resume(job.id);
    await poller.pollNow();
    assert.equal(poller.tracked()[0]!.job!.status, 'queued');
    assert.ok(poller.nextPollAt !== undefined, 'active again after resume');
    const t = changes.filter((c) => c.type === 'transition').map((c) => (c as { to: string }).to);
    assert.deepEqual(t.slice(-2), ['paused', 'queued']);
  });
});
