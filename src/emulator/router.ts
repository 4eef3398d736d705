// The emulator's route table: method + path pattern → handler. API patterns are written once without a
// prefix ('/files/:id/content'); the server strips /v1, /openai/v1 or /openai first, so every route answers
// in both OpenAI and Azure style. ':name' matches one segment, a trailing ':name*' the rest of the path.
import type { EmulatorContext, Reply, RouteRequest, Style } from './context';

export interface Route {
  method: string;
  path: string;
  handler: (ctx: EmulatorContext, rq: RouteRequest) => Reply | Promise<Reply>;
  /** The handler reads the request body itself (streamed uploads); otherwise it arrives buffered. */
  streamsBody?: boolean;
  /** Only for these styles (default: both). */
  styles?: readonly Style[];
}

interface CompiledRoute extends Route {
  re: RegExp;
  names: string[];
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((seg) => {
      const m = /^:(\w+)(\*)?$/.exec(seg);
      if (!m) return seg.replace(/[.+?^${}()|[\]\\*]/g, '\\$&');
      names.push(m[1]!);
      return m[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { ...route, re: new RegExp(`^${source}$`), names };
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // a malformed escape names nothing that exists: the handler's 404 says so
  }
}

export class RouteTable {
  private readonly routes: CompiledRoute[];

  constructor(...groups: ReadonlyArray<readonly Route[]>) {
    this.routes = groups.flat().map(compile);
  }

  match(method: string, path: string, style: Style): RouteMatch | undefined {
    for (const r of this.routes) {
      if (r.method !== method || (r.styles && !r.styles.includes(style))) continue;
      const m = r.re.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      r.names.forEach((name, i) => {
        params[name] = decodeSegment(m[i + 1]!);
      });
      return { route: r, params };
    }
    return undefined;
  }
}
