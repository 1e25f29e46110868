// The process-wide Docker Hub JWT: minted from user + secret (password, PAT or OAT) with
// POST /v2/auth/token, or given as DOCKERHUB_JWT. Shared by the Hub and Scout clients, cached
// until `exp - 60 s`, one mint in flight however many callers wait for it.
import { decodeJwt, type JWTPayload } from 'jose';
import type { AuthProvider, RequestBase } from '../http/client.js';
import { ToolError } from '../http/errors.js';

const REFRESH_SKEW_MS = 60_000;
const FALLBACK_TTL_MS = 300_000;

export type HubAuthMode = 'jwt' | 'credentials' | 'anonymous';

export interface HubCredentials {
  user?: string;
  secret?: string;
  jwt?: string;
}

/** Claims worth showing; the rest of a Hub JWT is internal detail. */
const SHOWN_CLAIMS = ['sub', 'username', 'email', 'exp', 'iat', 'iss', 'aud', 'scope', 'uuid', 'session_id'];

export function decodeClaims(jwt: string): Record<string, unknown> {
  let payload: JWTPayload;
  try {
    payload = decodeJwt(jwt);
  } catch {
    return {};
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    // Hub nests its own claims under a URL-named key; flatten the useful ones.
    if (key.startsWith('https://hub.docker.com') && value !== null && typeof value === 'object') {
      for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) {
        if (SHOWN_CLAIMS.includes(inner)) out[inner] = innerValue;
      }
    } else if (SHOWN_CLAIMS.includes(key)) {
      out[key] = value;
    }
  }
  return out;
}

function expiryOf(jwt: string, now: number): number {
  try {
    const { exp } = decodeJwt(jwt);
    if (typeof exp === 'number') return exp * 1000;
  } catch {
    // Not a JWT we can read: fall back to a short life.
  }
  return now + FALLBACK_TTL_MS;
}

export class HubTokenManager implements AuthProvider {
  readonly mode: HubAuthMode;
  private cached?: { jwt: string; expiresAt: number };
  private pending?: Promise<string>;
  /** Number of mints sent, for tests and diagnostics. */
  mints = 0;

  constructor(
    private readonly credentials: HubCredentials,
    /** A Hub request base without auth, used only to mint. */
    private readonly mintBase: RequestBase,
    private readonly now: () => number = Date.now,
  ) {
    this.mode = credentials.jwt ? 'jwt' : credentials.user && credentials.secret ? 'credentials' : 'anonymous';
  }

  get identity(): string | undefined {
    if (this.mode === 'credentials') return this.credentials.user;
    if (this.mode === 'jwt') {
      const claims = decodeClaims(this.credentials.jwt ?? '');
      const name = claims.username ?? claims.sub;
      return typeof name === 'string' ? name : undefined;
    }
    return undefined;
  }

  async token(signal?: AbortSignal): Promise<string | undefined> {
    if (this.mode === 'jwt') return this.credentials.jwt;
    if (this.mode === 'anonymous') return undefined;
    if (this.cached && this.now() < this.cached.expiresAt - REFRESH_SKEW_MS) return this.cached.jwt;
    this.pending ??= this.mint(signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  async header(signal?: AbortSignal): Promise<string | undefined> {
    const jwt = await this.token(signal);
    return jwt ? `Bearer ${jwt}` : undefined;
  }

  invalidate(): boolean {
    if (this.mode !== 'credentials') return false;
    this.cached = undefined;
    return true;
  }

  /** Claims of the token the server acts with; mints one when credentials are configured. */
  async claims(signal?: AbortSignal): Promise<Record<string, unknown>> {
    const jwt = await this.token(signal);
    return jwt ? decodeClaims(jwt) : {};
  }

  get expiresAt(): number | undefined {
    if (this.mode === 'jwt') return expiryOf(this.credentials.jwt ?? '', this.now());
    return this.cached?.expiresAt;
  }

  private async mint(signal?: AbortSignal): Promise<string> {
    this.mints++;
    const identifier = this.credentials.user ?? '';
    let result;
    try {
      result = await this.mintBase.request<Record<string, unknown>>({
        method: 'POST',
        path: '/v2/auth/token',
        json: { identifier, secret: this.credentials.secret },
        auth: false,
        signal,
      });
    } catch (error) {
      if (error instanceof ToolError && (error.status === 401 || error.status === 403)) {
        throw new ToolError(
          'unauthorized',
          `Docker Hub rejected the credentials for '${identifier}' (HTTP ${error.status})`,
          error.status,
          'Check DOCKER_HUB_TOKEN: a PAT may be expired or revoked; for an organization access token (dckr_oat_…) DOCKER_HUB_USER must be the organization name.',
        );
      }
      throw error;
    }
    const jwt = result.data.access_token ?? result.data.token;
    if (typeof jwt !== 'string' || jwt.length === 0) {
      throw new ToolError('upstream_error', 'Docker Hub answered the token request without a token');
    }
    this.cached = { jwt, expiresAt: expiryOf(jwt, this.now()) };
    return jwt;
  }
}
