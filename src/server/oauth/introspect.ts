// Opaque access tokens (RFC 7662): asked about at the issuer's introspection endpoint with the
// server's own client credentials, held to the same rules as a JWT (active, this issuer, bound to
// this server's audience, not expired), and remembered briefly so a client's burst of calls costs
// one introspection. Only a SHA-256 of the token is kept as the cache key.
import { createHash } from 'node:crypto';
import { BoundedMap } from '../../util/bounded-map.js';
import { CLOCK_TOLERANCE_SECONDS, MAX_TOKEN_CHARS, scopesOf, type Verdict } from './verify.js';

export const INTROSPECTION_MAX_BYTES = 64 * 1024;
/** An active answer is trusted this long (or until the token expires, if sooner). */
export const INTROSPECTION_CACHE_MS = 60_000;
export const INTROSPECTION_CACHE_ENTRIES = 1_000;

export interface IntrospectorOptions {
  issuer: string;
  audience: string;
  clientId: string;
  clientSecret: string;
  /** The endpoint from the issuer's metadata (undefined when it publishes none). */
  endpoint: () => Promise<string | undefined>;
  post: (url: string, body: URLSearchParams, authorization: string) => Promise<unknown>;
  now?: () => number;
}

const formEncode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');

export function createIntrospector(options: IntrospectorOptions): (token: string) => Promise<Verdict> {
  const now = options.now ?? Date.now;
  const cache = new BoundedMap<string, { verdict: Verdict; until: number }>(INTROSPECTION_CACHE_ENTRIES);
  // RFC 6749 §2.3.1: client_secret_basic form-encodes both parts before base64.
  const authorization = `Basic ${Buffer.from(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`).toString('base64')}`;

  const judge = (answer: Record<string, unknown>, token: string): Verdict => {
    if (answer.active !== true) return { ok: false, reason: 'introspection: not active' };
    if (answer.token_type === 'refresh_token') return { ok: false, reason: 'introspection: a refresh token' };
    if (answer.iss !== undefined && answer.iss !== options.issuer) return { ok: false, reason: 'wrong issuer' };
    const aud = Array.isArray(answer.aud) ? answer.aud : [answer.aud];
    if (!aud.includes(options.audience)) return { ok: false, reason: 'wrong audience' };
    const exp = typeof answer.exp === 'number' ? answer.exp : undefined;
    if (exp !== undefined && exp + CLOCK_TOLERANCE_SECONDS < now() / 1000) return { ok: false, reason: 'expired' };
    const clientId = typeof answer.client_id === 'string' ? answer.client_id.slice(0, 200) : 'unknown';
    return {
      ok: true,
      auth: {
        token,
        clientId,
        scopes: scopesOf(answer),
        ...(exp !== undefined ? { expiresAt: exp } : {}),
        extra: { subject: typeof answer.sub === 'string' ? answer.sub.slice(0, 200) : null },
      },
    };
  };

  return async (token) => {
    if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: `token longer than ${MAX_TOKEN_CHARS} characters` };
    const key = createHash('sha256').update(token).digest('base64url');
    const cached = cache.get(key);
    if (cached && cached.until > now()) return cached.verdict;
    let endpoint: string | undefined;
    let answer: unknown;
    try {
      endpoint = await options.endpoint();
      if (endpoint === undefined) return { ok: false, reason: 'not a JWT, and the issuer publishes no introspection_endpoint' };
      answer = await options.post(endpoint, new URLSearchParams({ token, token_type_hint: 'access_token' }), authorization);
    } catch (error) {
      return { ok: false, reason: `issuer introspection unavailable: ${(error as Error).message}`, unavailable: true };
    }
    if (answer === null || typeof answer !== 'object') {
      return { ok: false, reason: 'issuer introspection unavailable: the answer is not an object', unavailable: true };
    }
    const verdict = judge(answer as Record<string, unknown>, token);
    if (verdict.ok) {
      const expiresAt = verdict.auth.expiresAt !== undefined ? verdict.auth.expiresAt * 1000 : Infinity;
      cache.set(key, { verdict, until: Math.min(now() + INTROSPECTION_CACHE_MS, expiresAt) });
    }
    return verdict;
  };
}
