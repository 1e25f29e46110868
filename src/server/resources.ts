// resources/list, resources/templates/list and resources/read (src/resources/). The server has
// no fixed resources, only templates: content is addressed by what the user names.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { AppContext } from '../context.js';
import { redactString } from '../redact.js';
import { readResource } from '../resources/read.js';
import { servedTemplates } from '../resources/templates.js';
import type { ToolSpec } from '../tools/framework.js';
import { RESOURCE_NOT_FOUND, rpcError, RpcError } from './mcp-error.js';

export function registerResources(server: Server, app: AppContext, tools: readonly ToolSpec<AppContext>[]): void {
  const served = tools.map((tool) => tool.name);
  const templates = servedTemplates(served).map(({ name, title, uriTemplate, description, mimeType }) => ({
    name,
    title,
    uriTemplate,
    description,
    ...(mimeType ? { mimeType } : {}),
  }));

  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: [] }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: templates }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const uri = request.params.uri;
    let content;
    try {
      content = await readResource(app, uri, served, extra.signal);
    } catch (error) {
      throw rpcError(error, app.config.maxResultBytes);
    }
    if (!content) {
      const shown = redactString(uri.slice(0, 200));
      throw new RpcError(RESOURCE_NOT_FOUND, `Resource not found: ${shown}`, {
        uri: shown,
        templates: templates.map((t) => t.uriTemplate),
      });
    }
    return { contents: [content] };
  });
}
