// `{{ namespace.path }}` templates: parsing (with offsets for lint and editor help), path lookup in the
// `item` and `sample` namespaces, and rendering (non-string values substituted as JSON).

export type PathSegment = string | number;

export interface TemplateRef {
  /** Text between the braces, untrimmed. */
  raw: string;
  /** Offsets in the template string: `{{` start and end after `}}`. */
  start: number;
  end: number;
  /** Offsets of the trimmed expression inside the braces. */
  exprStart: number;
  exprEnd: number;
  /** `item`, `sample`, or whatever was written before the first dot (validity is checked separately). */
  namespace: string;
  /** Segments after the namespace. */
  path: PathSegment[];
  /** Why the expression is not a valid `namespace.path` reference, if it is not. */
  error?: string;
}

export type TemplateNamespaces = { item: unknown; sample: unknown };

export class TemplateVariableError extends Error {
  constructor(
    message: string,
    readonly ref: TemplateRef,
  ) {
    super(message);
  }
}

const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$-]/;

/** Parses `a.b[0].c` / `a["b c"]` into segments; returns an error message instead when malformed. */
export function parsePath(expr: string): { segments: PathSegment[] } | { error: string } {
  const segs: PathSegment[] = [];
  let i = 0;
  const n = expr.length;
  const ident = (): string | undefined => {
    if (i >= n || !IDENT_START.test(expr[i]!)) return undefined;
    const s = i;
    while (i < n && IDENT_PART.test(expr[i]!)) i++;
    return expr.slice(s, i);
  };
  const first = ident();
  if (first === undefined) return { error: `expected a name at "${expr.slice(i) || expr}"` };
  segs.push(first);
  while (i < n) {
    const c = expr[i];
    if (c === '.') {
      i++;
      const id = ident();
      if (id === undefined) {
        // Digits after a dot (`a.0`) are accepted as an index the way JSON-path users write it.
        const m = /^\d+/.exec(expr.slice(i));
        if (!m) return { error: `expected a name after "." in "${expr}"` };
        segs.push(m[0]);
        i += m[0].length;
      } else segs.push(id);
    } else if (c === '[') {
      i++;
      const rest = expr.slice(i);
      const num = /^\s*(-?\d+)\s*\]/.exec(rest);
      const str = /^\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\]/.exec(rest);
      if (num) {
        segs.push(Number(num[1]));
        i += num[0].length;
      } else if (str) {
        segs.push((str[1] ?? str[2] ?? '').replace(/\\(.)/g, '$1'));
        i += str[0].length;
      } else return { error: `expected an index or quoted key inside [ ] in "${expr}"` };
    } else return { error: `unexpected "${c}" in "${expr}"` };
  }
  return { segments: segs };
}

/** Every `{{ … }}` in a string, in order. An unclosed `{{` is not a reference (the platform leaves it). */
export function parseTemplate(text: string): TemplateRef[] {
  const refs: TemplateRef[] = [];
  let from = 0;
  for (;;) {
    const open = text.indexOf('{{', from);
    if (open < 0) break;
    const close = text.indexOf('}}', open + 2);
    if (close < 0) break;
    const raw = text.slice(open + 2, close);
    const lead = raw.length - raw.trimStart().length;
    const expr = raw.trim();
    const exprStart = open + 2 + lead;
    const ref: TemplateRef = {
      raw,
      start: open,
      end: close + 2,
      exprStart,
      exprEnd: exprStart + expr.length,
      namespace: '',
      path: [],
    };
    const parsed = parsePath(expr);
    if ('error' in parsed) {
      ref.error = expr ? parsed.error : 'empty template';
      ref.namespace = /^[A-Za-z_$][\w$-]*/.exec(expr)?.[0] ?? '';
    } else {
      ref.namespace = String(parsed.segments[0]);
      ref.path = parsed.segments.slice(1);
      if (ref.namespace !== 'item' && ref.namespace !== 'sample')
        ref.error = `unknown namespace "${ref.namespace}": the only namespaces are item and sample`;
      else if (ref.path.length === 0)
        ref.error = `"${ref.namespace}" needs a variable: write ${ref.namespace}.<name>`;
    }
    refs.push(ref);
    from = close + 2;
  }
  return refs;
}

/**
 * Offset of a `{{` that no `}}` closes, if any (only the first matters: every later `{{` is unclosed too). The
 * platform leaves such text as it is, so the grader sees a literal "{{ item.x" where a value was meant.
 */
export function unterminatedTemplate(text: string): number | undefined {
  let from = 0;
  for (;;) {
    const open = text.indexOf('{{', from);
    if (open < 0) return undefined;
    const close = text.indexOf('}}', open + 2);
    if (close < 0) return open;
    from = close + 2;
  }
}

const MISSING = Symbol('missing');

