import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { tempFile } from '../../../lib/tempFiles';
import { readJsonlLines, splitJsonlText } from '../../../../src/core/datasets/jsonlReader';

const file = (content: string | Buffer): string => tempFile(content);
async function readAll(p: string, chunkSize?: number) {
  let bom: boolean | undefined;
  const lines = [];
  for await (const l of readJsonlLines(p, { chunkSize, onBom: (b) => (bom = b) })) lines.push(l);
  return { lines, bom };
}

test('LF, CRLF, blank lines and a missing final newline', async () => {
  const { lines, bom } = await readAll(file('{"a":1}\r\n\n{"b":2}\n{"c":3}'));
  assert.equal(bom, false);
  assert.deepEqual(
    lines.map((l) => [l.line, l.text, l.crlf]),
    [
      [0, '{"a":1}', true],
      [1, '', false],
      [2, '{"b":2}', false],
      [3, '{"c":3}', false],
    ],
  );
  assert.equal(lines[2].byteOffset, 10);
});

test('a BOM is reported and stripped, offsets count it', async () => {
  const { lines, bom } = await readAll(
    file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"x":"é"}\n')])),
  );
  assert.equal(bom, true);
  assert.equal(lines[0].text, '{"x":"é"}');
  assert.equal(lines[0].byteOffset, 3);
  assert.equal(lines[0].byteLength, Buffer.byteLength('{"x":"é"}'));
});

test('lines longer than the chunk size and multi-byte characters across chunk borders', async () => {
  const long = JSON.stringify({ t: 'ü€😀'.repeat(50_000) });
  const { lines } = await readAll(file(`${long}\n{"b":1}\n`), 4096);
  assert.equal(lines.length, 2);
  assert.equal(lines[0].text, long);
  assert.equal(lines[1].byteOffset, Buffer.byteLength(long) + 1);
});

test('empty file yields nothing', async () => {
  const { lines, bom } = await readAll(file(''));
  assert.equal(lines.length, 0);
  assert.equal(bom, false);
});

test('streamed lines equal splitJsonlText for any text and chunk size', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof(fc.string(), fc.constantFrom('', '\r', '{"a":1}', 'é😀')), { maxLength: 20 }),
      fc.constantFrom('\n', '\r\n'),
      fc.boolean(),
      fc.boolean(),
      fc.integer({ min: 1, max: 64 }),
      async (parts, eol, bomFlag, finalEol, chunk) => {
        const clean = parts.map((p) => p.replace(/[\r\n]/g, ''));
        const text = (bomFlag ? '\ufeff' : '') + clean.join(eol) + (finalEol && clean.length ? eol : '');
        const expected = splitJsonlText(text);
        const { lines, bom } = await readAll(file(text), chunk);
        assert.deepEqual(
          lines.map((l) => l.text),
          expected.lines,
        );
        assert.equal(bom, expected.hasBom);
      },
    ),
    { numRuns: 150 },
  );
});
