// The tools' `elicit` for one tools/call: MCP form elicitation through the SDK server, sent as
// part of that call (over HTTP it travels on the call's own response stream), or none at all when
// the client did not declare form elicitation (a stateless HTTP request never has: its server
// instance saw no initialize).
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Elicit } from '../tools/confirm.js';

export function elicitFor(server: Server, requestId: RequestId): Elicit | undefined {
  // The SDK reads a bare `elicitation: {}` as form support, as the spec says.
  if (server.getClientCapabilities()?.elicitation?.form === undefined) return undefined;
  return async (request, { signal, timeoutMs }) => {
    const reply = await server.elicitInput({ mode: 'form', ...request }, { signal, timeout: timeoutMs, relatedRequestId: requestId });
    return { action: reply.action, ...(reply.content ? { content: reply.content } : {}) };
  };
}
