// The outputSchema of every tool: the envelope every result's structuredContent holds. One short
// schema for all tools, because tools/list carries it once per tool into every model context.
// `data` is left open (any JSON): Hub and registries add fields, and a schema stricter than the
// upstream is what broke Docker's hub-mcp for clients that validate (its issue #90). `next` is a
// page number, cursor or arguments object, whatever the action pages by; `rate_limit` is null
// when the upstream sent no rate-limit headers.
// An isError result carries `{error}` instead of the envelope, and the TypeScript SDK's Client
// validates whatever structuredContent is present, errors included: so nothing is `required`, and
// additional properties stay allowed (an error is not described: isError says what it is, and the
// schema is paid for once per tool in every model context). The server's own tests hold every
// result to this schema.
export const OUTPUT_SCHEMA = {
  type: 'object',
  properties: {
    status_code: { type: 'integer' },
    data: {},
    rate_limit: {},
    truncated: { type: 'boolean' },
    next: {},
    headers: {},
  },
} as const;
