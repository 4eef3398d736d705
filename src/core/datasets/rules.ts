// The catalogue of dataset rules: stable code, default severity, what it checks and how to fix it.
// README and SARIF `tool.driver.rules` are generated from this table; every diagnostic the dataset
// validator emits uses one of these codes.
import type { Severity } from '../diagnostics';

export interface DatasetRule {
  code: string;
  severity: Severity;
  /** What the rule checks (one sentence). */
  description: string;
  /** How to fix it. */
  fix: string;
  /** Whether the editor offers a quick fix. */
  quickFix?: boolean;
  /** Reported once per file (at the first example concerned, with the count), not on every line. */
  perFile?: boolean;
}

export const DATASET_RULES = [
  // Lines
  {
    code: 'jsonl/invalid-json',
    severity: 'error',
    description: 'The line is not valid JSON.',
    fix: 'Correct the JSON at the marked position. Each example must be one JSON object on a single line; pretty-printed JSON spanning several lines is not JSONL.',
  },
  {
    code: 'jsonl/not-object',
    severity: 'error',
    description: 'The line is valid JSON but not an object.',
    fix: 'Each line must be one JSON object such as {"messages": [...]}.',
  },
  {
    code: 'jsonl/blank-line',
    severity: 'warning',
    description: 'A blank line between examples.',
    fix: 'Delete the blank line: uploads expect one example per line.',
    quickFix: true,
  },
  {
    code: 'jsonl/invalid-utf8',
    severity: 'error',
    description:
      'The line has bytes that are not valid UTF-8 (e.g. Latin-1 or UTF-16 text); the platform rejects the file. Only the streamed file check sees bytes, not the editor.',
    fix: 'Save the file as UTF-8 (re-encode it from its real encoding); the marked column is the first bad byte.',
  },
  {
    code: 'jsonl/duplicate-key',
    severity: 'warning',
    description:
      'A key appears twice in one JSON object. JSON.parse (and RFT Studio) keeps the last value; other parsers may keep the first or reject the line.',
    fix: 'Keep one of the two keys.',
  },
  // Schema (one code per JSON Schema keyword that failed)
  {
    code: 'schema/required',
    severity: 'error',
    description: 'A required property is missing (e.g. messages, content, tool_call_id).',
    fix: 'Add the property named in the message.',
  },
  {
    code: 'schema/type',
    severity: 'error',
    description: 'A value has the wrong JSON type.',
    fix: 'Use the type named in the message (e.g. a string or an array of content parts for content).',
  },
  {
    code: 'schema/enum',
    severity: 'error',
    description: 'A value is not one of the allowed values (e.g. weight other than 0 or 1).',
    fix: 'Use one of the values listed in the message.',
  },
  {
    code: 'schema/const',
    severity: 'error',
    description: 'A value must be one fixed value (e.g. a tool type must be "function").',
    fix: 'Use the value given in the message.',
  },
  {
    code: 'schema/min-items',
    severity: 'error',
    description: 'An array has too few items (e.g. empty messages).',
    fix: 'Add the missing items.',
  },
  {
    code: 'schema/max-items',
    severity: 'error',
    description: 'An array has too many items.',
    fix: 'Remove items down to the limit in the message.',
  },
  {
    code: 'schema/pattern',
    severity: 'error',
    description: 'A string does not match the required pattern (e.g. a function name with spaces).',
    fix: 'Function names use only a-z, A-Z, 0-9, underscores and dashes, at most 64 characters.',
  },
  {
    code: 'schema/invalid',
    severity: 'error',
    description: 'Another schema constraint failed.',
    fix: 'See the message for the constraint.',
  },
  // Messages
  {
    code: 'message/role-not-allowed',
    severity: 'error',
    description:
      'A message role that the file format does not allow (RFT: developer, user, assistant, tool; SFT/DPO: system, user, assistant, tool, function).',
    fix: 'Use one of the roles listed in the message.',
  },
  {
    code: 'message/empty-content',
    severity: 'warning',
    description: 'A message with empty content.',
    fix: 'Write the content, or remove the message.',
  },
  {
    code: 'tools/duplicate-name',
    severity: 'error',
    description: 'Two tools in one example have the same function name.',
    fix: 'Give every function tool a unique name.',
  },
  // RFT
  {
    code: 'rft/system-role',
    severity: 'warning',
    description: 'A system message in an RFT example: the RFT schema has developer, not system.',
    fix: 'Change the role to "developer".',
    quickFix: true,
  },
  {
    code: 'rft/last-message-not-user',
    severity: 'error',
    description:
      'The last message of an RFT example must be a user message (the model answers it during training).',
    fix: 'End the conversation with a user message. If the last message is the expected answer (SFT style), move it into a reference field that the grader reads.',
    quickFix: true,
  },
  {
    code: 'rft/no-reference-fields',
    severity: 'info',
    description:
      'No example has fields besides messages and tools, so graders can only look at the model output.',
    fix: 'Add reference fields (e.g. "reference_answer") that a grader can compare against through {{ item.reference_answer }}.',
  },
  // SFT
  {
    code: 'sft/no-trainable-assistant',
    severity: 'error',
    description: 'An SFT example has no assistant message with weight ≠ 0, so there is nothing to learn.',
    fix: 'Add an assistant answer, or set weight to 1 on one of them.',
  },
  {
    code: 'sft/unknown-key',
    severity: 'warning',
    description:
      'A top-level key that the SFT chat format does not define (messages, tools, parallel_tool_calls, functions).',
    fix: 'Remove the key, or, if this is RFT data, set the format to RFT.',
    quickFix: true,
  },
  {
    code: 'sft/no-user-message',
    severity: 'warning',
    description:
      'An SFT example has no user message (the OpenAI cookbook data-format check counts these as "missing user message").',
    fix: 'Add the user turn the assistant answers.',
  },
  {
    code: 'sft/no-system-message',
    severity: 'info',
    description:
      'Examples without a system message, counted once per file (the cookbook check counts "missing system message").',
    fix: 'Fine if intended; otherwise give every example the system prompt you will use at inference time.',
    perFile: true,
  },
  {
    code: 'sft/too-many-tokens',
    severity: 'warning',
    description:
      "An SFT example has more tokens (o200k_base, cookbook counting) than the chosen model's training context (the provider profile's default model when none is chosen); the excess is truncated.",
    fix: 'Shorten or split the example, or choose a model with a longer training context (--model).',
  },
  // DPO
  {
    code: 'dpo/output-count',
    severity: 'error',
    description: 'preferred_output and non_preferred_output must each hold exactly one assistant message.',
    fix: 'Keep exactly one assistant message in each output.',
  },
  {
    code: 'dpo/completion-field-names',
    severity: 'info',
    description:
      'preferred_completion / non_preferred_completion (the 2025-05 spec names) instead of preferred_output / non_preferred_output (the guide and real usage).',
    fix: 'Rename the fields to preferred_output and non_preferred_output.',
    quickFix: true,
  },
  // File
  {
    code: 'dataset/empty',
    severity: 'error',
    description: 'The file has no examples.',
    fix: 'Add examples, one JSON object per line.',
  },
  {
    code: 'dataset/unknown-format',
    severity: 'error',
    description: 'The format could not be told from the content.',
    fix: 'Set rftStudio.datasets.format (or pass --format rft|sft|dpo), or name the file like train.rft.jsonl.',
  },
  {
    code: 'dataset/not-training-data',
    severity: 'warning',
    description:
      'The file holds evaluation rows ({"item": …}) or plain records, not fine-tuning examples; a fine-tuning job rejects it.',
    fix: 'Use it as an evaluation data source, or turn each row into an example with "messages" and reference fields.',
  },
  {
    code: 'dataset/too-few-examples',
    severity: 'warning',
    description: 'Fewer than 10 training examples (the documented fine-tuning minimum).',
    fix: 'Add examples: start with several dozen to a few hundred.',
  },
  {
    code: 'dataset/too-many-examples',
    severity: 'error',
    description: 'More examples than the provider accepts: 50,000 for training, 1,000 for validation.',
    fix: 'Split or sample the file down to the limit.',
  },
  {
    code: 'dataset/file-too-large',
    severity: 'error',
    description: 'The file is larger than 512 MB, the per-file upload limit.',
    fix: 'Split the file, or upload it with the multipart Uploads API (up to 8 GB).',
  },
  {
    code: 'dataset/duplicate-example',
    severity: 'warning',
    description: 'The same example appears more than once.',
    fix: 'Delete the duplicate line.',
    quickFix: true,
  },
  {
    code: 'dataset/field-missing',
    severity: 'warning',
    description:
      'An item field most examples have is missing here; a grader that reads {{ item.<field> }} fails on this example.',
    fix: 'Add the field to this example.',
  },
  {
    code: 'dataset/field-rare',
    severity: 'warning',
    description: 'An item field only a minority of examples have (often a typo of another field name).',
    fix: 'Rename it to the field the other examples use, or add it to every example.',
  },
  {
    code: 'dataset/field-type',
    severity: 'warning',
    description: 'An item field whose JSON type differs from the type most examples use (e.g. "10" vs 10).',
    fix: 'Use the same type in every example; graders compare values literally.',
    quickFix: true,
  },
  {
    code: 'dataset/too-many-fields',
    severity: 'info',
    description: 'More than 1,000 distinct top-level keys: field consistency was not checked.',
    fix: 'Put variable data inside one object field.',
  },
  {
    code: 'dataset/truncated',
    severity: 'info',
    description: 'More problems of one rule than are shown.',
    fix: 'Fix the first ones (often one cause), then validate again; raise rftStudio.datasets.maxProblemsPerRule to see more.',
  },
  // Provider profiles
  {
    code: 'azure/missing-bom',
    severity: 'warning',
    description: 'Azure OpenAI asks for UTF-8 files with a byte-order mark (BOM).',
    fix: 'Save the file as "UTF-8 with BOM".',
    quickFix: true,
  },
  // Training/validation pair
  {
    code: 'pair/overlap',
    severity: 'warning',
    description: 'An example of the validation file is also in the training file.',
    fix: 'Remove it from one of the two files: the same data should not be in both.',
  },
  {
    code: 'pair/field-mismatch',
    severity: 'warning',
    description:
      'The training and validation files have different item fields, or one field has different types in them.',
    fix: 'Give both files the same fields with the same types; the grader reads the same {{ item.* }} paths on both.',
  },
] as const satisfies readonly DatasetRule[];

