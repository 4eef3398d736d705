// Dataset formats (RFT, SFT, DPO) and their detection: per line from the shape of the JSON value
// (reference §1.5), per file from a setting, the file name, or the kinds of its first examples.

export type DatasetFormat = 'rft' | 'sft' | 'dpo';
export type LineKind = DatasetFormat | 'eval-item' | 'bare-record' | 'unknown';
export type FileFormat = DatasetFormat | 'eval-items' | 'records' | 'unknown';

export const DATASET_FORMATS: readonly DatasetFormat[] = ['rft', 'sft', 'dpo'];

export const FORMAT_LABEL: Record<FileFormat, string> = {
  rft: 'RFT (reinforcement)',
  sft: 'SFT (chat)',
  dpo: 'DPO (preference)',
  'eval-items': 'evaluation items',
  records: 'records',
  unknown: 'unknown',
};

/** How many examples (non-blank lines) the file-level content detection looks at. */
export const DETECTION_SAMPLE = 100;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The kind of one parsed line. DPO has `input` + a preference output; chat lines are told apart by
 * their last message: `assistant` → SFT, anything else → RFT (which must end with `user`).
 * `{"item": {...}}` rows are evaluation data; other objects without `messages` are bare records.
 */
export function detectLineKind(value: unknown): LineKind {
  if (!isObject(value)) return 'unknown';
  if (
    'input' in value &&
    ('preferred_output' in value ||
      'non_preferred_output' in value ||
      'preferred_completion' in value ||
      'non_preferred_completion' in value)
  )
    return 'dpo';
  if ('messages' in value) {
    const messages = value.messages;
    if (!Array.isArray(messages) || messages.length === 0) return 'unknown';
    const last: unknown = messages[messages.length - 1];
    const role = isObject(last) ? last.role : undefined;
    if (role === 'assistant') return 'sft';
    if (role === 'user' || role === 'developer' || role === 'tool') return 'rft';
    if (role === 'system' || role === 'function') {
      // A chat that ends with a system/function turn: SFT vocabulary, but no answer to train on.
      return messages.some((m) => isObject(m) && m.role === 'assistant') ? 'sft' : 'rft';
    }
    return 'unknown';
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'item' && isObject(value.item)) return 'eval-item';
  if ('preferred_output' in value || 'non_preferred_output' in value) return 'dpo';
  return 'bare-record';
}

const NAME_TOKEN = /(?:^|[._\-\s])(rft|sft|dpo)(?:[._\-\s]|$)/i;

/** A format named by the file's base name (`train.rft.jsonl`, `sft_train.jsonl`) or its parent folder (`rft/x.jsonl`). */
export function formatFromFileName(fileName: string): { format: DatasetFormat; reason: string } | undefined {
  const parts = fileName.split(/[\\/]/).filter(Boolean);
  const base = parts[parts.length - 1] ?? '';
  const stem = base.replace(/\.jsonl?$/i, '');
  const m = NAME_TOKEN.exec(stem);
  if (m) return { format: m[1].toLowerCase() as DatasetFormat, reason: `file name "${base}"` };
  const parent = parts[parts.length - 2];
  if (parent && /^(rft|sft|dpo)$/i.test(parent))
    return { format: parent.toLowerCase() as DatasetFormat, reason: `folder "${parent}"` };
  return undefined;
}

export interface DetectFileFormatOptions {
  fileName?: string;
  forced?: DatasetFormat | 'auto';
}

/**
 * The format of a file from the kinds of its lines (callers pass the first DETECTION_SAMPLE
 * examples so streaming and in-memory validation agree). Precedence: a forced format (setting or
 * CLI flag), then the file name, then the majority of training-data kinds. A file with no training
 * lines at all is `eval-items` or `records` whatever its name says, so it is explained once.
 */
export function detectFileFormat(
  kinds: Iterable<LineKind>,
  opts: DetectFileFormatOptions = {},
): { format: FileFormat; reason: string } {
  const counts: Record<LineKind, number> = {
    rft: 0,
    sft: 0,
    dpo: 0,
    'eval-item': 0,
    'bare-record': 0,
    unknown: 0,
  };
  let total = 0;
  for (const k of kinds) {
    counts[k]++;
    total++;
  }
  const training = counts.rft + counts.sft + counts.dpo;
  if (opts.forced && opts.forced !== 'auto') return { format: opts.forced, reason: 'set explicitly' };
  if (total > 0 && training === 0) {
    if (counts['eval-item'] > 0 && counts['eval-item'] >= counts['bare-record'])
      return { format: 'eval-items', reason: 'every example is an {"item": …} evaluation row' };
    if (counts['bare-record'] > 0)
      return { format: 'records', reason: 'no example has "messages" or "input"' };
  }
  const byName = opts.fileName ? formatFromFileName(opts.fileName) : undefined;
  if (byName) return byName;
  if (training === 0)
    return { format: 'unknown', reason: total ? 'no example could be read' : 'the file is empty' };
  // Majority; ties prefer RFT, then SFT (this is an RFT tool).
  let best: DatasetFormat = 'rft';
  for (const f of DATASET_FORMATS) if (counts[f] > counts[best]) best = f;
  const why: Record<DatasetFormat, string> = {
    rft: 'messages end with a user turn',
    sft: 'messages end with an assistant turn',
    dpo: 'examples have input + preferred_output',
  };
  return { format: best, reason: `content: ${counts[best]} of ${training} examples — ${why[best]}` };
}
