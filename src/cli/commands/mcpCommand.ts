// `rft-studio mcp`: a Model Context Protocol server over stdio (the official SDK) offering the agent tools of
// src/cli/tools (the same names, schemas and logic as the VS Code language-model tools) and three resources: the
// rule catalogue, the grader reference and a dataset's statistics. Logs go to stderr; stdout carries only MCP.
import * as nodePath from 'node:path';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  CallToolRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { CliCommand } from '../command';
import { EXIT, UsageError } from '../command';
import { createClient } from '../../core/providers';
import { rulesMarkdown } from '../../core/rulesDoc';
import { warmStatistics } from '../../core/stats/datasetStats';
import { warmTokenWorker } from '../../core/stats/fileTokens';
import { graderReferenceMarkdown } from '../../core/graders/graderReference';
import { TOOLS } from '../tools/catalogue';
import { runTool, ToolInputError, type ToolContext } from '../tools/runTool';
import { providerFromArgs } from './jobsCommand';

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

const STATS_TEMPLATE = 'rft-studio://stats/{path}';

export const mcpCommand: CliCommand = {
  name: 'mcp',
  summary:
    'serve the agent tools (validate, stats, lint, grade, jobs) over the Model Context Protocol (stdio)',
  usage: `Usage: rft-studio mcp [--root DIR]… [--allow-python] [--provider-url URL] [--provider KIND]

Speaks MCP over stdin/stdout for agents (VS Code's mcp.json, Claude Code, any MCP client). Tools:
${TOOLS.map((t) => `  ${t.name.padEnd(22)} ${t.userDescription}`).join('\n')}
Resources: rft-studio://rules (every diagnostic code), rft-studio://grader-reference (grader types and how sure
each local metric is), ${STATS_TEMPLATE} (a dataset's statistics).

Options:
  --root DIR           a folder the tools may read (repeatable; default the current folder). Any path outside
                       every root is refused.
  --allow-python       let rft_grade run python graders (in the bubblewrap sandbox; never without it)
  --provider-url URL   the API for the job tools and model graders (as for \`rft-studio jobs\`); keys come from the
  --provider KIND      environment only: OPENAI_API_KEY, or AZURE_OPENAI_API_KEY for azure. Without
                       --provider-url the job tools answer that no provider is configured.

Tool calls are logged to stderr (tool, arguments, outcome, duration), never with a key.
Exit codes: 0 when the client closes the connection, 2 usage error.
`,
  options: {
    root: { type: 'string', multiple: true },
    'allow-python': { type: 'boolean', default: false },
    'provider-url': { type: 'string' },
    provider: { type: 'string' },
  },
  async run({ values }, io) {
    const roots = ((values.root as string[] | undefined) ?? ['.']).map((r) => nodePath.resolve(io.cwd, r));
    let jobsClient: ToolContext['jobsClient'];
    let modelGraders: ToolContext['modelGraders'];
    const secrets: string[] = [];
    if (typeof values['provider-url'] === 'string') {
      const { config, apiKey } = providerFromArgs(values, io.env);
      const client = createClient(config, { apiKey });
      jobsClient = async () => client;
      if (apiKey) secrets.push(apiKey);
      modelGraders = {
        baseUrl: config.baseURL,
        env: apiKey ? { OPENAI_API_KEY: apiKey } : {},
      };
    } else if (values.provider !== undefined) {
      throw new UsageError('--provider goes with --provider-url');
    }
    const ctx: ToolContext = {
      roots,
      allowPython: values['allow-python'] === true,
      jobsClient,
      modelGraders,
      secrets,
      log: (line) => io.stderr(`[rft-studio mcp] ${line}\n`),
      signal: io.signal,
    };
    // Statistics of a large file count tokens in a worker: start it now, so the first call does not wait for it;
    // and run the statistics code once on made-up data on both threads, so the first call finds it compiled.
    warmTokenWorker();
    setTimeout(warmStatistics, 200).unref();

    const server = new Server(
      { name: 'rft-studio', version: VERSION },
      {
        capabilities: { tools: {}, resources: {} },
        instructions:
          'RFT Studio checks reinforcement fine-tuning datasets (JSONL) and graders (JSON), grades outputs locally as the platform does, and reads fine-tuning jobs. File paths are relative to the first root.',
      },
    );
    // Spending asks the user through the client (elicitation) where it can; elsewhere only an explicit
    // `confirm: true` from the model, after a call that returned the estimate, lets it spend.
    ctx.confirmSpend = async (estimate, input) => {
      if (!server.getClientCapabilities()?.elicitation) return input.confirm === true;
      const answer = await server.elicitInput({
        message: `${estimate.summary} Run it?`,
        requestedSchema: {
          type: 'object',
          properties: { run: { type: 'boolean', title: 'Run the eval and spend this', default: false } },
          required: ['run'],
        },
      });
      return answer.action === 'accept' && answer.content?.run === true;
    };
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: TOOLS.map((t) => ({
        name: t.name,
        title: t.displayName,
        description: t.modelDescription,
        inputSchema: t.inputSchema,
        annotations: {
          title: t.displayName,
          readOnlyHint: t.risk === 'read' || t.risk === 'network',
          destructiveHint: false,
          openWorldHint: t.risk !== 'read',
        },
      })),
    }));
    // The client may close stdin right after its last request: answer what is in flight, then stop.
    let inflight = 0;
    let inputEnded = false;
    const closeWhenIdle = () => {
      if (inputEnded && inflight === 0) void server.close();
    };
    server.setRequestHandler(CallToolRequestSchema, async (req) => {
      inflight++;
      const result = await runTool(req.params.name, req.params.arguments ?? {}, ctx).finally(() => {
        inflight--;
        setImmediate(closeWhenIdle);
      });
      // Compact: the size cap is measured on this text.
      const json = JSON.stringify(result.data);
      return {
        content: [
          { type: 'text' as const, text: result.summary },
          {
            type: 'text' as const,
            text: result.truncated ? `${json}\n(${result.truncated})` : json,
          },
        ],
        isError: !result.ok,
      };
    });
    server.setRequestHandler(ListResourcesRequestSchema, async () => ({
      resources: [
        {
          uri: 'rft-studio://rules',
          name: 'rules',
          title: 'RFT Studio diagnostic codes',
          description: 'Every dataset and grader diagnostic code, what it checks and how to fix it.',
          mimeType: 'text/markdown',
        },
        {
          uri: 'rft-studio://grader-reference',
          name: 'grader-reference',
          title: 'Grader reference',
          description:
            'The grader types RFT Studio runs locally and how faithful each text_similarity metric is.',
          mimeType: 'text/markdown',
        },
      ],
    }));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
      resourceTemplates: [
        {
          uriTemplate: STATS_TEMPLATE,
          name: 'dataset-stats',
          title: 'Dataset statistics',
          description:
            "A dataset's statistics (the JSON of rft_dataset_stats); {path} is relative to the first root.",
          mimeType: 'application/json',
        },
      ],
    }));
    server.setRequestHandler(ReadResourceRequestSchema, async (req) => {
      const uri = req.params.uri;
      if (uri === 'rft-studio://rules')
        return { contents: [{ uri, mimeType: 'text/markdown', text: rulesMarkdown() }] };
      if (uri === 'rft-studio://grader-reference')
        return { contents: [{ uri, mimeType: 'text/markdown', text: graderReferenceMarkdown() }] };
      const prefix = STATS_TEMPLATE.replace('{path}', '');
      if (uri.startsWith(prefix)) {
        const file = decodeURIComponent(uri.slice(prefix.length));
        // runTool confines the path like any tool argument; a refusal comes back as !ok.
        const result = await runTool('rft_dataset_stats', { path: file }, ctx);
        if (!result.ok) throw new ToolInputError(result.summary);
        return {
          contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(result.data, null, 2) }],
        };
      }
      throw new ToolInputError(`unknown resource ${uri}`);
    });

    const transport = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
      server.onclose = () => resolve();
      io.signal.addEventListener('abort', () => void server.close(), { once: true });
      // The client went away: stdin ends (the SDK transport itself does not treat that as a close).
      process.stdin.once('end', () => {
        inputEnded = true;
        closeWhenIdle();
      });
    });
    await server.connect(transport);
    ctx.log(
      `serving ${TOOLS.length} tools for ${roots.join(', ')} (python graders ${ctx.allowPython ? 'allowed' : 'off'})`,
    );
    await closed;
    return EXIT.ok;
  },
};
