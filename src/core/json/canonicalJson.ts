// Canonical JSON text (object keys sorted, no whitespace): the identity of a value for duplicate detection in
// stats, prep and the preview. Recursive for speed up to a modest depth; a value nested deeper is written again by
// the iterative writer, so a line nested a million levels deep costs memory, not the stack. Both give the same text.

const COMMA = Symbol('comma');
const CLOSE_ARRAY = Symbol('close-array');
const CLOSE_OBJECT = Symbol('close-object');
class Key {
  constructor(readonly text: string) {}
}

/** Two JSON values are equal, whatever their key order and whitespace, when these strings are equal. */
export function canonicalJson(value: unknown): string {
  const text = recursiveCanonical(value, 0);
  return text ?? iterativeJson(value, true);
}

/** Nesting the recursive writer handles; deeper values go to the iterative one (a few hundred frames of stack). */
export const RECURSIVE_CANONICAL_DEPTH = 256;

/** The canonical text, or undefined when `value` nests deeper than RECURSIVE_CANONICAL_DEPTH. */
function recursiveCanonical(v: unknown, depth: number): string | undefined {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (depth >= RECURSIVE_CANONICAL_DEPTH) return undefined;
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      const item = recursiveCanonical(v[i], depth + 1);
      if (item === undefined) return undefined;
      out += i > 0 ? `,${item}` : item;
    }
    return `${out}]`;
  }
  const keys = Object.keys(v).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const item = recursiveCanonical((v as Record<string, unknown>)[keys[i]!], depth + 1);
    if (item === undefined) return undefined;
    out += `${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:${item}`;
  }
  return `${out}}`;
}

/** The iterative writer on its own (the reference the recursive one is tested against). */
export function iterativeCanonicalJson(value: unknown): string {
  return iterativeJson(value, true);
}

/**
 * JSON.stringify of a parsed JSON value (keys in their order), falling back to the iterative writer when the
 * value nests deeper than V8's recursive stringify can go.
 */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (e) {
    if (e instanceof RangeError) return iterativeJson(value, false);
    throw e;
  }
}

function iterativeJson(value: unknown, sortKeys: boolean): string {
  const out: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === COMMA) out.push(',');
    else if (v === CLOSE_ARRAY) out.push(']');
    else if (v === CLOSE_OBJECT) out.push('}');
    else if (v instanceof Key) out.push(v.text);
    else if (Array.isArray(v)) {
      out.push('[');
      stack.push(CLOSE_ARRAY);
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push(v[i]);
        if (i > 0) stack.push(COMMA);
      }
    } else if (v !== null && typeof v === 'object') {
      out.push('{');
      stack.push(CLOSE_OBJECT);
      const keys = sortKeys ? Object.keys(v).sort() : Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push((v as Record<string, unknown>)[keys[i]!]);
        stack.push(new Key(`${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:`));
      }
    } else out.push(JSON.stringify(v) ?? 'null');
  }
  return out.join('');
}
