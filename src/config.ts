// Reads the configuration once, at start-up: CLI flags > environment > `.env` > defaults.
// The result is one frozen, validated object passed down; no other module reads process.env.
import { parseArgs } from 'node:util';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { parseHostPattern } from './util/host-pattern.js';
import { SETTINGS, TOOL_NAMES, TOOL_TOGGLES, type Setting, type ToolName } from './config-spec.js';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export const CONFIRM_MODES = ['when-supported', 'always', 'never'] as const;

const ConfigSchema = z.object({
  hubUser: z.string().min(1).optional(),
  hubToken: z.string().min(1).optional(),
  hubJwt: z.string().min(1).optional(),
  scimToken: z.string().min(1).optional(),
  hubUrl: z.string(),
  registryUrl: z.string(),
  registryAuthUrl: z.string(),
  registryAllowedHosts: z.array(z.string()),
  scoutUrl: z.string(),
  dockerConfig: z.string(),
  allowDestructive: z.boolean(),
  readOnly: z.boolean(),
  confirm: z.enum(CONFIRM_MODES),
  enabledTools: z.array(z.enum(TOOL_NAMES as [ToolName, ...ToolName[]])),
  transport: z.enum(['stdio', 'streamable-http']),
  host: z.string().min(1),
  port: z.number().int(),
  mcpAuthToken: z.string().min(1).optional(),
  publicUrl: z.string().optional(),
  oauthIssuer: z.string().optional(),
  oauthAudience: z.string().optional(),
  oauthClientId: z.string().optional(),
  oauthClientSecret: z.string().optional(),
  oauthScopesRead: z.string(),
  oauthScopesWrite: z.string(),
  oauthScopesDestructive: z.string(),
  allowedHosts: z.array(z.string()),
  allowedOrigins: z.array(z.string()),
  stateless: z.boolean(),
  maxSessions: z.number().int(),
  sessionIdleSeconds: z.number().int(),
  shutdownGraceSeconds: z.number().int(),
  maxBodyBytes: z.number().int(),
  timeoutSeconds: z.number().int(),
  streamMinRate: z.number().int(),
  streamStallSeconds: z.number().int(),
  maxResultBytes: z.number().int(),
  maxScanBytes: z.number().int(),
  logLevel: z.enum(LOG_LEVELS),
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type ConfirmMode = (typeof CONFIRM_MODES)[number];

/** A bad setting: main prints the message and exits with status 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `help` and `version` stop before any setting is read; main prints them (src/docs/cli-help.ts). */
export type ConfigOutcome = { kind: 'config'; config: Config } | { kind: 'help' } | { kind: 'version' };

export interface ConfigSources {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** Values from a `.env` file; they never override the real environment. */
  dotenv?: Readonly<Record<string, string>>;
}

const TRUE = new Set(['1', 'true', 't', 'yes', 'y', 'on']);
const FALSE = new Set(['0', 'false', 'f', 'no', 'n', 'off', '']);

/** `via` is the variable or flag the value came from, so an error names it. */
function parseValue(setting: Setting, raw: string, via: string): unknown {
  const name = via;
  const value = raw.trim();
  switch (setting.kind) {
    case 'bool': {
      const lower = value.toLowerCase();
      if (TRUE.has(lower)) return true;
      if (FALSE.has(lower)) return false;
      throw new ConfigError(`${name}: '${raw}' is not a boolean; allowed values: true, false (also 1/0, yes/no, on/off)`);
    }
    case 'int': {
      if (!/^\d+$/.test(value)) {
        throw new ConfigError(`${name}: '${raw}' is not a whole number; allowed values: ${setting.min}..${setting.max}`);
      }
      const n = Number(value);
      if ((setting.min !== undefined && n < setting.min) || (setting.max !== undefined && n > setting.max)) {
        throw new ConfigError(`${name}: ${n} is out of range; allowed values: ${setting.min}..${setting.max}`);
      }
      return n;
    }
    case 'enum': {
      const lower = value.toLowerCase();
      const canonical = setting.aliases?.[lower] ?? lower;
      if (!setting.values?.includes(canonical)) {
        const allowed = [...(setting.values ?? []), ...Object.keys(setting.aliases ?? {})].join(', ');
        throw new ConfigError(`${name}: '${raw}' is not valid; allowed values: ${allowed}`);
      }
      return canonical;
    }
    case 'list':
      return value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
    case 'url': {
      // A URL may carry a password (`https://user:pw@host`): never echo the raw value.
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        throw new ConfigError(`${name}: the value is not a URL; allowed values: an http:// or https:// URL`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new ConfigError(`${name}: the URL has protocol ${url.protocol}; allowed values: an http:// or https:// URL`);
      }
      if (url.username !== '' || url.password !== '') {
        // Userinfo would be shown by `hub_admin config`, logs and errors, and fetch refuses it anyway.
        throw new ConfigError(
          `${name}: the URL carries a user name or password; credentials do not belong in URLs. Put them in DOCKER_HUB_USER / DOCKER_HUB_TOKEN or $DOCKER_CONFIG/config.json, and give ${name} as ${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`,
        );
      }
      return value.replace(/\/+$/, '');
    }
    case 'secret':
    case 'string':
      // Secrets pasted into env files often carry a trailing newline or spaces.
      return value.length > 0 ? value : undefined;
  }
}

function expandHome(path: string, env: ConfigSources['env']): string {
  if (path === '~' || path.startsWith('~/')) return join(env.HOME ?? homedir(), path.slice(2));
  return path;
}

/** Matches `hub_registry`, `registry` and `REGISTRYTOOL` to the tool name. */
function toolFromName(name: string): ToolName | undefined {
  const lower = name.toLowerCase();
  for (const tool of TOOL_NAMES) {
    if (lower === tool || `hub_${lower}` === tool || lower === TOOL_TOGGLES[tool].toLowerCase()) return tool;
  }
  return undefined;
}

export function loadConfig(sources: ConfigSources): ConfigOutcome {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
  };
  for (const setting of SETTINGS) {
    if (setting.flag) options[setting.flag] = { type: setting.kind === 'bool' ? 'boolean' : 'string' };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...sources.argv], options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}; run with --help for the valid flags`);
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  if (flags.help === true) return { kind: 'help' };
  if (flags.version === true) return { kind: 'version' };

  const values: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    let value: unknown = setting.default;
    const flagValue = setting.flag ? flags[setting.flag] : undefined;
    if (flagValue !== undefined) {
      value = typeof flagValue === 'boolean' ? flagValue : parseValue(setting, flagValue, `--${setting.flag}`);
    } else {
      // The real environment (under any of the names) wins over `.env` (under any of them).
      const fromEnv = setting.env.find((name) => sources.env[name] !== undefined);
      const fromDotenv = setting.env.find((name) => sources.dotenv?.[name] !== undefined);
      if (fromEnv !== undefined) value = parseValue(setting, sources.env[fromEnv] as string, fromEnv);
      else if (fromDotenv !== undefined) value = parseValue(setting, sources.dotenv?.[fromDotenv] as string, `${fromDotenv} (.env)`);
    }
    values[setting.key] = value;
  }

  let enabled = TOOL_NAMES.filter((tool) => values[`toggle_${tool}`] !== false);
  const allowList = values.tools as string[] | undefined;
  if (allowList && allowList.length > 0) {
    const wanted = new Set<ToolName>();
    for (const name of allowList) {
      const tool = toolFromName(name);
      if (!tool) throw new ConfigError(`--tools / MCP_TOOLS: unknown tool '${name}'; allowed values: ${TOOL_NAMES.join(', ')}`);
      wanted.add(tool);
    }
    enabled = enabled.filter((tool) => wanted.has(tool));
  }

  const candidate = {
    hubUser: values.hubUser,
    hubToken: values.hubToken,
    hubJwt: values.hubJwt,
    scimToken: values.scimToken,
    hubUrl: values.hubUrl,
    registryUrl: values.registryUrl,
    registryAuthUrl: values.registryAuthUrl,
    registryAllowedHosts: values.registryAllowedHosts,
    scoutUrl: values.scoutUrl,
    dockerConfig: expandHome(values.dockerConfig as string, sources.env),
    allowDestructive: values.allowDestructive,
    readOnly: values.readOnly,
    confirm: values.confirm,
    enabledTools: enabled,
    transport: values.transport,
    host: values.host,
    port: values.port,
    mcpAuthToken: values.mcpAuthToken,
    publicUrl: values.publicUrl,
    oauthIssuer: values.oauthIssuer,
    oauthAudience: values.oauthAudience,
    oauthClientId: values.oauthClientId,
    oauthClientSecret: values.oauthClientSecret,
    oauthScopesRead: values.oauthScopesRead,
    oauthScopesWrite: values.oauthScopesWrite,
    oauthScopesDestructive: values.oauthScopesDestructive,
    allowedHosts: values.allowedHosts,
    allowedOrigins: values.allowedOrigins,
    stateless: values.stateless,
    maxSessions: values.maxSessions,
    sessionIdleSeconds: values.sessionIdleSeconds,
    shutdownGraceSeconds: values.shutdownGraceSeconds,
    maxBodyBytes: values.maxBodyBytes,
    timeoutSeconds: values.timeoutSeconds,
    streamMinRate: values.streamMinRate,
    streamStallSeconds: values.streamStallSeconds,
    maxResultBytes: values.maxResultBytes,
    maxScanBytes: values.maxScanBytes,
    logLevel: values.logLevel,
  };
  // Parsed once per process: zod's compiled fast path (generated with new Function on an object's
  // first parse) would cost more start-up time than it could ever save.
  const result = ConfigSchema.safeParse(candidate, { jitless: true });
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`invalid configuration at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'unknown'}`);
  }
  const badPattern = result.data.registryAllowedHosts.find((entry) => parseHostPattern(entry) === undefined);
  if (badPattern !== undefined) {
    throw new ConfigError(
      `DOCKER_REGISTRY_ALLOWED_HOSTS: '${badPattern.slice(0, 100)}' is not valid; allowed values: host, host:port or *.example.com[:port], comma-separated`,
    );
  }
  checkOAuth(result.data);
  if (result.data.hubUser !== undefined && result.data.hubToken === undefined && result.data.hubJwt === undefined) {
    throw new ConfigError('DOCKER_HUB_USER is set without DOCKER_HUB_TOKEN; set both (or DOCKERHUB_JWT), or neither for anonymous access');
  }
  if (result.data.hubToken !== undefined && result.data.hubUser === undefined) {
    throw new ConfigError(
      'DOCKER_HUB_TOKEN is set without DOCKER_HUB_USER; the token is minted for that identifier (user, or organization for an OAT)',
    );
  }
  return {
    kind: 'config',
    config: Object.freeze({ ...result.data, enabledTools: Object.freeze([...result.data.enabledTools]) }) as Config,
  };
}

/** The OAuth settings make sense together; each refusal names its variable. */
function checkOAuth(config: z.infer<typeof ConfigSchema>): void {
  for (const [name, scope] of [
    ['MCP_OAUTH_SCOPES_READ', config.oauthScopesRead],
    ['MCP_OAUTH_SCOPES_WRITE', config.oauthScopesWrite],
    ['MCP_OAUTH_SCOPES_DESTRUCTIVE', config.oauthScopesDestructive],
  ] as const) {
    if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope)) {
      throw new ConfigError(
        `${name}: '${scope.slice(0, 100)}' is not one OAuth scope; allowed values: printable characters without spaces, quotes or backslashes`,
      );
    }
  }
  if ((config.oauthClientId === undefined) !== (config.oauthClientSecret === undefined)) {
    throw new ConfigError('MCP_OAUTH_CLIENT_ID and MCP_OAUTH_CLIENT_SECRET: set both (introspection of opaque tokens) or neither');
  }
  if (config.oauthIssuer === undefined) {
    if (config.oauthClientId !== undefined)
      throw new ConfigError('MCP_OAUTH_CLIENT_ID: needs MCP_OAUTH_ISSUER (the issuer it is a client of)');
    return;
  }
  let issuer: URL;
  try {
    issuer = new URL(config.oauthIssuer);
  } catch {
    throw new ConfigError('MCP_OAUTH_ISSUER: the value is not a URL; allowed values: an https:// URL (http:// only on loopback)');
  }
  // Tokens are trusted on the strength of keys fetched from here: plain http only where no network is crossed.
  const plainLoopback = issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname);
  if (issuer.protocol !== 'https:' && !plainLoopback) {
    throw new ConfigError('MCP_OAUTH_ISSUER: allowed values: an https:// URL (http:// only on loopback)');
  }
  if (issuer.username !== '' || issuer.password !== '' || issuer.search !== '' || issuer.hash !== '') {
    throw new ConfigError('MCP_OAUTH_ISSUER: an issuer identifier carries no credentials, query or fragment (RFC 8414)');
  }
  // Off loopback the bind address says nothing about the URL clients use, and the token audience depends on it.
  if (config.transport === 'streamable-http' && !isLoopbackHost(config.host) && config.publicUrl === undefined) {
    throw new ConfigError(
      `MCP_PUBLIC_URL: required with MCP_OAUTH_ISSUER when HOST (${config.host}) is not loopback; give the URL clients reach, e.g. https://mcp.example.com/mcp`,
    );
  }
}

/** Values of the configured secrets, registered with the redactor so no output can carry them. */
export function configuredSecrets(config: Config): string[] {
  return [config.hubToken, config.hubJwt, config.scimToken, config.mcpAuthToken, config.oauthClientSecret].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}
