// Argument checks shared by the `map`, `sample` and `split` commands and the editor prompts (pure, no I/O).

/** A whole number ≥ min, from user text; undefined when the text is not one. */
export function parseWholeNumber(text: string, min = 1): number | undefined {
  const t = text.trim().replace(/[_,](?=\d{3}\b)/g, '');
  if (!/^\d+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) && n >= min ? n : undefined;
}

/** A fraction in (0, 1) from `0.33`, `.33` or `33%`; undefined otherwise. */
export function parseFraction(text: string): number | undefined {
  const t = text.trim();
  const m = /^(\d*\.?\d+)\s*(%?)$/.exec(t);
  if (!m) return undefined;
  const v = Number(m[1]) / (m[2] ? 100 : 1);
  return v > 0 && v < 1 ? v : undefined;
}

/** A seed is any non-empty text without surrounding spaces (numbers and words alike). */
export function parseSeed(text: string): string | undefined {
  const t = text.trim();
  return t && t.length <= 200 ? t : undefined;
}

/** The default output paths next to the input: data.jsonl -> data.<suffix>.jsonl. */
export function siblingPath(input: string, suffix: string): string {
  const m = /^(.*?)(\.jsonl?)?$/i.exec(input)!;
  return `${m[1]}.${suffix}${m[2] ?? '.jsonl'}`;
}
