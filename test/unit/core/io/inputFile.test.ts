// Opening user-named inputs: only regular files, never blocking, plain messages; text must be UTF-8.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  checkInputFile,
  describeFileError,
  InputFileError,
  outputExists,
  readInputText,
} from '../../../../src/core/io/inputFile';
import { tempDir } from '../../../lib/tempFiles';

const dir = tempDir('rft-input-');
const rejects = (p: Promise<unknown>, re: RegExp) =>
  assert.rejects(
    p,
    (e: unknown) => e instanceof InputFileError && re.test(e.message) && !/E[A-Z]{3,}/.test(e.message),
  );

test('anything but a regular file is refused with the path and a plain reason, a FIFO without a writer included', async () => {
  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const folder = join(dir, 'folder.jsonl');
  mkdirSync(folder);
  await rejects(checkInputFile(fifo), /pipe is a named pipe \(FIFO\): give a regular file$/);
  await rejects(readInputText(fifo, '--grader'), /^--grader .*pipe is a named pipe/);
  await rejects(checkInputFile(folder), /folder\.jsonl is a folder/);
  await rejects(checkInputFile('/dev/null'), /\/dev\/null is a device/);
  await rejects(checkInputFile(join(dir, 'missing.jsonl')), /missing\.jsonl does not exist$/);
  await rejects(checkInputFile(join(dir, 'missing', 'x.jsonl')), /does not exist/);
  const ok = join(dir, 'ok.jsonl');
  writeFileSync(ok, '{}\n');
  assert.equal(await checkInputFile(ok), 3);
  assert.equal(
    describeFileError(Object.assign(new Error('x'), { code: 'EACCES' }), 'f'),
    'f cannot be read (permission denied)',
  );
  assert.equal(describeFileError(new Error('plain'), 'f'), undefined);
});

test('readInputText: UTF-8 (BOM kept for the caller), UTF-16 and invalid bytes refused at their line and column', async () => {
  const p = (name: string, bytes: Buffer) => {
    const f = join(dir, name);
    writeFileSync(f, bytes);
    return f;
  };
  assert.equal(await readInputText(p('bom.json', Buffer.from('\uFEFF{"é":1}'))), '\uFEFF{"é":1}');
  await rejects(
    readInputText(p('utf16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')]))),
    /utf16\.json is UTF-16 \(little-endian, with a byte-order mark\): save it as UTF-8/,
  );
  await rejects(
    readInputText(
      p(
        'latin1.json',
        Buffer.concat([Buffer.from('{\n  "a": "caf'), Buffer.from([0xe9]), Buffer.from('"\n}')]),
      ),
    ),
    /latin1\.json:2:12: not valid UTF-8 \(byte 0xe9\)/,
  );
});

test('outputExists', async () => {
  assert.equal(await outputExists(join(dir, 'nothing-here.jsonl')), false);
  writeFileSync(join(dir, 'there.jsonl'), '');
  assert.equal(await outputExists(join(dir, 'there.jsonl')), true);
});
