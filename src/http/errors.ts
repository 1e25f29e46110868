// Typed errors: every failure a tool can report, with the upstream status and message and a hint
// for the user. Tool results show `{error: {type, message, status?, hint?}}`, never a stack.

/**
 * Every error type, as the keys of one interface, so a layer above can add its own with
 * declaration merging instead of this file knowing about it (tools/tool-errors.ts adds the gate's).
 */
export interface ErrorTypes {
  invalid_argument: true;
  bad_request: true;
  unauthorized: true;
  forbidden: true;
  not_found: true;
  conflict: true;
  unsupported: true;
  rate_limited: true;
  upstream_error: true;
  timeout: true;
  network_error: true;
  cancelled: true;
  integrity_error: true;
  /** Content of a kind the server does not parse (a media type, a config that is not JSON): described, not blamed. */
  unsupported_content: true;
  /** Content that breaks its own format's rules (a manifest list holding `null`, JSON nested past the bound). */
  invalid_content: true;
  /** The egress policy refused a connection (a host, an address range or a redirect). */
  egress_denied: true;
  /** A bug: never an upstream's fault, never expected. */
  internal_error: true;
}

export type ErrorType = keyof ErrorTypes;

export interface ErrorBody {
  type: ErrorType;
  message: string;
  status?: number;
  hint?: string;
}

export class ToolError extends Error {
  override name = 'ToolError';
  constructor(
    readonly type: ErrorType,
    message: string,
    readonly status?: number,
    readonly hint?: string,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { type: this.type, message: this.message };
    if (this.status !== undefined) body.status = this.status;
    if (this.hint !== undefined) body.hint = this.hint;
    return body;
  }
}

export function typeForStatus(status: number): ErrorType {
  if (status === 400 || status === 422) return 'bad_request';
  if (status === 401) return 'unauthorized';
  if (status === 402 || status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 405 || status === 501) return 'unsupported';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 429) return 'rate_limited';
  return 'upstream_error';
}

const DEFAULT_HINTS: Partial<Record<ErrorType, string>> = {
  unauthorized: 'Check DOCKER_HUB_USER / DOCKER_HUB_TOKEN (or DOCKERHUB_JWT); anonymous access only reads public data.',
  forbidden: 'The credentials lack a scope or role for this, or the feature needs a paid Docker plan.',
  not_found: 'Check the names: namespaces, repositories and tags are case-sensitive.',
  rate_limited: 'Wait for the reset time shown by `hub_admin rate_limit`, or authenticate for a higher limit.',
  unsupported: 'This registry does not support the operation.',
};

/** Longest upstream message kept in an error: enough to read, never megabytes in a result. */
export const UPSTREAM_MESSAGE_MAX = 4_000;

/** `text` cut to `max` characters, saying how many were cut. */
export function clipText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(+${(text.length - max).toLocaleString('en-US')} chars)`;
}

/**
 * Pulls a readable message out of an upstream error body: Hub's `detail`/`message`/`errinfo`,
 * the registry's `errors[].message`, or GraphQL's `errors[].message`. Clipped: the body is the
 * upstream's to choose, and an 8 MiB `detail` must not become an 8 MiB tool result.
 */
export function upstreamMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return clipText(body.trim(), 500) || undefined;
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  for (const key of ['detail', 'message', 'errinfo', 'error_description', 'error']) {
    const value = record[key];
    if (typeof value === 'string' && value.length > 0) return clipText(value, UPSTREAM_MESSAGE_MAX);
  }
  if (Array.isArray(record.errors)) {
    const errors = record.errors as unknown[];
    const messages: string[] = [];
    let length = 0;
    let read = 0;
    // Read only as many entries as fit: a list of 300,000 errors is not walked to be cut.
    for (const e of errors) {
      if (length > UPSTREAM_MESSAGE_MAX) break;
      read++;
      if (e === null || typeof e !== 'object') continue;
      const item = e as Record<string, unknown>;
      if (typeof item.message !== 'string') continue;
      const code = typeof item.code === 'string' ? `${item.code.slice(0, 100)}: ` : '';
      const message = `${code}${item.message.slice(0, UPSTREAM_MESSAGE_MAX)}`;
      messages.push(message);
      length += message.length + 2;
    }
    if (messages.length > 0) {
      const rest = errors.length - read;
      const more = rest > 0 ? ` …(+${rest.toLocaleString('en-US')} more errors)` : '';
      return `${clipText(messages.join('; '), UPSTREAM_MESSAGE_MAX)}${more}`;
    }
  }
  return undefined;
}

export function errorFromResponse(status: number, body: unknown, method: string, path: string, hint?: string): ToolError {
  const type = typeForStatus(status);
  const detail = upstreamMessage(body);
  const message = `HTTP ${status} for ${method} ${clipText(path, 1_000)}${detail ? `: ${detail}` : ''}`;
  return new ToolError(type, message, status, hint ?? DEFAULT_HINTS[type]);
}

/** Turns anything thrown into a ToolError without leaking a stack trace. */
export function toToolError(error: unknown): ToolError {
  if (error instanceof ToolError) return error;
  if (error instanceof Error) {
    if (error.name === 'AbortError') return new ToolError('cancelled', 'the request was cancelled');
    if (error.name === 'TimeoutError')
      return new ToolError(
        'timeout',
        'the upstream did not answer before the deadline',
        undefined,
        'Raise DOCKERHUB_TIMEOUT if the upstream is slow.',
      );
    return new ToolError('internal_error', error.message);
  }
  return new ToolError('internal_error', String(error));
}
