import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  formatPath,
  lookupPath,
  parsePath,
  parseTemplate,
  renderTemplate,
  TemplateVariableError,
} from '../../../../src/core/graders/template';

const ns = {
  item: {
    label: 'yes',
    n: 3,
    nested: { date: '2025-01-02', list: [{ code: 'a' }, { code: 'b' }] },
    obj: { a: 1, b: [true, null] },
    'with-dash': 'd',
  },
  sample: {
    output_text: 'hello',
    output_json: { answer: 'x', arr: [10, 20] },
    output_tools: [{ function: { name: 'f', arguments: '{"a":1}' } }],
    choices: [],
  },
};

describe('templates', () => {
  it('substitutes item and sample paths with dots, indices and whitespace', () => {
    assert.equal(renderTemplate('{{item.label}}', ns), 'yes');
    assert.equal(renderTemplate('{{ item.label }}', ns), 'yes');
    assert.equal(renderTemplate('{{\titem.nested.date  }}!', ns), '2025-01-02!');
    assert.equal(renderTemplate('{{ item.nested.list[1].code }}', ns), 'b');
    assert.equal(renderTemplate('{{sample.output_tools[0].function.name}}', ns), 'f');
    assert.equal(renderTemplate('{{sample.output_json.arr[0]}}+{{sample.output_json.arr[1]}}', ns), '10+20');
    assert.equal(renderTemplate('{{item.with-dash}}', ns), 'd');
  });

  it('substitutes non-strings as JSON', () => {
    assert.equal(renderTemplate('{{item.n}}', ns), '3');
    assert.equal(renderTemplate('{{ item.obj }}', ns), '{"a":1,"b":[true,null]}');
    assert.equal(renderTemplate('{{item.obj.b[1]}}', ns), 'null');
    assert.equal(renderTemplate('{{sample.choices}}', ns), '[]');
  });

  it('throws TemplateVariableError for missing paths and bad namespaces', () => {
    for (const t of [
      '{{item.nope}}',
      '{{item.nested.list[5].code}}',
      '{{sample.output_json.missing}}',
      '{{ foo.bar }}',
      '{{item}}',
      '{{ }}',
      '{{item.label.x}}',
    ]) {
      assert.throws(() => renderTemplate(t, ns), TemplateVariableError, t);
    }
  });

  it('leaves text without complete braces alone', () => {
    assert.equal(renderTemplate('no templates', ns), 'no templates');
    assert.equal(renderTemplate('{{ item.label', ns), '{{ item.label');
    assert.equal(renderTemplate('a } b { c', ns), 'a } b { c');
  });

  it('reports offsets of each reference', () => {
    const refs = parseTemplate('A {{ item.x }} B {{sample.output_text}}');
    assert.equal(refs.length, 2);
    assert.deepEqual([refs[0]!.start, refs[0]!.end, refs[0]!.exprStart, refs[0]!.exprEnd], [2, 14, 5, 11]);
    assert.equal(refs[1]!.namespace, 'sample');
    assert.deepEqual(refs[1]!.path, ['output_text']);
  });

  it('property: any value put at a generated path renders back (strings raw, others as JSON)', () => {
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
    const seg = fc.oneof(key, fc.nat({ max: 3 }));
    fc.assert(
      fc.property(
        fc.array(seg, { minLength: 1, maxLength: 5 }),
        fc.jsonValue(),
        fc.constantFrom('', ' ', '  ', '\t'),
        (path, value, ws) => {
          // Build a nested object/array that holds value at path.
          let root: unknown = value;
          for (let i = path.length - 1; i >= 0; i--) {
            const s = path[i]!;
            if (typeof s === 'number') {
              const arr: unknown[] = Array.from({ length: s + 1 }, () => 0);
              arr[s] = root;
              root = arr;
            } else root = { [s]: root };
          }
          if (typeof path[0] === 'number') return; // the namespace itself is an object
          const expr = formatPath('item', path);
          const text = `<{{${ws}${expr}${ws}}}>`;
          const expected = typeof value === 'string' ? value : JSON.stringify(value);
          assert.equal(renderTemplate(text, { item: root, sample: {} }), `<${expected}>`);
          const parsed = parsePath(expr);
          assert.ok(!('error' in parsed));
          assert.deepEqual(
            lookupPath({ item: root }, (parsed as { segments: (string | number)[] }).segments),
            value,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: a path that is not there always raises invalid-variable, never renders', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z]{1,4}$/), fc.jsonValue()),
        fc.stringMatching(/^[A-Z][a-z]{0,4}$/),
        (item, missing) => {
          assert.throws(
            () => renderTemplate(`{{ item.${missing} }}`, { item, sample: {} }),
            TemplateVariableError,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: text without "{{" is returned unchanged', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('{{')),
        (s) => {
          assert.equal(renderTemplate(s, ns), s);
        },
      ),
    );
  });
});
