// The agent tools as VS Code language-model tools (Copilot agent mode, `#rftValidate` in chat): each catalogue
// tool (src/cli/tools/catalogue.ts, declared in package.json) is registered with vscode.lm.registerTool and runs
// the shared runTool. Reading tools run at once; grading asks first when the grader runs code or calls a model.
// Files are confined to the workspace folders; python graders run only in a trusted workspace.
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { Disposable, toDisposable } from '../../core/lifecycle';
import { TOOLS, type ToolDefinition } from '../../cli/tools/catalogue';
import { graderRunConfirmation, graderRunPlan, mergePlans } from '../../cli/tools/graderRunPlan';
import { keepTokenWorkerAfterUse } from '../../core/stats/fileTokens';
import { countTokens } from '../../core/tokens/tokenizer';
import { isTestMode } from '../testMode';
import { confinePath, estimateSpec, runTool, type ToolContext } from '../../cli/tools/runTool';
import type { HostContext } from '../hostContext';

type ToolInput = Record<string, unknown>;

/** How long the statistics worker of a large file waits for the agent's next call (fileTokens.ts). */
const TOKEN_WORKER_IDLE_MS = 5 * 60_000;

function workspaceRoots(): string[] {
  return (vscode.workspace.workspaceFolders ?? [])
    .filter((f) => f.uri.scheme === 'file')
    .map((f) => f.uri.fsPath);
}

/** Rows of a JSONL file and their mean tokens (what a grader template may interpolate per request). */
async function rowsOf(file: string): Promise<{ rows: number; meanTokens: number }> {
  try {
    const lines = (await fs.readFile(file, 'utf8')).split('\n').filter((l) => l.trim());
    const tokens = lines.reduce((n, l) => n + countTokens(l), 0);
    return { rows: lines.length, meanTokens: lines.length ? Math.round(tokens / lines.length) : 0 };
  } catch {
    return { rows: 0, meanTokens: 0 };
  }
}

class RftLanguageModelTool implements vscode.LanguageModelTool<ToolInput> {
  constructor(
    private readonly def: ToolDefinition,
    private readonly ctx: HostContext,
    /** Python graders run only when this says so (the workspace's trust; the test hook can say otherwise). */
    private readonly trusted: () => boolean = () => vscode.workspace.isTrusted,
  ) {}

  async prepareInvocation(
    options: vscode.LanguageModelToolInvocationPrepareOptions<ToolInput>,
  ): Promise<vscode.PreparedToolInvocation> {
    const invocationMessage = `RFT Studio: ${this.def.displayName}`;
    if (this.def.risk === 'spends') return this.prepareSpend(options.input ?? {}, invocationMessage);
    if (this.def.risk !== 'runsGraders') return { invocationMessage };
    const input = options.input ?? {};
    const roots = workspaceRoots();
    let plan = graderRunPlan(undefined, 0);
    // rft_grade names one grader and grades each data line; rft_lab_analyze runs several over a samples file.
    const graderArgs = Array.isArray(input.graders)
      ? input.graders.map(String)
      : [String(input.grader ?? '')];
    const graderArg = graderArgs.join(', ');
    try {
      const rowsFile = confinePath(String(input.samples ?? input.data ?? ''), roots, 'data');
      const counted = await rowsOf(rowsFile);
      const rows = Array.isArray(input.outputs) ? input.outputs.length : counted.rows;
      const plans = await Promise.all(
        graderArgs.map(async (g) =>
          graderRunPlan(
            JSON.parse(await fs.readFile(confinePath(g, roots, 'grader'), 'utf8')) as unknown,
            rows,
            counted.meanTokens,
          ),
        ),
      );
      plan = mergePlans(plans, rows);
    } catch {
      // Unreadable input: invoke() reports it; nothing runs, so there is nothing to confirm.
      return { invocationMessage };
    }
    const message = graderRunConfirmation(plan, graderArg);
    if (!message) return { invocationMessage };
    if (plan.runsCode && !this.trusted())
      return {
        invocationMessage: `${invocationMessage} (python graders are off: the workspace is not trusted)`,
      };
    return {
      invocationMessage,
      confirmationMessages: { title: 'Run this grader?', message: new vscode.MarkdownString(message) },
    };
  }

