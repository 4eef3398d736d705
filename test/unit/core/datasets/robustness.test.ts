// No input crashes or hangs the validator: random bytes, random JSON, truncated lines, enormous lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkLine, hashBytes, hashLine } from '../../../../src/core/datasets/lineCheck';
import { validateDatasetFile, validateDatasetText } from '../../../../src/core/datasets/validate';
import { both, comparable, tempFile } from './helpers';

function wellFormed(
  r: {
    diagnostics: {
      range: { start: { line: number; character: number }; end: { line: number; character: number } };
      code: string;
      message: string;
    }[];
  },
  text: string,
) {
  const lines = text.replace(/^\ufeff/, '').split('\n');
  for (const d of r.diagnostics) {
    assert.ok(d.code && d.message, 'every diagnostic has a code and a message');
    const { start, end } = d.range;
    assert.ok(
      start.line >= 0 && start.line <= Math.max(0, lines.length - 1),
      `line ${start.line} in a ${lines.length}-line text`,
    );
    assert.ok(end.line > start.line || end.character >= start.character);
    const len = (lines[start.line] ?? '').replace(/\r$/, '').length;
    assert.ok(
      start.character <= len && (end.line > start.line || end.character <= len),
      `${d.code} ${JSON.stringify(d.range)} beyond line length ${len}`,
    );
  }
}

test('random bytes: in-memory and streaming agree, every range lies inside its line', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
      const buf = Buffer.from(bytes);
      const p = tempFile(buf);
      const fromFile = await validateDatasetFile(p);
      const text = buf.toString('utf8');
      wellFormed(fromFile, text);
      // The file reader decodes line by line; when the bytes are valid UTF-8 both views see the same text.
      if (Buffer.from(text, 'utf8').equals(buf))
        assert.deepEqual(comparable(validateDatasetText(text, { fileName: p })), comparable(fromFile));
    }),
    { numRuns: 300 },
  );
});

test('random JSON values and objects as lines, in every format', async () => {
  const line = fc.oneof(
    fc.json(),
    fc.jsonValue().map((v) => JSON.stringify({ messages: v })),
    fc.jsonValue().map((v) => JSON.stringify({ messages: [{ role: 'user', content: v }], x: v })),
    fc.jsonValue().map((v) => JSON.stringify({ input: v, preferred_output: [v], non_preferred_output: v })),
    fc
      .jsonValue()
      .map((v) =>
        JSON.stringify({ messages: [{ role: 'assistant', content: 'a', tool_calls: v }], tools: [v] }),
      ),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(line, { maxLength: 12 }),
      fc.constantFrom('auto', 'rft', 'sft', 'dpo') as fc.Arbitrary<'auto'>,
      async (ls, format) => {
        const text = ls.join('\n');
        const r = await both(text, { format });
        wellFormed(r, text);
      },
    ),
    { numRuns: 150 },
  );
});

test('truncated lines: every prefix of a valid example is handled, errors at or before the cut', () => {
  const full = JSON.stringify({
    messages: [
      { role: 'developer', content: 'Solve "this" \\ that ü 🎉' },
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
    ],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    ref: { a: [1, 2.5e3, null, true] },
  });
  for (let cut = 1; cut < full.length; cut++) {
    const s = checkLine(full.slice(0, cut), { format: 'rft' });
    const d = s.diags.find((x) => x.code === 'jsonl/invalid-json');
    assert.ok(d, `prefix ${cut} should be invalid`);
    assert.ok(d.range.start.character <= cut && d.range.end.character <= cut, `prefix ${cut}`);
  }
  assert.deepEqual(checkLine(full, { format: 'rft' }).diags, []);
});

test('enormous lines: a 5 MB example and 100,000-deep nesting neither crash nor hang', async () => {
  const big = JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(5_000_000) }], target: 1 });
  const t0 = Date.now();
  const r = await both([big, big.slice(0, -1)].join('\n'));
  assert.deepEqual(r.diagnostics.map((d) => d.code).sort(), [
    'dataset/too-few-examples',
    'jsonl/invalid-json',
  ]);
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const r2 = await both(`${deep}\n{"messages":${'['.repeat(50_000)}`);
  wellFormed(r2, `${deep}\n{"messages":${'['.repeat(50_000)}`);
  assert.ok(r2.diagnostics.some((d) => d.code === 'jsonl/not-object'));
  assert.ok(Date.now() - t0 < 30_000, 'took too long');
});

test('a line hashes the same from its text (editor) and from its bytes in place (file), at any offset', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: fc.constantFrom(' ', '\t', '\r', '\n'), maxLength: 5 }),
      fc.nat({ max: 7 }),
      (body, pad, offset) => {
        const text = `${pad}${body}${pad}`;
        const bytes = Buffer.concat([
          Buffer.alloc(offset, 0x41),
          Buffer.from(text, 'utf8'),
          Buffer.from('zz'),
        ]);
        const start = offset;
        const end = offset + Buffer.byteLength(text);
        assert.equal(hashBytes(bytes, start, end), hashLine(text));
        // Surrounding JSON whitespace never matters.
        assert.equal(hashLine(text), hashLine(text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '')));
      },
    ),
    { numRuns: 500 },
  );
  assert.notEqual(hashLine('{"a":1}'), hashLine('{"a":2}'));
});
