// The single list of settings: every environment variable and CLI flag the server reads.
// config.ts parses from it and the README's configuration table is rendered from it, so the
// documentation cannot drift from the code.

export type SettingKind = 'string' | 'secret' | 'url' | 'bool' | 'int' | 'enum' | 'list';

export interface Setting {
  /** Field name in the Config object. */
  key: string;
  /** Environment variable names, the first one wins when several are set. */
  env: readonly string[];
  /** CLI flag (without the leading dashes), when there is one. */
  flag?: string;
  kind: SettingKind;
  /** Allowed values for enums (aliases map onto them). */
  values?: readonly string[];
  aliases?: Readonly<Record<string, string>>;
  /** Inclusive bounds for ints. */
  min?: number;
  max?: number;
  default?: string | number | boolean | readonly string[];
  description: string;
}

/** The nine tools and the reference's per-tool toggle variables. */
export const TOOL_TOGGLES = {
  hub_auth: 'AUTHTOOL',
  hub_repos: 'REPOSTOOL',
  hub_org: 'ORGTOOL',
  hub_teams: 'TEAMSTOOL',
  hub_audit: 'AUDITTOOL',
  hub_scim: 'SCIMTOOL',
  hub_admin: 'ADMINTOOL',
  hub_registry: 'REGISTRYTOOL',
  hub_scout: 'SCOUTTOOL',
} as const;

export type ToolName = keyof typeof TOOL_TOGGLES;
export const TOOL_NAMES = Object.keys(TOOL_TOGGLES) as ToolName[];

