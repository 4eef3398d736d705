// The settings catalogue (src/host/settingsCatalog.ts) against package.json's contributes.configuration: the same
// keys, types, allowed values and bounds, and every package.json default fits its catalogued shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fitsShape, sectionKeys, SETTINGS } from '../../../src/host/settingsCatalog';
import type { SettingKey } from '../../../src/host/settingsCatalog';

interface Contributed {
  type?: string | string[];
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
}

const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Contributed> } };
};
const contributed = new Map(
  Object.entries(manifest.contributes.configuration.properties).map(([k, v]) => [
    k.replace(/^rftStudio\./, ''),
    v,
  ]),
);

test('the catalogue and package.json list the same settings', () => {
  assert.deepEqual(Object.keys(SETTINGS).sort(), [...contributed.keys()].sort());
});

for (const [key, shape] of Object.entries(SETTINGS)) {
  test(`${key}: type, allowed values, bounds and default agree with package.json`, () => {
    const c = contributed.get(key);
    assert.ok(c, `package.json does not contribute rftStudio.${key}`);
    const expectedType = Array.isArray(c.type) ? 'any' : c.type;
    assert.equal(shape.type, expectedType);
    assert.deepEqual('enum' in shape ? shape.enum : undefined, c.enum);
    assert.equal('minimum' in shape ? shape.minimum : undefined, c.minimum);
    assert.equal('maximum' in shape ? shape.maximum : undefined, c.maximum);
    assert.ok('default' in c, 'package.json gives no default (the reader falls back to it)');
    assert.ok(fitsShape(shape, c.default), `the default ${JSON.stringify(c.default)} does not fit`);
  });
}

test('values of the wrong shape do not fit', () => {
  assert.equal(fitsShape(SETTINGS['python.timeoutSeconds'], '120'), false);
  assert.equal(fitsShape(SETTINGS['python.timeoutSeconds'], 0), false);
  assert.equal(fitsShape(SETTINGS['stats.epochs'], 2.5), false);
  assert.equal(fitsShape(SETTINGS['stats.epochs'], 51), false);
  assert.equal(fitsShape(SETTINGS['datasets.format'], 'csv'), false);
  assert.equal(fitsShape(SETTINGS['datasets.pairs'], {}), false);
  assert.equal(fitsShape(SETTINGS['graders.links'], []), false);
  assert.equal(fitsShape(SETTINGS['emulator.autoStart'], 'true'), false);
  assert.equal(fitsShape(SETTINGS['stats.epochs'], 3), true);
});

test('sectionKeys gives the short names of one section only', () => {
  assert.deepEqual(
    sectionKeys('python').map((k) => [k.key, k.name]),
    [
      ['python.interpreter', 'interpreter'],
      ['python.timeoutSeconds', 'timeoutSeconds'],
      ['python.allowUnsandboxed', 'allowUnsandboxed'],
    ],
  );
  const all: SettingKey[] = ['datasets.format'];
  assert.ok(sectionKeys('datasets').some((k) => all.includes(k.key)));
});
