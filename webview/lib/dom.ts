// Small DOM helpers shared by the webview apps: element creation, number formatting, themed chart colours.

type Child = Node | string | null | undefined | false;
type AttrValue = string | number | boolean | undefined | null | ((e: Event) => void);

/**
 * Creates an element. Attributes whose value is undefined/null/false are omitted; `on…` functions become
 * event listeners. Children may be strings (text nodes) or nodes.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, AttrValue>,
  children?: Child[],
): HTMLElementTagNameMap[K];
export function el(tag: string, attrs?: Record<string, AttrValue>, children?: Child[]): HTMLElement;
export function el(tag: string, attrs: Record<string, AttrValue> = {}, children: Child[] = []): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') node.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'value' && 'value' in node) (node as HTMLInputElement).value = String(v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}

export function fmt(n: number | undefined, digits = 3): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}

/** The last two path segments, for compact display of absolute paths. */
export function short(p: string): string {
  const parts = p.split(/[\\/]/).filter(Boolean);
  return parts.slice(-2).join('/');
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

/** Chart colours from the active VS Code theme (light, dark and high-contrast all define --vscode-charts-*). */
export function chartColors(): { foreground: string; grid: string; series: string[] } {
  return {
    foreground: cssVar('--vscode-charts-foreground', cssVar('--vscode-foreground', '#888')),
    grid: cssVar('--vscode-charts-lines', 'rgba(128,128,128,0.3)'),
    series: [
      cssVar('--vscode-charts-blue', '#3794ff'),
      cssVar('--vscode-charts-orange', '#d18616'),
      cssVar('--vscode-charts-green', '#89d185'),
      cssVar('--vscode-charts-purple', '#b180d7'),
      cssVar('--vscode-charts-red', '#f14c4c'),
      cssVar('--vscode-charts-yellow', '#cca700'),
    ],
  };
}
