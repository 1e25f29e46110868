// Reads the configuration once, at start-up: CLI flags > environment > `.env` > defaults.
// The result is one frozen, validated object passed down; no other module reads process.env.
// Node built-ins come through process.getBuiltinModule, not ES imports: this module is on the path
// to the first tools/list answer, and the ES facade of a built-in is built on import (node:util and
// node:os ~1.5 ms together, a twentieth of Node's own start) even when, as mostly, it goes unused.
import { parseHostPattern } from './util/host-pattern.js';
import { SETTINGS, TOOL_NAMES, TOOL_TOGGLES, type Setting, type ToolName } from './config-spec.js';

export const CONFIRM_MODES = ['when-supported', 'always', 'never'] as const;

/**
 * The validated settings. Every value is produced by parseValue from its config-spec kind (or is
 * the spec's default), so the shape needs no second check at run time; zod is not loaded here
 * because this module is on the start-up path that answers the first tools/list (issue 15).
 */
export interface Config {
  readonly hubUser?: string | undefined;
  readonly hubToken?: string | undefined;
  readonly hubJwt?: string | undefined;
  readonly scimToken?: string | undefined;
  readonly hubUrl: string;
  readonly registryUrl: string;
  readonly registryAuthUrl: string;
  readonly registryAllowedHosts: readonly string[];
  readonly scoutUrl: string;
  readonly dockerConfig: string;
  readonly allowDestructive: boolean;
  readonly readOnly: boolean;
  readonly confirm: ConfirmMode;
  readonly enabledTools: readonly ToolName[];
  readonly transport: 'stdio' | 'streamable-http';
  readonly host: string;
  readonly port: number;
  readonly mcpAuthToken?: string | undefined;
  readonly publicUrl?: string | undefined;
  readonly oauthIssuer?: string | undefined;
  readonly oauthAudience?: string | undefined;
  readonly oauthClientId?: string | undefined;
  readonly oauthClientSecret?: string | undefined;
  readonly oauthScopesRead: string;
  readonly oauthScopesWrite: string;
  readonly oauthScopesDestructive: string;
  readonly allowedHosts: readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly stateless: boolean;
  readonly maxSessions: number;
  readonly sessionIdleSeconds: number;
  readonly shutdownGraceSeconds: number;
  readonly maxBodyBytes: number;
  readonly timeoutSeconds: number;
  readonly streamMinRate: number;
  readonly streamStallSeconds: number;
  readonly maxResultBytes: number;
  readonly maxScanBytes: number;
  readonly logLevel: LogLevel;
}
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
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
  if (path === '~' || path.startsWith('~/'))
    return process.getBuiltinModule('node:path').join(env.HOME ?? process.getBuiltinModule('node:os').homedir(), path.slice(2));
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
  // MCP clients mostly start the server without flags; parseArgs' first call costs ~3 ms of the
  // start-up budget (Node loads its parser then), so it runs only when there is something to parse.
  let flags: Record<string, string | boolean | undefined> = {};
  if (sources.argv.length > 0) {
    try {
      flags = process
        .getBuiltinModule('node:util')
        .parseArgs({ args: [...sources.argv], options, strict: true, allowPositionals: false }).values;
    } catch (error) {
      throw new ConfigError(`${(error as Error).message}; run with --help for the valid flags`);
    }
  }
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

  // Each value came from parseValue for its setting's kind (or is the spec's default): the casts
  // restate what config-spec declares, and the config tests check the parsed values.
  const config: Config = {
    hubUser: values.hubUser as string | undefined,
    hubToken: values.hubToken as string | undefined,
    hubJwt: values.hubJwt as string | undefined,
    scimToken: values.scimToken as string | undefined,
    hubUrl: values.hubUrl as string,
    registryUrl: values.registryUrl as string,
    registryAuthUrl: values.registryAuthUrl as string,
    registryAllowedHosts: values.registryAllowedHosts as readonly string[],
    scoutUrl: values.scoutUrl as string,
    dockerConfig: expandHome(values.dockerConfig as string, sources.env),
    allowDestructive: values.allowDestructive as boolean,
    readOnly: values.readOnly as boolean,
    confirm: values.confirm as ConfirmMode,
    enabledTools: enabled,
    transport: values.transport as 'stdio' | 'streamable-http',
    host: values.host as string,
    port: values.port as number,
    mcpAuthToken: values.mcpAuthToken as string | undefined,
    publicUrl: values.publicUrl as string | undefined,
    oauthIssuer: values.oauthIssuer as string | undefined,
    oauthAudience: values.oauthAudience as string | undefined,
    oauthClientId: values.oauthClientId as string | undefined,
    oauthClientSecret: values.oauthClientSecret as string | undefined,
    oauthScopesRead: values.oauthScopesRead as string,
    oauthScopesWrite: values.oauthScopesWrite as string,
    oauthScopesDestructive: values.oauthScopesDestructive as string,
    allowedHosts: values.allowedHosts as readonly string[],
    allowedOrigins: values.allowedOrigins as readonly string[],
    stateless: values.stateless as boolean,
    maxSessions: values.maxSessions as number,
    sessionIdleSeconds: values.sessionIdleSeconds as number,
    shutdownGraceSeconds: values.shutdownGraceSeconds as number,
    maxBodyBytes: values.maxBodyBytes as number,
    timeoutSeconds: values.timeoutSeconds as number,
    streamMinRate: values.streamMinRate as number,
    streamStallSeconds: values.streamStallSeconds as number,
    maxResultBytes: values.maxResultBytes as number,
    maxScanBytes: values.maxScanBytes as number,
    logLevel: values.logLevel as LogLevel,
  };
  const badPattern = config.registryAllowedHosts.find((entry) => parseHostPattern(entry) === undefined);
  if (badPattern !== undefined) {
    throw new ConfigError(
      `DOCKER_REGISTRY_ALLOWED_HOSTS: '${badPattern.slice(0, 100)}' is not valid; allowed values: host, host:port or *.example.com[:port], comma-separated`,
    );
  }
  checkOAuth(config);
  if (config.hubUser !== undefined && config.hubToken === undefined && config.hubJwt === undefined) {
    throw new ConfigError('DOCKER_HUB_USER is set without DOCKER_HUB_TOKEN; set both (or DOCKERHUB_JWT), or neither for anonymous access');
  }
  if (config.hubToken !== undefined && config.hubUser === undefined) {
    throw new ConfigError(
      'DOCKER_HUB_TOKEN is set without DOCKER_HUB_USER; the token is minted for that identifier (user, or organization for an OAT)',
    );
  }
  return {
    kind: 'config',
    config: Object.freeze({ ...config, enabledTools: Object.freeze([...config.enabledTools]) }),
  };
}

/** The OAuth settings make sense together; each refusal names its variable. */
function checkOAuth(config: Config): void {
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
