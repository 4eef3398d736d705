// Positions inside one JSONL line: where a syntax error is, and which characters a JSON pointer
// (from a schema error) or a key names. Only called for lines that have a problem; valid lines
// never pay for a parse tree.
import type { Node, ParseError } from 'jsonc-parser';
import { findNodeAtLocation, parseTree, printParseErrorCode, visit } from 'jsonc-parser';

export interface Span {
  start: number;
  end: number;
}

const SYNTAX_MESSAGES: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':' after the property name",
  CommaExpected: "expected ',' between items, or the closing bracket",
  CloseBraceExpected: "expected ',' or '}'",
  CloseBracketExpected: "expected ',' or ']'",
  EndOfFileExpected: 'unexpected text after the end of the JSON value',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'comments are not allowed in JSON',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'control characters must be escaped in JSON strings',
};

/** The first syntax error of a line that JSON.parse rejected, located by a tolerant scanner. */
export function locateSyntaxError(text: string, parseMessage: string): { span: Span; message: string } {
  let first: ParseError | undefined;
  let trailingComma: number | undefined;
  try {
    scanForError();
  } catch {
    // The scanner recurses per nesting level; absurdly deep lines overflow it. V8 still knows where it stopped.
    first = undefined;
  }
  function scanForError() {
    visit(
      text,
      {
        onError: (error, offset, length) => {
          if (!first) first = { error, offset, length };
        },
        onSeparator: (ch, offset) => {
          if (ch === ',') trailingComma = offset;
        },
        onObjectEnd: (offset) => {
          if (!first && trailingComma !== undefined && /^,\s*$/.test(text.slice(trailingComma, offset)))
            first = { error: 3 /* ValueExpected */, offset: trailingComma, length: 1 };
        },
        onArrayEnd: (offset) => {
          if (!first && trailingComma !== undefined && /^,\s*$/.test(text.slice(trailingComma, offset)))
            first = { error: 3, offset: trailingComma, length: 1 };
        },
      },
      { disallowComments: true, allowTrailingComma: true },
    );
  }
  if (!first) {
    // The scanner accepted what JSON.parse refused (rare: e.g. a lone surrogate); use V8's position.
    const m = /position (\d+)/.exec(parseMessage);
    const at = m ? Math.min(Number(m[1]), text.length) : text.length;
    return { span: endSpan(text, at, 1), message: parseMessage };
  }
  const code = printParseErrorCode(first.error);
  let what = SYNTAX_MESSAGES[code] ?? code;
  if (first.offset >= text.length) what = `the line ends too early (${what})`;
  if (first.error === 3 && text[first.offset] === ',') what = 'trailing comma';
  if (text[first.offset] === "'") what = 'strings and property names must use double quotes';
  else if (code === 'InvalidSymbol')
    what = 'invalid value (strings need double quotes; the literals are true, false and null)';
  return { span: endSpan(text, first.offset, Math.max(1, first.length)), message: what };
}

function endSpan(text: string, at: number, length: number): Span {
  if (at >= text.length) return { start: Math.max(0, text.length - 1), end: text.length };
  return { start: at, end: Math.min(text.length, at + length) };
}

/** `/messages/0/role` → `['messages', 0, 'role']` (RFC 6901 unescaping). */
export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => {
      const seg = s.replace(/~1/g, '/').replace(/~0/g, '~');
      return /^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : seg;
    });
}

/** `['messages', 0, 'role']` → `messages[0].role` for messages. */
export function pathToDisplay(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += /^[A-Za-z_$][\w$]*$/.test(seg) ? (out ? `.${seg}` : seg) : `[${JSON.stringify(seg)}]`;
  }
  return out || 'the example';
}

/** Lazily built parse tree of one line. */
export class LineTree {
  private root: Node | undefined | null = null;
  constructor(readonly text: string) {}

  get tree(): Node | undefined {
    if (this.root === null) {
      try {
        this.root = parseTree(this.text) ?? undefined;
      } catch {
        // Nesting deep enough to overflow the recursive parser: ranges fall back to the whole line.
        this.root = undefined;
      }
    }
    return this.root;
  }

  node(path: readonly (string | number)[]): Node | undefined {
    const root = this.tree;
    if (!root) return undefined;
    return path.length ? findNodeAtLocation(root, [...path]) : root;
  }

  /** The value at `path`, or the nearest existing ancestor; the whole line when nothing matches. */
  valueSpan(path: readonly (string | number)[]): Span {
    for (let n = path.length; n >= 0; n--) {
      const node = this.node(path.slice(0, n));
      if (node) return { start: node.offset, end: node.offset + node.length };
    }
    return this.lineSpan();
  }

  /** The key of the property at `path` (its quoted name), or the value span when it is an array item. */
  keySpan(path: readonly (string | number)[]): Span {
    const node = this.node(path);
    const prop = node?.parent;
    if (node && prop?.type === 'property' && prop.children?.[0]) {
      const key = prop.children[0];
      return { start: key.offset, end: key.offset + key.length };
    }
    return this.valueSpan(path);
  }

  /** The whole `"key": value` property at `path`. */
  propertySpan(path: readonly (string | number)[]): Span {
    const node = this.node(path);
    const prop = node?.parent;
    if (node && prop?.type === 'property') return { start: prop.offset, end: prop.offset + prop.length };
    return this.valueSpan(path);
  }

  lineSpan(): Span {
    const lead = this.text.length - this.text.trimStart().length;
    return { start: lead, end: Math.max(lead, this.text.trimEnd().length) };
  }
}