  /** An eval run asks with the estimate (calls, cached calls, cost) unless every call is cached. */
  private async prepareSpend(
    input: ToolInput,
    invocationMessage: string,
  ): Promise<vscode.PreparedToolInvocation> {
    const roots = workspaceRoots();
    const { providers } = this.ctx;
    const entry = providers.activeEntry();
    try {
      const spec = confinePath(String(input.spec ?? ''), roots, 'spec');
      // No provider or an unreadable spec: invoke() refuses before anything is sent.
      const client = entry && (await providers.client(entry.id, { interactive: false }));
      if (!client) return { invocationMessage };
      const estimate = await estimateSpec(spec, client.client.baseURL, roots[0]!);
      if (estimate.calls <= estimate.cached)
        return {
          invocationMessage: `${invocationMessage} (all ${estimate.calls} calls cached: nothing is spent)`,
        };
      return {
        invocationMessage,
        confirmationMessages: {
          title: 'Run this eval?',
          message: new vscode.MarkdownString(estimate.summary),
        },
      };
    } catch {
      return { invocationMessage };
    }
  }

  async invoke(
    options: vscode.LanguageModelToolInvocationOptions<ToolInput>,
    token: vscode.CancellationToken,
  ): Promise<vscode.LanguageModelToolResult> {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      const result = await runTool(this.def.name, options.input ?? {}, await this.context(abort.signal));
      if (!result.ok) throw new Error(result.summary);
      const json = JSON.stringify(result.data);
      return new vscode.LanguageModelToolResult([
        new vscode.LanguageModelTextPart(result.summary),
        new vscode.LanguageModelTextPart(result.truncated ? `${json}\n(${result.truncated})` : json),
      ]);
    } finally {
      sub.dispose();
    }
  }

  private async context(signal: AbortSignal): Promise<ToolContext> {
    const { providers, log } = this.ctx;
    const entry = providers.activeEntry();
    const secrets: string[] = [];
    let modelGraders: ToolContext['modelGraders'];
    if (entry && (this.def.risk === 'runsGraders' || this.def.risk === 'spends')) {
      // Model graders in the grade tool reach the active provider with its stored key (never in the result).
      const client = await providers.client(entry.id, { interactive: false }).catch(() => undefined);
      const key = client?.client.apiKey;
      if (client && key) {
        secrets.push(key);
        modelGraders = { baseUrl: client.client.baseURL, env: { OPENAI_API_KEY: key } };
      }
    }
    return {
      roots: workspaceRoots(),
      allowPython: this.trusted(),
      jobsClient: entry
        ? async () => (await providers.client(entry.id, { interactive: true })).client
        : undefined,
      modelGraders,
      // VS Code does not call invoke() until the user accepted prepareInvocation's confirmation (the estimate).
      confirmSpend: async () => true,
      secrets,
      log: (line) => log.info(line),
      signal,
    };
  }
}

/** Registers every catalogue tool; a VS Code without the language-model tools API gets none (and says so). */
export class AgentTools extends Disposable {
  constructor(ctx: HostContext) {
    super();
    if (typeof vscode.lm?.registerTool !== 'function') {
      ctx.log.info('Language-model tools are not available in this VS Code; the agent tools are off.');
      return;
    }
    for (const def of TOOLS) {
      const registration = vscode.lm.registerTool(def.name, new RftLanguageModelTool(def, ctx));
      this._register(toDisposable(() => registration.dispose()));
    }
    // An agent calls tools in bursts: the statistics worker of a large file stays a while for the next call.
    keepTokenWorkerAfterUse(TOKEN_WORKER_IDLE_MS);
    // VS Code answers its own confirmation dialog with "yes" under the extension-test harness, so the in-editor
    // suite reads what a tool would ask, and runs a tool as an untrusted workspace would, through this hook.
    if (isTestMode(ctx.extension))
      this._register(
        vscode.commands.registerCommand(
          '_rftStudio.agentToolsTestCall',
          async (name: string, input: ToolInput, opts: { trusted: boolean; invoke?: boolean }) => {
            const def = TOOLS.find((t) => t.name === name);
            if (!def) throw new Error(`no tool ${name}`);
            const tool = new RftLanguageModelTool(def, ctx, () => opts.trusted);
            const source = new vscode.CancellationTokenSource();
            try {
              if (!opts.invoke) {
                const prepared = await tool.prepareInvocation({ input });
                const message = prepared.confirmationMessages?.message;
                return {
                  invocationMessage: prepared.invocationMessage,
                  confirmation: prepared.confirmationMessages && {
                    title: prepared.confirmationMessages.title,
                    message: typeof message === 'string' ? message : message?.value,
                  },
                };
              }
              const result = await tool.invoke({ input, toolInvocationToken: undefined }, source.token);
              return result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : ''));
            } finally {
              source.dispose();
            }
          },
        ),
      );
    ctx.log.info(`Agent tools registered: ${TOOLS.map((t) => `#${t.toolReferenceName}`).join(', ')}`);
  }
}
