// A ToolError as a JSON-RPC error, for the requests that answer with one rather than an isError
// result (prompts/get, resources/read): the same type, message and hint a tool result shows, as
// `data`, redacted and capped like every result.
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { toToolError } from '../http/errors.js';
import { redact } from '../redact.js';
import { capError } from '../tools/caps.js';

/** MCP's code for a resource URI the server does not have (specification: server/resources). */
export const RESOURCE_NOT_FOUND = -32002;

/**
 * An error the SDK sends as `{code, message, data}`. Not McpError: its message already carries an
 * "MCP error <code>:" prefix, which the client's McpError adds again.
 */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export function rpcError(error: unknown, maxBytes: number): RpcError {
  if (error instanceof RpcError) return error;
  const body = capError(redact(toToolError(error).toBody()), maxBytes);
  const code =
    body.type === 'invalid_argument' ? ErrorCode.InvalidParams : body.type === 'not_found' ? RESOURCE_NOT_FOUND : ErrorCode.InternalError;
  return new RpcError(code, body.message, body);
}
