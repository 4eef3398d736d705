// NearClaims: which thread fingerprints which lines. Whoever reaches a chunk of lines first owns all of it, the
// other thread none of it; lines past the claims' end belong to the caller. (That the two threads' fingerprints
// together give the statistics computed in one thread is checked in statsFastPaths.test.ts, with the real worker.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NearClaims } from '../../../../src/core/stats/fileTokens';

const { CALLER, WORKER } = NearClaims;

test('the first to reach a chunk owns every line of it; the other owns none', () => {
  const claims = NearClaims.forFile(10_000);
  const chunk = 1 << claims.shift;
  assert.equal(claims.shift, 6);
  // The worker runs ahead over the first three chunks; the caller takes the fourth first.
  for (let line = 0; line < 3 * chunk; line++) assert.equal(claims.take(line, WORKER), true);
  assert.equal(claims.take(3 * chunk + 5, CALLER), true);
  for (let line = 0; line < 4 * chunk; line++) {
    const workers = line < 3 * chunk;
    assert.equal(claims.take(line, CALLER), !workers, `line ${line}, caller`);
    assert.equal(claims.take(line, WORKER), workers, `line ${line}, worker`);
  }
});

test('claims live in shared memory: a copy made from the same array sees the same owners', () => {
  const claims = NearClaims.forFile(1000);
  // What a worker receives: the Int8Array (over a SharedArrayBuffer) and the shift.
  assert.ok(claims.claims.buffer instanceof SharedArrayBuffer);
  const there = new NearClaims(claims.claims, claims.shift);
  assert.equal(there.take(0, WORKER), true);
  assert.equal(claims.take(1, CALLER), false);
});

test("a huge file gets at most 2^20 chunks; lines past the end are the caller's", () => {
  const claims = NearClaims.forFile(2 ** 30);
  assert.ok(claims.claims.length <= (1 << 20) + 1);
  const past = claims.claims.length << claims.shift;
  assert.equal(claims.take(past, WORKER), false);
  assert.equal(claims.take(past, CALLER), true);
  // An empty file still has a chunk for its one (empty) line.
  assert.equal(NearClaims.forFile(0).take(0, WORKER), true);
});
