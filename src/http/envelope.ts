// The result shape every client method returns and every tool shows (the reference's envelope,
// plus paging and truncation fields).
import type { RateLimitSnapshot } from './rate-limit.js';

export interface Envelope<T = unknown> {
  status_code: number;
  data: T;
  rate_limit: RateLimitSnapshot | null;
  headers?: Record<string, string>;
  /** Set when the data was cut to fit the result caps. */
  truncated?: boolean;
  /** Cursor or page to ask for to get the rest. */
  next?: unknown;
}

export function envelope<T>(data: T, rateLimit: RateLimitSnapshot | null = null, statusCode = 200): Envelope<T> {
  return { status_code: statusCode, data, rate_limit: rateLimit };
}

/** Response headers worth showing to a user; everything else is noise in a model's context. */
export const SHOWN_HEADERS = [
  'docker-content-digest',
  'content-type',
  'content-length',
  'location',
  'range',
  'oci-subject',
  'oci-chunk-min-length',
  'docker-upload-uuid',
  'link',
  'etag',
] as const;

export function pickHeaders(headers: Headers): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const name of SHOWN_HEADERS) {
    const value = headers.get(name);
    if (value !== null) out[name] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
