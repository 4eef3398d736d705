// Reward-hacking probes: degenerate outputs a policy could learn to emit. A grader that rewards any of them
// will be exploited during RFT, so the lab grades them next to the real samples.

export type ProbeId = 'empty' | 'echo' | 'all-labels' | 'schema-junk' | 'long';

export interface Probe {
  id: ProbeId;
  title: string;
  /** What the probe imitates, for the results table. */
  description: string;
  /** The model output: text, or JSON text when a response format is set. */
  outputText: string;
}

type JsonSchema = Record<string, unknown>;

const RESERVED = new Set(['messages', 'tools', 'id']);
const MAX_LABELS = 200;

function lastUserText(item: Record<string, unknown>): string {
  const messages = Array.isArray(item.messages) ? item.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Record<string, unknown> | null;
    if (m && m.role === 'user') {
      if (typeof m.content === 'string') return m.content;
      if (Array.isArray(m.content)) {
        return m.content
          .map((p) =>
            p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string'
              ? (p as { text: string }).text
              : '',
          )
          .join('');
      }
    }
  }
  return '';
}

/**
 * The label vocabulary of a dataset: the item field whose string / string-array values repeat the most across
 * items (e.g. `reference_answer` lists), plus enum values declared in the response format.
 */
export function collectLabels(items: readonly Record<string, unknown>[], responseFormat?: unknown): string[] {
  const perField = new Map<string, Map<string, number>>();
  for (const item of items) {
    for (const [key, value] of Object.entries(item)) {
      if (RESERVED.has(key)) continue;
      const values =
        typeof value === 'string'
          ? [value]
          : Array.isArray(value) && value.every((v) => typeof v === 'string')
            ? (value as string[])
            : [];
      if (!values.length) continue;
      let counts = perField.get(key);
      if (!counts) perField.set(key, (counts = new Map()));
      for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
  }
  let best: string[] = [];
  let bestReuse = 1;
  for (const counts of perField.values()) {
    if (counts.size > MAX_LABELS) continue;
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const reuse = total / counts.size;
    if (reuse > bestReuse) {
      bestReuse = reuse;
      best = [...counts.keys()];
    }
  }
  const enums = new Set<string>();
  const visit = (s: unknown) => {
    if (!s || typeof s !== 'object') return;
    const schema = s as JsonSchema;
    if (Array.isArray(schema.enum)) for (const v of schema.enum) if (typeof v === 'string') enums.add(v);
    for (const v of Object.values(schema)) if (v && typeof v === 'object') visit(v);
  };
  visit(schemaOf(responseFormat));
  return [...new Set([...best, ...enums])].sort();
}

/** The JSON schema inside a Chat-Completions style response_format (or a bare schema). */
export function schemaOf(responseFormat: unknown): JsonSchema | undefined {
  if (!responseFormat || typeof responseFormat !== 'object') return undefined;
  const rf = responseFormat as Record<string, unknown>;
  const js = rf.json_schema as Record<string, unknown> | undefined;
  if (js && typeof js === 'object' && js.schema && typeof js.schema === 'object')
    return js.schema as JsonSchema;
  if (rf.schema && typeof rf.schema === 'object') return rf.schema as JsonSchema;
  if (rf.type === 'object' || rf.properties) return rf;
  return undefined;
}

/**
 * A value that satisfies the schema's shape, with every string produced by `str` and every array holding
 * `arrayItems` elements (string arrays get one element per string from `strings`).
 */
export function fillSchema(schema: JsonSchema | undefined, strings: readonly string[], depth = 0): unknown {
  if (!schema || depth > 12) return strings[0] ?? '';
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  const anyOf = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (!type && Array.isArray(anyOf) && anyOf.length) return fillSchema(anyOf[0], strings, depth + 1);
  switch (type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
      return Object.fromEntries(
        Object.entries(props).map(([k, v]) => [k, fillSchema(v, strings, depth + 1)]),
      );
    }
    case 'array': {
      const items = schema.items as JsonSchema | undefined;
      return strings.map((s) => fillSchema(items, [s], depth + 1));
    }
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return strings[0] ?? '';
  }
}

const LONG_LENGTH = 200_000;

/** The probes for one item. `labels` is the dataset's label vocabulary (see collectLabels). */
export function buildProbes(
  item: Record<string, unknown>,
  opts: { labels: readonly string[]; responseFormat?: unknown },
): Probe[] {
  const schema = schemaOf(opts.responseFormat);
  const prompt = lastUserText(item);
  const asOutput = (strings: readonly string[]) =>
    schema ? JSON.stringify(fillSchema(schema, strings)) : strings.join(', ');
  const probes: Probe[] = [
    { id: 'empty', title: 'Empty output', description: 'The model says nothing.', outputText: '' },
    {
      id: 'echo',
      title: 'Prompt echoed',
      description: 'The model repeats the user message back.',
      outputText: schema ? JSON.stringify(fillSchema(schema, [prompt])) : prompt,
    },
  ];
  if (opts.labels.length) {
    probes.push({
      id: 'all-labels',
      title: 'Every label at once',
      description: `All ${opts.labels.length} labels, hoping to hit the right ones.`,
      outputText: asOutput(opts.labels),
    });
  }
  probes.push({
    id: 'schema-junk',
    title: schema ? 'Schema-valid junk' : 'Junk text',
    description: schema
      ? 'JSON that satisfies the response format, filled with nonsense.'
      : 'Fluent nonsense unrelated to the task.',
    outputText: asOutput(['lorem ipsum dolor sit amet']),
  });
  const filler = `${prompt || 'lorem ipsum'} ${opts.labels.join(' ')} `;
  const long = filler.repeat(Math.ceil(LONG_LENGTH / Math.max(1, filler.length))).slice(0, LONG_LENGTH);
  probes.push({
    id: 'long',
    title: 'Very long output',
    description: `${LONG_LENGTH.toLocaleString('en-US')} characters of prompt and labels repeated.`,
    outputText: schema ? JSON.stringify(fillSchema(schema, [long])) : long,
  });
  return probes;
}
