// The process-wide Docker Hub JWT: minted from user + secret (password, PAT or OAT) with
// POST /v2/auth/token, or given as DOCKERHUB_JWT. Shared by the Hub and Scout clients, cached
// until `exp - 60 s`, one mint in flight however many callers wait for it. A failed mint explains
// itself for the kind of secret configured, and never contains the secret.
import { decodeJwt, type JWTPayload } from 'jose';
import type { AuthProvider, RequestBase } from '../http/client.js';
import { ToolError, upstreamMessage } from '../http/errors.js';
import { MINTED_MAX_CHARS, registerMintedSecret } from '../redact.js';

const REFRESH_SKEW_MS = 60_000;
const FALLBACK_TTL_MS = 300_000;

export type HubAuthMode = 'jwt' | 'credentials' | 'anonymous';

/** What kind of secret the server authenticates with; decides which hints an auth failure gets. */
export type CredentialKind = 'password' | 'pat' | 'oat' | 'jwt' | 'anonymous';

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

/** Expiry of a JWT in ms since the epoch: its `exp`, or now + 300 s when it has none. */
export function expiryOf(jwt: string, now: number): number {
  try {
    const { exp } = decodeJwt(jwt);
    if (typeof exp === 'number') return exp * 1000;
  } catch {
    // Not a JWT we can read: fall back to a short life.
  }
  return now + FALLBACK_TTL_MS;
}

export function credentialKindOf(secret: string | undefined): CredentialKind {
  if (!secret) return 'anonymous';
  if (secret.startsWith('dckr_pat_')) return 'pat';
  if (secret.startsWith('dckr_oat_')) return 'oat';
  return 'password';
}

const trimmed = (value: string | undefined): string | undefined => {
  const t = value?.trim();
  return t ? t : undefined;
};

/** The hint for a rejected mint, by the kind of secret configured. */
export function mintFailureHint(kind: CredentialKind, status: number, detail: string | undefined): string {
  if (status === 429) return 'Docker Hub rate-limited the token request; wait a minute and retry.';
  if (detail && /sso/i.test(detail))
    return 'The organization enforces SSO, so passwords are refused: set DOCKER_HUB_TOKEN to a personal access token (dckr_pat_…).';
  switch (kind) {
    case 'pat':
      return 'The personal access token was refused: it may be expired, revoked or inactive, or DOCKER_HUB_USER is not the user who created it (Account settings → Personal access tokens).';
    case 'oat':
      return 'The organization access token was refused: DOCKER_HUB_USER must be the organization name (not a user), and the token must be active and unexpired (Admin Console → Access tokens).';
    default:
      return 'Wrong user name or password for DOCKER_HUB_USER / DOCKER_HUB_TOKEN; if your organization enforces SSO, use a personal access token (dckr_pat_…) instead of the password.';
  }
}

/** Waits for `promise` but gives up when `signal` aborts (the shared work goes on for others). */
function raceSignal<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new ToolError('cancelled', 'the request was cancelled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new ToolError('cancelled', 'the request was cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export class HubTokenManager implements AuthProvider {
  readonly mode: HubAuthMode;
  /** password, pat, oat (from the secret's prefix), jwt or anonymous. */
  readonly kind: CredentialKind;
  private readonly credentials: HubCredentials;
  private cached?: { jwt: string; expiresAt: number };
  private pending?: Promise<string>;
  /** Number of mints sent, for tests and diagnostics. */
  mints = 0;

  constructor(
    credentials: HubCredentials,
    /** A Hub request base without auth, used only to mint. */
    private readonly mintBase: RequestBase,
    private readonly now: () => number = Date.now,
  ) {
    // Secrets pasted into env files often carry a trailing newline or spaces.
    this.credentials = { user: trimmed(credentials.user), secret: trimmed(credentials.secret), jwt: trimmed(credentials.jwt) };
    this.mode = this.credentials.jwt ? 'jwt' : this.credentials.user && this.credentials.secret ? 'credentials' : 'anonymous';
    this.kind = this.mode === 'jwt' ? 'jwt' : this.mode === 'anonymous' ? 'anonymous' : credentialKindOf(this.credentials.secret);
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
    // The mint is shared: it runs on its own deadline, so one caller giving up does not fail the others.
    this.pending ??= this.mint().finally(() => {
      this.pending = undefined;
    });
    return raceSignal(this.pending, signal);
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

  private async mint(): Promise<string> {
    this.mints++;
    const identifier = this.credentials.user ?? '';
    let result;
    try {
      result = await this.mintBase.request<Record<string, unknown>>({
        method: 'POST',
        path: '/v2/auth/token',
        json: { identifier, secret: this.credentials.secret },
        auth: false,
        // Minting twice is harmless: a 503 or a dropped connection is worth one more try.
        idempotent: true,
      });
    } catch (error) {
      if (error instanceof ToolError && error.status !== undefined && [400, 401, 403, 429].includes(error.status)) {
        // The upstream message may quote the request; keep only what follows the status line.
        const detail = /: (.*)$/.exec(error.message)?.[1];
        throw new ToolError(
          error.status === 429 ? 'rate_limited' : 'unauthorized',
          `Docker Hub refused a token for '${identifier}' (HTTP ${error.status}${detail ? `: ${detail}` : ''})`,
          error.status,
          mintFailureHint(this.kind, error.status, detail),
        );
      }
      throw error;
    }
    const jwt = result.data?.access_token ?? result.data?.token;
    if (typeof jwt !== 'string' || jwt.length === 0) {
      throw new ToolError(
        'upstream_error',
        `Docker Hub answered the token request without a token${upstreamMessage(result.data) ? ` (${upstreamMessage(result.data)})` : ''}`,
      );
    }
    // Hub JWTs are ~1 KB; one too long for the redactor to hold is one the server will not use.
    if (jwt.length > MINTED_MAX_CHARS) {
      throw new ToolError(
        'upstream_error',
        `Docker Hub answered the token request with a token of ${jwt.length} characters; the limit is ${MINTED_MAX_CHARS}`,
      );
    }
    registerMintedSecret(jwt);
    this.cached = { jwt, expiresAt: expiryOf(jwt, this.now()) };
    return jwt;
  }
}