export type DatasetRuleCode = (typeof DATASET_RULES)[number]['code'];

const BY_CODE = new Map<string, DatasetRule>(DATASET_RULES.map((r) => [r.code, r]));

export function datasetRule(code: string): DatasetRule | undefined {
  return BY_CODE.get(code);
}

export function ruleSeverity(code: DatasetRuleCode): Severity {
  return BY_CODE.get(code)!.severity;
}

/** Rule list for SARIF `tool.driver.rules`. */
export function datasetRuleInfos(): { code: string; description: string }[] {
  return DATASET_RULES.map((r) => ({ code: r.code, description: `${r.description} Fix: ${r.fix}` }));
}

/** Whether a rule is reported once per file instead of on every line. */
export function isPerFileRule(code: string): boolean {
  return BY_CODE.get(code)?.perFile === true;
}

/** Markdown table of every rule, for the README. */
export function datasetRulesMarkdown(): string {
  const rows = DATASET_RULES.map(
    (r) =>
      `| \`${r.code}\` | ${r.severity}${'perFile' in r && r.perFile ? ' (once per file)' : ''} | ${r.description} | ${r.fix}${'quickFix' in r && r.quickFix ? ' (quick fix)' : ''} |`,
  );
  return ['| code | severity | checks | fix |', '|---|---|---|---|', ...rows].join('\n');
}
