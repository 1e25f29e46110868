// One redactor for every tool result and every log line. Secrets are recognised three ways: by
// key name, by the shape of the value (PATs, OATs, JWTs, auth headers), and by exact value for
// the secrets this process was configured with (a Hub password has no recognisable shape).

export const REDACTED = '***redacted***';

const SECRET_KEYS = new Set([
  'secret',
  'password',
  'passwd',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'identitytoken',
  'registrytoken',
  'jwt',
  'login_2fa_token',
  'authorization',
  'proxy-authorization',
  'auth',
  'client_secret',
  'api_key',
  'apikey',
  'mcp_auth_token',
  'x-registry-auth',
  'cookie',
  'set-cookie',
]);

const VALUE_PATTERNS: readonly RegExp[] = [
  /dckr_(?:pat|oat)_[A-Za-z0-9_-]+/g,
  // JWT: three base64url segments, the first two starting with '{"' once decoded. It starts only
  // where a run of base64url characters starts: otherwise every 'eyJ' inside a long run would
  // rescan the run, and a 1 MB 'eyJeyJ…' would take minutes (quadratic backtracking).
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

const knownSecrets = new Set<string>();
/** Tokens the server obtains itself (minted JWTs, registry bearers): the newest few are enough. */
const mintedSecrets = new Set<string>();
const MINTED_KEPT = 128;
/**
 * The minted tokens kept are bounded in bytes too: a hostile token service answering distinct
 * 10 MiB tokens would otherwise make the newest 128 cost 1.28 GB, and every redaction scan them.
 */
export const MINTED_KEPT_CHARS = 1024 * 1024;
/** A token longer than this is refused here and by the token managers (real ones are a few KB). */
export const MINTED_MAX_CHARS = 64 * 1024;
let mintedChars = 0;

/** Registers an exact secret value (e.g. the configured Hub password) to be redacted anywhere. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) knownSecrets.add(value);
}

/** Keeps `value` among the newest transient secrets, evicting the oldest past the count and size bounds. */
function keepTransient(value: string | undefined, minLength: number): boolean {
  if (!value || value.length < minLength) return true;
  // Length in UTF-16 units bounds the memory held; a value over the bound is not kept, and the
  // caller should refuse the token rather than use a secret that would not be redacted.
  if (value.length > MINTED_MAX_CHARS) return false;
  if (mintedSecrets.delete(value)) mintedChars -= value.length;
  mintedSecrets.add(value);
  mintedChars += value.length;
  while (mintedSecrets.size > MINTED_KEPT || mintedChars > MINTED_KEPT_CHARS) {
    const oldest = mintedSecrets.values().next().value;
    if (oldest === undefined) break;
    mintedSecrets.delete(oldest);
    mintedChars -= oldest.length;
  }
  return true;
}

/**
 * Registers a token the server obtained (a minted Hub JWT, a registry bearer). Most are caught by
 * their shape already; an opaque one is not. Bounded, so a long-running server does not slow down
 * every redaction with expired tokens. False when the value is too long to keep.
 */
export function registerMintedSecret(value: string | undefined): boolean {
  return keepTransient(value, 8);
}

/**
 * Registers a secret that arrived in a tool call (create_token's secret, login's password) for the
 * rest of that call and a while after. Kept with the minted tokens, newest first: registered for
 * good, a million calls with distinct secrets would grow without bound and slow every redaction.
 */
export function registerCallSecret(value: string | undefined): boolean {
  return keepTransient(value, 4);
}

/** How many transient secrets (minted tokens, call secrets), and how many characters of them, the redactor holds. */
export function mintedSecretsHeld(): { count: number; chars: number; configured: number } {
  return { count: mintedSecrets.size, chars: mintedChars, configured: knownSecrets.size };
}

export interface RedactOptions {
  /** Exact values allowed through once, e.g. a freshly created PAT shown in its create result. */
  reveal?: ReadonlySet<string>;
}

function isSecretKey(key: string): boolean {
  const lower = key.toLowerCase();
  return SECRET_KEYS.has(lower) || lower.endsWith('token') || lower.endsWith('secret') || lower.endsWith('password');
}

export function redactString(text: string, options: RedactOptions = {}): string {
  let out = text;
  for (const secrets of [knownSecrets, mintedSecrets]) {
    for (const secret of secrets) {
      if (options.reveal?.has(secret)) continue;
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
  }
  for (const pattern of VALUE_PATTERNS) {
    out = out.replace(pattern, (match, scheme: unknown) => {
      if (options.reveal?.has(match)) return match;
      return typeof scheme === 'string' && /^(bearer|basic)$/i.test(scheme) ? `${scheme} ${REDACTED}` : REDACTED;
    });
  }
  return out;
}

/**
 * Deepest nesting a redacted copy keeps; a container deeper than this becomes NESTED_TOO_DEEP.
 * Recursion this deep is safe on any stack, and no real Hub, registry or Scout answer nests so far.
 */
export const REDACT_MAX_DEPTH = 128;
export const NESTED_TOO_DEEP = '[nested too deep]';

/** Deep copy of `value` with secrets replaced; keys are kept so the shape stays readable. */
export function redact<T>(value: T, options: RedactOptions = {}): T {
  return redactAny(value, options, new WeakSet(), 0) as T;
}

function redactAny(value: unknown, options: RedactOptions, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return redactString(value, options);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= REDACT_MAX_DEPTH) return NESTED_TOO_DEEP;
  // `seen` holds the ancestors only: an object shared by two fields is not a cycle.
  if (seen.has(value)) return '[circular]';
  // An Error has no enumerable fields worth showing: keep its name and message, never its stack.
  if (value instanceof Error) return { name: value.name, message: redactString(value.message, options) };
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactAny(item, options, seen, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (
        isSecretKey(key) &&
        item !== null &&
        item !== undefined &&
        item !== '' &&
        !(typeof item === 'string' && options.reveal?.has(item))
      ) {
        out[key] = typeof item === 'boolean' || typeof item === 'number' ? item : REDACTED;
      } else {
        out[key] = redactAny(item, options, seen, depth + 1);
      }
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
