// Builds the `sample` namespace a grader sees from a model output: output_text, output_json (when the
// text parses as JSON or a response format is set), output_tools and choices.

export type SampleInput =
  string | { output_text?: string; output_json?: unknown; output_tools?: unknown[]; choices?: unknown[] };

export interface Sample {
  output_text: string;
  output_json?: unknown;
  output_tools: unknown[];
  choices: unknown[];
}

const parseFailures = new WeakMap<Sample, string>();

/**
 * Why the sample's text could not be read as the response format's JSON (the platform's
 * `sample_parse_error`), or undefined. Only set when a response format was given.
 */
export function sampleParseError(sample: Sample): string | undefined {
  return parseFailures.get(sample);
}

function firstMessage(choices: unknown[]): Record<string, unknown> | undefined {
  const c = choices[0];
  if (!c || typeof c !== 'object') return undefined;
  const m = (c as Record<string, unknown>).message;
  return m && typeof m === 'object' ? (m as Record<string, unknown>) : undefined;
}

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

export function buildSample(input: SampleInput, opts: { responseFormat?: unknown } = {}): Sample {
  const obj = typeof input === 'string' ? { output_text: input } : (input ?? {});
  const choices = Array.isArray(obj.choices) ? obj.choices : [];
  const message = firstMessage(choices);
  let outputText: string;
  if (typeof obj.output_text === 'string') outputText = obj.output_text;
  else if (obj.output_json !== undefined) outputText = JSON.stringify(obj.output_json);
  else if (message && typeof message.content === 'string') outputText = message.content;
  else outputText = '';
  let outputTools: unknown[] = Array.isArray(obj.output_tools) ? obj.output_tools : [];
  if (!Array.isArray(obj.output_tools) && message && Array.isArray(message.tool_calls))
    outputTools = message.tool_calls;
  const sample: Sample = { output_text: outputText, output_tools: outputTools, choices };
  if (obj.output_json !== undefined) {
    sample.output_json = obj.output_json;
  } else {
    const trimmed = outputText.trim();
    const parsed = trimmed ? tryParseJson(trimmed) : ({ ok: false, error: 'empty output' } as const);
    if (parsed.ok) sample.output_json = parsed.value;
    else if (opts.responseFormat !== undefined && opts.responseFormat !== null)
      parseFailures.set(sample, `output_text is not valid JSON for the response format: ${parsed.error}`);
  }
  return sample;
}
