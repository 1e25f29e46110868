// A ToolError as a JSON-RPC error, for the requests that answer with one rather than an isError
// result (prompts/get, resources/read): the same type, message and hint a tool result shows, as
// `data`, redacted and capped like every result.
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { toToolError } from '../http/errors.js';
import { redact } from '../redact.js';
import { capError } from '../tools/caps.js';

/** MCP's code for a resource URI the server does not have (specification: server/resources). */
export const RESOURCE_NOT_FOUND = -32002;

export function mcpError(error: unknown, maxBytes: number): McpError {
  if (error instanceof McpError) return error;
  const body = capError(redact(toToolError(error).toBody()), maxBytes);
  const code =
    body.type === 'invalid_argument' ? ErrorCode.InvalidParams : body.type === 'not_found' ? RESOURCE_NOT_FOUND : ErrorCode.InternalError;
  return new McpError(code, body.message, body);
}
