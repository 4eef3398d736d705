// Token counts with the real o200k_base encoding (js-tiktoken), loaded lazily on first use because
// its rank table is a few MB. Counts for chat examples follow OpenAI's cookbook approximation.
import type { Tiktoken, TiktokenBPE } from 'js-tiktoken/lite';
import type * as Lite from 'js-tiktoken/lite';

let encoder: Tiktoken | undefined;

function getEncoder(): Tiktoken {
  if (!encoder) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Tiktoken: Ctor } = require('js-tiktoken/lite') as typeof Lite;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ranks = require('js-tiktoken/ranks/o200k_base') as { default?: unknown };
    encoder = new Ctor((ranks.default ?? ranks) as TiktokenBPE);
  }
  return encoder;
}

/** Number of o200k_base tokens in a string. */
export function countTokens(text: string): number {
  if (!text) return 0;
  return getEncoder().encode(text, 'all').length;
}

/** Text parts of a chat message's content (string, or an array of typed parts). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) =>
        typeof p === 'string'
          ? p
          : p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string'
            ? (p as { text: string }).text
            : '',
      )
      .join('');
  }
  return '';
}

const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING = 3;

/**
 * Tokens of a list of chat messages as the model sees them (OpenAI cookbook "How to count tokens":
 * 3 per message, 1 per name, 3 to prime the reply). Tool calls and tool definitions are counted as JSON.
 */
export function countMessagesTokens(messages: readonly unknown[], tools?: unknown): number {
  let n = 0;
  for (const m of messages) {
    if (!m || typeof m !== 'object') continue;
    const msg = m as Record<string, unknown>;
    n += TOKENS_PER_MESSAGE;
    if (typeof msg.role === 'string') n += countTokens(msg.role);
    n += countTokens(contentText(msg.content));
    if (typeof msg.name === 'string') n += TOKENS_PER_NAME + countTokens(msg.name);
    if (msg.tool_calls !== undefined) n += countTokens(JSON.stringify(msg.tool_calls));
  }
  if (tools !== undefined && tools !== null) n += countTokens(JSON.stringify(tools));
  return n + REPLY_PRIMING;
}
