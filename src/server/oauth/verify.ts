// Checks a JWT access token (RFC 9068 profile, as the MCP authorization spec asks): signed with an
// asymmetric algorithm by a key of the configured issuer, issued by it (`iss`), for this server
// (`aud`, RFC 8707), and current (`exp`, `nbf`, 30 s of clock skew). The reason a token fails is
// for the operator's log; the caller learns only that it is invalid.
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { IssuerUnavailable } from './issuer-keys.js';

/** Asymmetric only: `none` and HMAC (a key the issuer shares with others) are refused. */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
export const CLOCK_TOLERANCE_SECONDS = 30;
/** Access tokens are a few KiB; a bigger one is not parsed at all. */
export const MAX_TOKEN_CHARS = 16 * 1024;

export interface VerifierOptions {
  issuer: string;
  audience: string;
  getKey: JWTVerifyGetKey;
}

export type Verdict = { ok: true; auth: AuthInfo } | { ok: false; reason: string; unavailable?: boolean };

/** Space-separated `scope` (RFC 9068), or `scp` as a list or string (Entra ID, Okta). */
export function scopesOf(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(' ') : [];
  return list.filter((item): item is string => typeof item === 'string' && item.length > 0).slice(0, 100);
}

function clientIdOf(payload: JWTPayload): string {
  for (const claim of ['client_id', 'azp', 'appid']) {
    const value = payload[claim];
    if (typeof value === 'string' && value.length > 0) return value.slice(0, 200);
  }
  return 'unknown';
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'wrong issuer';
    if (error.claim === 'aud') return 'wrong audience';
    if (error.claim === 'nbf') return 'not yet valid';
    return `claim ${error.claim}: ${error.reason}`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no issuer key matches the token';
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'several issuer keys match the token';
  if (error instanceof errors.JOSEError) return `malformed token (${error.code})`;
  return `verification failed: ${(error as Error).message}`;
}

export async function verifyAccessToken(token: string, options: VerifierOptions): Promise<Verdict> {
  if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: `token longer than ${MAX_TOKEN_CHARS} characters` };
  if (token.split('.').length !== 3) return { ok: false, reason: 'not a JWT (opaque tokens are not accepted)' };
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, options.getKey, {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: ALLOWED_ALGORITHMS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp'],
    }));
  } catch (error) {
    if (error instanceof IssuerUnavailable) return { ok: false, reason: `issuer keys unavailable: ${error.message}`, unavailable: true };
    return { ok: false, reason: reasonOf(error) };
  }
  return {
    ok: true,
    auth: {
      token,
      clientId: clientIdOf(payload),
      scopes: scopesOf(payload),
      ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp } : {}),
      extra: { subject: typeof payload.sub === 'string' ? payload.sub.slice(0, 200) : null },
    },
  };
}
