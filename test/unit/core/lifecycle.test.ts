import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Disposable, DisposableStore, toDisposable } from '../../../src/core/lifecycle';

class Owner extends Disposable {
  add(fn: () => void) {
    return this._register(toDisposable(fn));
  }
}

test('dispose runs registered disposables once, in reverse order', () => {
  const order: number[] = [];
  const o = new Owner();
  o.add(() => order.push(1));
  o.add(() => order.push(2));
  o.dispose();
  o.dispose();
  assert.deepEqual(order, [2, 1]);
});

test('registering after dispose disposes immediately', () => {
  const o = new Owner();
  o.dispose();
  let called = 0;
  o.add(() => called++);
  assert.equal(called, 1);
});

test('one failing disposable does not stop the others', () => {
  const o = new Owner();
  let ran = false;
  o.add(() => (ran = true));
  o.add(() => {
    throw new Error('boom');
  });
  assert.throws(() => o.dispose(), /boom/);
  assert.equal(ran, true);
});

test('a DisposableStore disposes what it holds once, last added first', () => {
  const order: string[] = [];
  const store = new DisposableStore();
  store.add(toDisposable(() => order.push('a')));
  const b = store.add(toDisposable(() => order.push('b')));
  store.dispose();
  store.dispose();
  b.dispose();
  assert.deepEqual(order, ['b', 'a']);
});
