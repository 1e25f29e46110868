// What the test proxies (counting, chaos) do to headers on the way through: hop-by-hop headers
// dropped, and the upstream's origin rewritten to the proxy's in the headers that carry URLs.
import type { IncomingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);
const URL_HEADERS = new Set(['location', 'link', 'www-authenticate']);

/** The client's request headers for the upstream, with its Host. */
export function requestHeaders(headers: IncomingHttpHeaders, upstreamHost: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  out.host = upstreamHost;
  return out;
}

/** The upstream's response headers for the client, URLs pointing at the proxy. */
export function responseHeaders(headers: IncomingHttpHeaders, rewrite: (value: string) => string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = URL_HEADERS.has(name) ? (Array.isArray(value) ? value.map(rewrite) : rewrite(value)) : value;
  }
  return out;
}
