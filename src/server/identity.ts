// What the server says of itself in its initialize answer. One definition for the SDK Server
// (create-server.ts) and the stdio front door (stdio-front.ts), which answers initialize before
// the SDK is loaded: the two answers must be the same bytes (test/e2e/stdio-front.test.ts).
import type { ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';

export const SERVER_NAME = 'dockerhub-mcp';
export const SERVER_TITLE = 'Docker Hub MCP';

export const INSTRUCTIONS =
  "Docker Hub, OCI registries and Docker Scout. Each tool takes `action` plus that action's parameters; the `action` description lists them. " +
  'Destructive actions are disabled unless the operator enables them; `hub_admin config` shows what is enabled and `hub_admin whoami` who the server acts as.';

/** A fresh object each time: the SDK keeps and merges into what it is given. */
export function serverCapabilities(): ServerCapabilities {
  return {
    tools: { listChanged: false },
    logging: {},
    prompts: { listChanged: false },
    resources: { listChanged: false, subscribe: false },
    completions: {},
  };
}
