// Redirects followed by the request base itself, never by fetch: each hop is a new URL the
// egress policy checks, credentials stay with their origin, and a body is never re-sent.
import { egressError } from './egress.js';
import { ToolError } from './errors.js';

export const MAX_REDIRECTS = 5;
/** Headers that carry a credential or session: never sent to an origin other than the one asked. */
export const ORIGIN_BOUND_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

export function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

export interface RedirectHop {
  upstream: string;
  from: URL;
  response: Response;
  method: string;
  /** The path shown in messages. */
  display: string;
  hasBody: boolean;
  /** Hops so far, this one included. */
  hops: number;
}

/**
 * The next URL of a followed redirect, or an error: at most MAX_REDIRECTS hops, http(s) only,
 * never https → http, and never for a request with a body (fetch would re-send a 307/308 body
 * — a token mint's secret — to whatever origin the upstream names).
 */
export function nextHop(hop: RedirectHop): URL {
  const { upstream, from, response, method, display, hasBody, hops } = hop;
  const location = response.headers.get('location');
  if (hasBody || (method !== 'GET' && method !== 'HEAD')) {
    throw new ToolError(
      'upstream_error',
      `${upstream} answered ${method} ${display} with a redirect (${response.status})${location ? ` to ${safeOrigin(location, from)}` : ''}; a request with a body is never re-sent after a redirect`,
      response.status,
      `Point the ${upstream} URL setting at the final address.`,
    );
  }
  if (!location) throw new ToolError('upstream_error', `${upstream} answered ${method} ${display} with a redirect without a Location`);
  if (hops > MAX_REDIRECTS) throw new ToolError('upstream_error', `${method} ${display}: more than ${MAX_REDIRECTS} redirects`);
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new ToolError('upstream_error', `${upstream} sent an unreadable redirect Location`);
  }
  if (from.protocol === 'https:' && next.protocol === 'http:') {
    throw egressError(`${upstream} redirected ${method} ${display} from https to plain http (${next.origin})`);
  }
  return next;
}

/** The origin of a Location value, for messages (never its path or query, which may carry tokens). */
function safeOrigin(location: string, base: URL): string {
  try {
    return new URL(location, base).origin;
  } catch {
    return 'an unreadable URL';
  }
}
