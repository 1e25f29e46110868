// prompts/list and prompts/get: the workflows this configuration can run (src/prompts/).
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode, GetPromptRequestSchema, ListPromptsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { AppContext } from '../context.js';
import { availability, describePrompt, getPrompt, servedPrompts } from '../prompts/catalog.js';
import type { ToolSpec } from '../tools/framework.js';
import { rpcError, RpcError } from './mcp-error.js';

export function registerPrompts(server: Server, app: AppContext, tools: readonly ToolSpec<AppContext>[]): void {
  const can = availability(tools, app.config);
  const prompts = servedPrompts(can);
  const listed = { prompts: prompts.map(describePrompt) };

  server.setRequestHandler(ListPromptsRequestSchema, () => listed);

  server.setRequestHandler(GetPromptRequestSchema, (request) => {
    const name = request.params.name;
    const prompt = prompts.find((p) => p.name === name);
    if (!prompt) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `Unknown prompt '${name.slice(0, 100)}'; available: ${prompts.map((p) => p.name).join(', ') || 'none in this configuration'}`,
      );
    }
    try {
      return getPrompt(prompt, request.params.arguments ?? {}, app.config, can);
    } catch (error) {
      throw rpcError(error, app.config.maxResultBytes);
    }
  });
}
