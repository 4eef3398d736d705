// KeyedDebouncer: the last schedule per key wins, keys are independent, cancel/dispose drop pending work, and
// errors reach onError. Driven by node:test's mock timers (no real waiting).
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedDebouncer } from '../../../src/core/keyedDebouncer';

function setup(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const errors: [unknown, string][] = [];
  const d = new KeyedDebouncer({ delayMs: 60, onError: (e, k) => errors.push([e, k]) });
  return { d, errors };
}

test('only the last schedule for a key runs, after the delay', (t) => {
  const { d } = setup(t);
  const runs: string[] = [];
  d.schedule('a', () => void runs.push('first'));
  t.mock.timers.tick(30);
  d.schedule('a', () => void runs.push('second'));
  t.mock.timers.tick(59);
  assert.deepEqual(runs, []);
  assert.equal(d.isPending('a'), true);
  t.mock.timers.tick(1);
  assert.deepEqual(runs, ['second']);
  assert.equal(d.isPending('a'), false);
});

test('keys are independent and a per-call delay overrides the default', (t) => {
  const { d } = setup(t);
  const runs: string[] = [];
  d.schedule('a', () => void runs.push('a'));
  d.schedule('b', () => void runs.push('b'), 0);
  t.mock.timers.tick(0);
  assert.deepEqual(runs, ['b']);
  t.mock.timers.tick(60);
  assert.deepEqual(runs, ['b', 'a']);
});

test('cancel and dispose drop pending work; schedule after dispose does nothing', (t) => {
  const { d } = setup(t);
  const runs: string[] = [];
  d.schedule('a', () => void runs.push('a'));
  d.schedule('b', () => void runs.push('b'));
  d.cancel('a');
  t.mock.timers.tick(60);
  assert.deepEqual(runs, ['b']);
  d.schedule('c', () => void runs.push('c'));
  d.dispose();
  d.schedule('d', () => void runs.push('d'));
  t.mock.timers.tick(1000);
  assert.deepEqual(runs, ['b']);
});

test('a throwing or rejecting run reaches onError with its key', async (t) => {
  const { d, errors } = setup(t);
  d.schedule('sync', () => {
    throw new Error('boom');
  });
  d.schedule('async', async () => {
    throw new Error('later');
  });
  t.mock.timers.tick(60);
  await new Promise<void>((r) => queueMicrotask(r));
  await Promise.resolve();
  assert.deepEqual(errors.map(([e, k]) => [(e as Error).message, k]).sort(), [
    ['boom', 'sync'],
    ['later', 'async'],
  ]);
});
