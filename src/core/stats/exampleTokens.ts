// Tokens of one dataset example as it is trained on, shared by statistics on the calling thread and the token
// worker (statsTokens.worker.ts), so both count the same way.
import { countMessagesTokens } from '../tokens/tokenizer';
import { dpoOutputs, isObject, promptMessages } from './exampleView';

/** Whether exampleTokenCount gives a number for this value (a conversation, or DPO outputs). */
export function hasTokenCount(value: unknown): boolean {
  if (!isObject(value)) return false;
  return dpoOutputs(value) !== undefined || Array.isArray(value.messages);
}

/** Tokens of one example as it is trained on: the conversation (DPO: prompt + each of the two answers). */
export function exampleTokenCount(value: unknown): number | undefined {
  if (!isObject(value)) return undefined;
  const msgs = promptMessages(value);
  const dpo = dpoOutputs(value);
  const tools = value.tools ?? (isObject(value.input) ? value.input.tools : undefined);
  if (dpo) {
    return (
      countMessagesTokens([...msgs, ...dpo.preferred], tools) +
      countMessagesTokens([...msgs, ...dpo.nonPreferred], tools)
    );
  }
  if (!Array.isArray(value.messages)) return undefined;
  return countMessagesTokens(msgs, tools);
}