export const SETTINGS: readonly Setting[] = [
  {
    key: 'hubUser',
    env: ['DOCKER_HUB_USER', 'DOCKERHUB_USERNAME'],
    kind: 'string',
    description: 'Docker Hub user or organization name used to mint a Hub JWT.',
  },
  {
    key: 'hubToken',
    env: ['DOCKER_HUB_TOKEN', 'DOCKERHUB_TOKEN'],
    kind: 'secret',
    description: 'Password, personal access token (`dckr_pat_…`) or organization access token (`dckr_oat_…`).',
  },
  {
    key: 'hubJwt',
    env: ['DOCKERHUB_JWT'],
    kind: 'secret',
    description: 'A pre-minted Hub JWT used as a static bearer for Hub and Scout (no refresh).',
  },
  {
    key: 'scimToken',
    env: ['DOCKERHUB_SCIM_TOKEN'],
    kind: 'secret',
    description: "SCIM bearer token from the organization's SSO connection (Admin Console → SSO → SCIM); used only by `hub_scim`.",
  },
  {
    key: 'hubUrl',
    env: ['DOCKERHUB_URL'],
    kind: 'url',
    default: 'https://hub.docker.com',
    description: 'Docker Hub API base URL.',
  },
  {
    key: 'registryUrl',
    env: ['DOCKER_REGISTRY_URL'],
    kind: 'url',
    default: 'https://registry-1.docker.io',
    description: 'Default registry for image references without a host.',
  },
  {
    key: 'registryAuthUrl',
    env: ['DOCKER_REGISTRY_AUTH_URL'],
    kind: 'url',
    default: 'https://auth.docker.io/token',
    description: "Default token realm; a registry's own challenge overrides it.",
  },
  {
    key: 'registryAllowedHosts',
    env: ['DOCKER_REGISTRY_ALLOWED_HOSTS'],
    kind: 'list',
    default: [],
    description:
      'Registries tool calls may name (comma-separated `host[:port]` or `*.example.com`); unset: any public registry. Docker Hub and `DOCKER_REGISTRY_URL` are always allowed; over HTTP, private addresses need an entry here.',
  },
  {
    key: 'scoutUrl',
    env: ['DOCKER_SCOUT_URL'],
    kind: 'url',
    default: 'https://api.scout.docker.com',
    description: 'Docker Scout API base URL.',
  },
  {
    key: 'dockerConfig',
    env: ['DOCKER_CONFIG'],
    kind: 'string',
    default: '~/.docker',
    description: 'Folder holding the docker `config.json` read for registry credentials.',
  },
  {
    key: 'allowDestructive',
    env: ['DOCKERHUB_ALLOW_DESTRUCTIVE'],
    flag: 'allow-destructive',
    kind: 'bool',
    default: false,
    description: 'Enables destructive actions (deletes, pushes, settings writes, token revocation).',
  },
  {
    key: 'readOnly',
    env: ['DOCKERHUB_READ_ONLY'],
    flag: 'read-only',
    kind: 'bool',
    default: false,
    description: 'Removes every write action; wins over `DOCKERHUB_ALLOW_DESTRUCTIVE`.',
  },
  {
    key: 'confirm',
    env: ['DOCKERHUB_CONFIRM'],
    flag: 'confirm',
    kind: 'enum',
    values: ['when-supported', 'always', 'never'],
    default: 'when-supported',
    description:
      'Asks the human to confirm each destructive call (its exact target) through MCP elicitation: `when-supported` when the client can elicit, `always` refuses destructive calls from clients that cannot, `never` skips it.',
  },
  ...Object.entries(TOOL_TOGGLES).map(([tool, variable]): Setting => ({
    key: `toggle_${tool}`,
    env: [variable],
    kind: 'bool',
    default: true,
    description: `Serves the \`${tool}\` tool.`,
  })),
  {
    key: 'tools',
    env: ['MCP_TOOLS'],
    flag: 'tools',
    kind: 'list',
    description: 'Comma-separated allow-list of tools (`hub_registry,hub_admin` or `registry,admin`); applied after the toggles.',
  },
  {
    key: 'transport',
    env: ['TRANSPORT'],
    flag: 'transport',
    kind: 'enum',
    values: ['stdio', 'streamable-http'],
    aliases: { http: 'streamable-http' },
    default: 'stdio',
    description: 'MCP transport.',
  },
  {
    key: 'host',
    env: ['HOST'],
    flag: 'host',
    kind: 'string',
    default: '127.0.0.1',
    description: 'HTTP bind address; a non-loopback address requires `MCP_AUTH_TOKEN` or `MCP_OAUTH_ISSUER`.',
  },
  {
    key: 'port',
    env: ['PORT'],
    flag: 'port',
    kind: 'int',
    min: 0,
    max: 65535,
    default: 8000,
    description: 'HTTP port (0 picks a free one).',
  },
  {
    key: 'mcpAuthToken',
    env: ['MCP_AUTH_TOKEN'],
    kind: 'secret',
    description: 'Bearer token HTTP clients must send (`Authorization: Bearer …`).',
  },
  {
    key: 'publicUrl',
    env: ['MCP_PUBLIC_URL'],
    kind: 'url',
    description:
      'The URL clients reach the MCP endpoint at (`https://mcp.example.com/mcp`), behind a proxy or balancer; names the OAuth resource. Default: `http://HOST:PORT/mcp`; required with `MCP_OAUTH_ISSUER` off loopback.',
  },
  {
    key: 'oauthIssuer',
    env: ['MCP_OAUTH_ISSUER'],
    // Kept verbatim (not `url`, which drops a trailing slash): it must equal the tokens' `iss`.
    kind: 'string',
    description:
      'OAuth 2.1 authorization server (issuer URL, https or loopback http) whose JWT access tokens HTTP clients may send; publishes `/.well-known/oauth-protected-resource`.',
  },
  {
    key: 'oauthAudience',
    env: ['MCP_OAUTH_AUDIENCE'],
    kind: 'string',
    description: 'The `aud` an access token must carry (RFC 8707 resource). Default: the public URL of the MCP endpoint.',
  },
  {
    key: 'oauthClientId',
    env: ['MCP_OAUTH_CLIENT_ID'],
    kind: 'string',
    description:
      "The server's own client at the issuer, for RFC 7662 introspection of opaque (non-JWT) access tokens; with `MCP_OAUTH_CLIENT_SECRET`.",
  },
  {
    key: 'oauthClientSecret',
    env: ['MCP_OAUTH_CLIENT_SECRET'],
    kind: 'secret',
    description: 'Secret of `MCP_OAUTH_CLIENT_ID` (client_secret_basic at the introspection endpoint).',
  },
  {
    key: 'oauthScopesRead',
    env: ['MCP_OAUTH_SCOPES_READ'],
    kind: 'string',
    default: 'dockerhub:read',
    description: 'OAuth scope a token needs to use the server at all (read actions).',
  },
  {
    key: 'oauthScopesWrite',
    env: ['MCP_OAUTH_SCOPES_WRITE'],
    kind: 'string',
    default: 'dockerhub:write',
    description: 'OAuth scope a token needs for write actions (besides the read-only setting).',
  },
  {
    key: 'oauthScopesDestructive',
    env: ['MCP_OAUTH_SCOPES_DESTRUCTIVE'],
    kind: 'string',
    default: 'dockerhub:destructive',
    description: 'OAuth scope a token needs for destructive actions (besides the write scope and `DOCKERHUB_ALLOW_DESTRUCTIVE`).',
  },
  {
    key: 'allowedHosts',
    env: ['MCP_ALLOWED_HOSTS'],
    kind: 'list',
    default: [],
    description: 'Extra `Host` header values accepted besides loopback (comma-separated, `name` or `name:port`).',
  },
  {
    key: 'allowedOrigins',
    env: ['MCP_ALLOWED_ORIGINS'],
    kind: 'list',
    default: [],
    description: 'Browser `Origin` values accepted besides loopback origins (comma-separated).',
  },
  {
    key: 'stateless',
    env: ['MCP_STATELESS'],
    flag: 'stateless',
    kind: 'bool',
    default: false,
    description: 'HTTP without sessions: every POST is answered with plain JSON.',
  },
  {
    key: 'maxSessions',
    env: ['MCP_MAX_SESSIONS'],
    kind: 'int',
    min: 1,
    max: 100000,
    default: 100,
    description: 'Cap on open HTTP sessions; a new one then replaces the least recently used idle session, or gets 503 when all are busy.',
  },
  {
    key: 'sessionIdleSeconds',
    env: ['MCP_SESSION_IDLE_SECONDS'],
    kind: 'int',
    min: 10,
    max: 86400,
    default: 300,
    description: 'An HTTP session with no request for this long is closed.',
  },
  {
    key: 'shutdownGraceSeconds',
    env: ['MCP_SHUTDOWN_GRACE_SECONDS'],
    kind: 'int',
    min: 0,
    max: 300,
    default: 10,
    description:
      'On SIGTERM / SIGINT or stdin closing, running calls get this long to finish and have their answers sent; then they are cancelled.',
  },
  {
    key: 'maxBodyBytes',
    env: ['MCP_MAX_BODY_BYTES'],
    kind: 'int',
    min: 1024,
    max: 268435456,
    default: 4194304,
    description: 'Largest accepted HTTP request body; larger ones get 413.',
  },
  {
    key: 'timeoutSeconds',
    env: ['DOCKERHUB_TIMEOUT'],
    flag: 'timeout',
    kind: 'int',
    min: 1,
    max: 3600,
    default: 30,
    description:
      'Deadline in seconds for each upstream read of bounded content as a whole (all attempts, retry waits and the body); a longer Retry-After answers `rate_limited` at once.',
  },
  {
    key: 'streamMinRate',
    env: ['DOCKERHUB_STREAM_MIN_RATE'],
    kind: 'int',
    min: 0,
    max: 1073741824,
    default: 65536,
    description:
      'Streamed blob copies and uploads (exempt from the deadline) abort when they move fewer bytes per second than this for `DOCKERHUB_STREAM_STALL_SECONDS`; 0 turns the floor off.',
  },
  {
    key: 'streamStallSeconds',
    env: ['DOCKERHUB_STREAM_STALL_SECONDS'],
    kind: 'int',
    min: 1,
    max: 3600,
    default: 30,
    description: 'Window over which the stream throughput floor is measured.',
  },
  {
    key: 'maxResultBytes',
    env: ['DOCKERHUB_MAX_RESULT_BYTES'],
    kind: 'int',
    min: 1024,
    max: 16777216,
    default: 200000,
    description: 'Tool results larger than this are cut down and marked `truncated`.',
  },
  {
    key: 'maxScanBytes',
    env: ['DOCKERHUB_MAX_SCAN_BYTES'],
    kind: 'int',
    min: 1048576,
    max: 1099511627776,
    default: 4294967296,
    description:
      'Most uncompressed layer bytes one image-insight call (`files`, `read_file`, `packages`; `diff` with files or packages: both images together) streams; past it the call stops with a clear error. Bounds decompression bombs too.',
  },
  {
    key: 'logLevel',
    env: ['LOG_LEVEL'],
    flag: 'log-level',
    kind: 'enum',
    values: ['debug', 'info', 'warn', 'error', 'silent'],
    default: 'info',
    description: 'Level of the JSON log lines written to stderr.',
  },
];
