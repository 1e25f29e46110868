// One factory for every transport: an MCP server exposing the enabled tools of the catalog.
// HTTP sessions each get their own instance; all share the process-wide AppContext.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { AppContext } from '../context.js';
import { buildTools } from '../tools/catalog.js';
import { callTool, describeTool, type ToolDefinition, type ToolSpec } from '../tools/framework.js';
import { registerCompletion } from './completion.js';
import { registerPrompts } from './prompts.js';
import { registerResources } from './resources.js';
import { elicitFor } from './elicit.js';
import { INSTRUCTIONS, SERVER_NAME, SERVER_TITLE, serverCapabilities } from './identity.js';
import { allowanceFor, callerOf, scopeNames } from './oauth/scopes.js';
import { prebuiltDefinitions } from './prebuilt-definitions.js';
import type { RunningCalls } from './running-calls.js';

interface Catalog {
  tools: readonly ToolSpec<AppContext>[];
  definitions: Map<string, ToolDefinition>;
}

/**
 * The served tools and their tools/list entries depend on the configuration only, so they are
 * built once per AppContext, not again for every HTTP session (JSON Schema generation is the
 * costly part of opening one). The bundle carries the entries computed at build time
 * (tool-definitions.ts); unbundled, they are computed here.
 */
const catalogs = new WeakMap<AppContext, Catalog>();

function catalogFor(app: AppContext): Catalog {
  let catalog = catalogs.get(app);
  if (!catalog) {
    const tools = buildTools(app.config.enabledTools);
    const prebuilt = prebuiltDefinitions(app.config);
    const definitions = new Map<string, ToolDefinition>();
    for (const tool of tools) {
      if (tool.unavailable?.(app.config) !== undefined) continue;
      const text = prebuilt?.[tool.name];
      const definition = prebuilt
        ? text === undefined
          ? undefined
          : (JSON.parse(text) as ToolDefinition)
        : describeTool(tool, app.config);
      if (definition) definitions.set(tool.name, definition);
    }
    catalog = { tools, definitions };
    catalogs.set(app, catalog);
  }
  return catalog;
}

/** JSON-RPC code for a call refused because the process is shutting down (server-defined range). */
export const SHUTTING_DOWN = -32000;

export function createMcpServer(app: AppContext, calls: RunningCalls): Server {
  const { tools, definitions } = catalogFor(app);
  const caps = { maxBytes: app.config.maxResultBytes, maxItems: 500 };
  const scopes = scopeNames(app.config);

  const server = new Server(
    { name: SERVER_NAME, title: SERVER_TITLE, version: app.version },
    { capabilities: serverCapabilities(), instructions: INSTRUCTIONS },
  );

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [...definitions.values()] }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const name = request.params.name;
    const spec = definitions.has(name) ? tools.find((tool) => tool.name === name) : undefined;
    if (!spec) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool '${name.slice(0, 100)}'; available: ${[...definitions.keys()].join(', ')}`);
    }
    // Refused before any work starts, so a client can retry it on the next server process.
    if (!calls.accepting) throw new McpError(SHUTTING_DOWN, 'Server is shutting down: the call was not started; retry on a new connection');
    const progressToken = request.params._meta?.progressToken;
    const log = app.logger.child({ tool: name });
    // An OAuth caller (HTTP with a token) is held to its token's scopes; extra.authInfo is unset otherwise.
    const allow = allowanceFor(extra.authInfo, scopes);
    const caller = callerOf(extra.authInfo);
    return calls.run(extra.signal, (signal) =>
      callTool(spec, request.params.arguments ?? {}, {
        config: app.config,
        caps,
        ...(allow ? { allow } : {}),
        ctx: {
          app,
          signal,
          log,
          elicit: elicitFor(server, extra.requestId),
          ...(caller ? { caller } : {}),
          progress: async (progress, total, message) => {
            if (progressToken === undefined) return;
            await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total, message } });
          },
        },
      }),
    );
  });

  // Workflows, attachable content and argument completion (src/prompts/, src/resources/).
  registerPrompts(server, app, tools);
  registerResources(server, app, tools);
  registerCompletion(server, app, tools);

  return server;
}