/** Looks a path up in a value; returns MISSING_VALUE when any step is absent. */
export function lookupPath(root: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || cur === undefined) return MISSING;
    if (Array.isArray(cur)) {
      const idx = typeof seg === 'number' ? seg : /^-?\d+$/.test(seg) ? Number(seg) : NaN;
      if (!Number.isInteger(idx)) return MISSING;
      const j = idx < 0 ? cur.length + idx : idx;
      if (j < 0 || j >= cur.length) return MISSING;
      cur = cur[j];
    } else if (typeof cur === 'object') {
      const key = String(seg);
      if (!Object.prototype.hasOwnProperty.call(cur, key)) return MISSING;
      cur = (cur as Record<string, unknown>)[key];
    } else return MISSING;
  }
  return cur;
}

export function isMissing(v: unknown): boolean {
  return v === MISSING;
}

/** Stringifies a substituted value: strings as they are, everything else as JSON. */
export function valueToText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v);
}

export function formatPath(namespace: string, path: readonly PathSegment[]): string {
  let s = namespace;
  for (const p of path)
    s +=
      typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$-]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  return s;
}

/** Resolves one reference; throws TemplateVariableError when it is invalid or missing. */
export function resolveRef(ref: TemplateRef, ns: TemplateNamespaces): unknown {
  if (ref.error) throw new TemplateVariableError(`invalid template {{${ref.raw}}}: ${ref.error}`, ref);
  const root = ref.namespace === 'item' ? ns.item : ns.sample;
  const v = lookupPath(root, ref.path);
  if (v === MISSING)
    throw new TemplateVariableError(`variable ${formatPath(ref.namespace, ref.path)} not found`, ref);
  return v;
}

type Renderer = (ns: TemplateNamespaces) => string;

const rendererCache = new Map<string, Renderer>();

const hasOwn = Object.prototype.hasOwnProperty;

/** A fast lookup for a path of plain object keys (the common `{{ item.x }}` / `{{ sample.output_text }}`). */
function keyLookup(ref: TemplateRef): ((ns: TemplateNamespaces) => unknown) | undefined {
  if (ref.error || ref.path.some((p) => typeof p !== 'string' || /^-?\d+$/.test(p))) return undefined;
  const keys = ref.path as string[];
  const isItem = ref.namespace === 'item';
  return (ns) => {
    let cur: unknown = isItem ? ns.item : ns.sample;
    for (let i = 0; i < keys.length; i++) {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !hasOwn.call(cur, keys[i]!))
        return MISSING;
      cur = (cur as Record<string, unknown>)[keys[i]!];
    }
    return cur;
  };
}

/** Compiles a template once: constant text, a lone reference, or text with references. */
function compile(text: string): Renderer {
  if (!text.includes('{{')) return () => text;
  const refs = parseTemplate(text);
  if (refs.length === 0) return () => text;
  const fail = (ref: TemplateRef, ns: TemplateNamespaces): never => {
    resolveRef(ref, ns); // throws the precise TemplateVariableError
    throw new TemplateVariableError(`variable ${formatPath(ref.namespace, ref.path)} not found`, ref);
  };
  const lookups = refs.map(
    (ref) =>
      keyLookup(ref) ??
      ((ns: TemplateNamespaces) =>
        ref.error ? MISSING : lookupPath(ref.namespace === 'item' ? ns.item : ns.sample, ref.path)),
  );
  if (refs.length === 1 && refs[0]!.start === 0 && refs[0]!.end === text.length) {
    const ref = refs[0]!;
    const get = lookups[0]!;
    return (ns) => {
      const v = get(ns);
      if (v === MISSING) return fail(ref, ns);
      return typeof v === 'string' ? v : valueToText(v);
    };
  }
  const literals: string[] = [];
  let at = 0;
  for (const ref of refs) {
    literals.push(text.slice(at, ref.start));
    at = ref.end;
  }
  literals.push(text.slice(at));
  return (ns) => {
    let out = literals[0]!;
    for (let i = 0; i < refs.length; i++) {
      const v = lookups[i]!(ns);
      if (v === MISSING) return fail(refs[i]!, ns);
      out += (typeof v === 'string' ? v : valueToText(v)) + literals[i + 1]!;
    }
    return out;
  };
}

/** Substitutes every reference; throws TemplateVariableError for the first invalid or missing one. */
export function renderTemplate(text: string, ns: TemplateNamespaces): string {
  let r = rendererCache.get(text);
  if (!r) {
    r = compile(text);
    if (rendererCache.size > 10_000) rendererCache.clear();
    rendererCache.set(text, r);
  }
  return r(ns);
}

/** Renders every string inside a JSON value (model grader inputs: messages and content parts). */
export function renderDeep<T>(value: T, ns: TemplateNamespaces): T {
  if (typeof value === 'string') return renderTemplate(value, ns) as T;
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, ns)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderDeep(v, ns);
    return out as T;
  }
  return value;
}
