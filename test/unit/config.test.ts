import { describe, expect, it } from 'vitest';
import { ConfigError, configuredSecrets, loadConfig, type Config, type ConfigSources } from '../../src/config.js';
import { TOOL_NAMES, TOOL_TOGGLES } from '../../src/config-spec.js';

function load(sources: Partial<ConfigSources>): Config {
  const outcome = loadConfig({ argv: [], env: {}, ...sources });
  if (outcome.kind !== 'config') throw new Error(`expected a config, got ${outcome.kind}`);
  return outcome.config;
}

function configError(sources: Partial<ConfigSources>): ConfigError {
  try {
    loadConfig({ argv: [], env: {}, ...sources });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  it('gives a safe, anonymous stdio server on loopback when nothing is set', () => {
    const config = load({ env: { HOME: '/home/u' } });
    expect(config).toMatchObject({
      hubUrl: 'https://hub.docker.com',
      registryUrl: 'https://registry-1.docker.io',
      registryAuthUrl: 'https://auth.docker.io/token',
      scoutUrl: 'https://api.scout.docker.com',
      dockerConfig: '/home/u/.docker',
      allowDestructive: false,
      readOnly: false,
      transport: 'stdio',
      host: '127.0.0.1',
      port: 8000,
      stateless: false,
      timeoutSeconds: 30,
      logLevel: 'info',
      allowedHosts: [],
      allowedOrigins: [],
    });
    expect(config.hubUser).toBeUndefined();
    expect(config.hubToken).toBeUndefined();
    expect(config.hubJwt).toBeUndefined();
    expect(config.mcpAuthToken).toBeUndefined();
    expect(config.enabledTools).toEqual(TOOL_NAMES);
  });
});

describe('precedence: flags > env > .env > defaults', () => {
  it('a flag wins over the environment and .env', () => {
    const config = load({
      argv: ['--port', '9100', '--log-level', 'debug'],
      env: { PORT: '9200', LOG_LEVEL: 'warn' },
      dotenv: { PORT: '9300' },
    });
    expect(config.port).toBe(9100);
    expect(config.logLevel).toBe('debug');
  });

  it('the environment wins over .env', () => {
    expect(load({ env: { PORT: '9200' }, dotenv: { PORT: '9300' } }).port).toBe(9200);
  });

  it('.env wins over the default', () => {
    expect(load({ dotenv: { PORT: '9300', DOCKERHUB_TIMEOUT: '5' } })).toMatchObject({ port: 9300, timeoutSeconds: 5 });
  });

  it('boolean flags win over the environment', () => {
    const config = load({
      argv: ['--read-only', '--allow-destructive', '--stateless'],
      env: { DOCKERHUB_READ_ONLY: 'false', DOCKERHUB_ALLOW_DESTRUCTIVE: 'no' },
    });
    expect(config).toMatchObject({ readOnly: true, allowDestructive: true, stateless: true });
  });

  it('DOCKER_HUB_USER wins over its alias DOCKERHUB_USERNAME, and DOCKER_HUB_TOKEN over DOCKERHUB_TOKEN', () => {
    const config = load({
      env: { DOCKER_HUB_USER: 'primary', DOCKERHUB_USERNAME: 'alias', DOCKER_HUB_TOKEN: 'tok-primary', DOCKERHUB_TOKEN: 'tok-alias' },
    });
    expect(config.hubUser).toBe('primary');
    expect(config.hubToken).toBe('tok-primary');
  });

  it('the aliases alone are read', () => {
    const config = load({ env: { DOCKERHUB_USERNAME: 'alias', DOCKERHUB_TOKEN: 'tok-alias' } });
    expect(config.hubUser).toBe('alias');
    expect(config.hubToken).toBe('tok-alias');
  });

  // Regression: a .env value under the primary name used to override the real environment's alias.
  it('a real environment alias wins over a .env value under the primary name', () => {
    const config = load({
      env: { DOCKERHUB_USERNAME: 'from-env', DOCKERHUB_TOKEN: 'env-secret' },
      dotenv: { DOCKER_HUB_USER: 'from-dotenv', DOCKER_HUB_TOKEN: 'dotenv-secret' },
    });
    expect(config.hubUser).toBe('from-env');
    expect(config.hubToken).toBe('env-secret');
  });
});

describe('values', () => {
  it('TRANSPORT=http is an alias of streamable-http, case-insensitively', () => {
    expect(load({ env: { TRANSPORT: 'http' } }).transport).toBe('streamable-http');
    expect(load({ env: { TRANSPORT: 'HTTP' } }).transport).toBe('streamable-http');
    expect(load({ argv: ['--transport', 'http'] }).transport).toBe('streamable-http');
  });

  it('reads booleans in their usual spellings', () => {
    for (const yes of ['1', 'true', 'TRUE', 'yes', 'on'])
      expect(load({ env: { DOCKERHUB_ALLOW_DESTRUCTIVE: yes } }).allowDestructive).toBe(true);
    for (const no of ['0', 'false', 'no', 'off', ''])
      expect(load({ env: { DOCKERHUB_ALLOW_DESTRUCTIVE: no } }).allowDestructive).toBe(false);
  });

  it('trims secrets and names (a trailing newline from an env file is not part of the token)', () => {
    const config = load({
      env: { DOCKER_HUB_USER: '  alice \n', DOCKER_HUB_TOKEN: '  dckr_pat_abc123\n', MCP_AUTH_TOKEN: '\tbearer-secret  ' },
    });
    expect(config.hubUser).toBe('alice');
    expect(config.hubToken).toBe('dckr_pat_abc123');
    expect(config.mcpAuthToken).toBe('bearer-secret');
  });

  it('a blank secret counts as not set', () => {
    expect(load({ env: { MCP_AUTH_TOKEN: '   ' } }).mcpAuthToken).toBeUndefined();
  });

  it('drops trailing slashes from URLs', () => {
    expect(load({ env: { DOCKERHUB_URL: 'http://127.0.0.1:5555/' } }).hubUrl).toBe('http://127.0.0.1:5555');
  });

  it('splits lists on commas and drops blanks', () => {
    const config = load({
      env: { MCP_ALLOWED_HOSTS: ' mcp.example.com, ,other.example:8443 ', MCP_ALLOWED_ORIGINS: 'https://app.example.com' },
    });
    expect(config.allowedHosts).toEqual(['mcp.example.com', 'other.example:8443']);
    expect(config.allowedOrigins).toEqual(['https://app.example.com']);
  });

  it('expands ~ in DOCKER_CONFIG with HOME', () => {
    expect(load({ env: { HOME: '/home/bob', DOCKER_CONFIG: '~/cfg' } }).dockerConfig).toBe('/home/bob/cfg');
    expect(load({ env: { DOCKER_CONFIG: '/etc/docker' } }).dockerConfig).toBe('/etc/docker');
  });

  it('accepts a user with a static JWT instead of a token', () => {
    const config = load({ env: { DOCKER_HUB_USER: 'alice', DOCKERHUB_JWT: 'a.b.c' } });
    expect(config.hubUser).toBe('alice');
    expect(config.hubJwt).toBe('a.b.c');
  });

  it('lists the configured secrets for the redactor', () => {
    const config = load({ env: { DOCKER_HUB_USER: 'alice', DOCKER_HUB_TOKEN: 'hub-secret', MCP_AUTH_TOKEN: 'http-secret' } });
    expect(configuredSecrets(config).sort()).toEqual(['http-secret', 'hub-secret']);
  });
});

describe('tool selection', () => {
  it('--tools registry,admin serves exactly those two tools', () => {
    expect(load({ argv: ['--tools', 'registry,admin'] }).enabledTools).toEqual(['hub_admin', 'hub_registry']);
  });

  it('MCP_TOOLS accepts full names and toggle names', () => {
    expect(load({ env: { MCP_TOOLS: 'hub_scout, REPOSTOOL' } }).enabledTools).toEqual(['hub_repos', 'hub_scout']);
  });

  it('the --tools flag wins over MCP_TOOLS', () => {
    expect(load({ argv: ['--tools', 'admin'], env: { MCP_TOOLS: 'repos' } }).enabledTools).toEqual(['hub_admin']);
  });

  it.each(Object.entries(TOOL_TOGGLES))('%s is dropped by %s=false', (tool, variable) => {
    const enabled = load({ env: { [variable]: 'false' } }).enabledTools;
    expect(enabled).not.toContain(tool);
    expect(enabled).toHaveLength(TOOL_NAMES.length - 1);
  });

  it('the allow-list applies after the toggles', () => {
    expect(load({ argv: ['--tools', 'scim,admin'], env: { SCIMTOOL: 'false' } }).enabledTools).toEqual(['hub_admin']);
  });

  it('an unknown tool name is an error listing the valid tools', () => {
    const error = configError({ argv: ['--tools', 'registry,bogus'] });
    expect(error.message).toContain('--tools');
    expect(error.message).toContain("'bogus'");
    for (const tool of TOOL_NAMES) expect(error.message).toContain(tool);
  });
});

describe('errors name the variable or flag and the allowed values', () => {
  it('an unknown transport', () => {
    const message = configError({ env: { TRANSPORT: 'tcp' } }).message;
    expect(message).toContain('TRANSPORT');
    expect(message).toContain("'tcp'");
    expect(message).toMatch(/stdio/);
    expect(message).toMatch(/streamable-http/);
  });

  it('an unknown transport given as a flag names the flag', () => {
    expect(configError({ argv: ['--transport', 'sse'] }).message).toMatch(/^--transport:.*allowed values: stdio, streamable-http/);
  });

  it('a bad log level', () => {
    const message = configError({ env: { LOG_LEVEL: 'verbose' } }).message;
    expect(message).toContain('LOG_LEVEL');
    expect(message).toContain('debug, info, warn, error, silent');
  });

  it('DOCKERHUB_CONFIRM: when-supported by default, the three modes from env or flag, anything else refused', () => {
    expect(load({}).confirm).toBe('when-supported');
    expect(load({ env: { DOCKERHUB_CONFIRM: 'ALWAYS' } }).confirm).toBe('always');
    expect(load({ argv: ['--confirm', 'never'], env: { DOCKERHUB_CONFIRM: 'always' } }).confirm).toBe('never');
    const message = configError({ env: { DOCKERHUB_CONFIRM: 'yes' } }).message;
    expect(message).toContain('DOCKERHUB_CONFIRM');
    expect(message).toContain('when-supported, always, never');
  });

  it('a bad boolean', () => {
    const message = configError({ env: { SCIMTOOL: 'maybe' } }).message;
    expect(message).toContain('SCIMTOOL');
    expect(message).toContain('true, false');
  });

  it('a port that is not a number, and one out of range', () => {
    const notNumber = configError({ argv: ['--port', 'eighty'] }).message;
    expect(notNumber).toContain('--port');
    expect(notNumber).toContain('0..65535');
    const outOfRange = configError({ env: { PORT: '70000' } }).message;
    expect(outOfRange).toContain('PORT');
    expect(outOfRange).toContain('0..65535');
  });

  it('a URL that is not http(s)', () => {
    const message = configError({ env: { DOCKERHUB_URL: 'ftp://hub.example' } }).message;
    expect(message).toContain('DOCKERHUB_URL');
    expect(message).toContain('http://');
    expect(configError({ env: { DOCKER_SCOUT_URL: 'not a url' } }).message).toContain('DOCKER_SCOUT_URL');
  });

  it('a bad .env value names the variable', () => {
    const message = configError({ dotenv: { PORT: 'abc' } }).message;
    expect(message).toContain('PORT');
    expect(message).toContain('0..65535');
  });

  it('an unknown flag', () => {
    const message = configError({ argv: ['--allow-everything'] }).message;
    expect(message).toContain('--allow-everything');
    expect(message).toContain('--help');
  });

  it('a user without a token is rejected', () => {
    const message = configError({ env: { DOCKER_HUB_USER: 'alice' } }).message;
    expect(message).toContain('DOCKER_HUB_USER');
    expect(message).toContain('DOCKER_HUB_TOKEN');
  });

  it('a token without a user is rejected, and the message does not echo the token', () => {
    const message = configError({ env: { DOCKER_HUB_TOKEN: 'dckr_pat_lonely' } }).message;
    expect(message).toContain('DOCKER_HUB_USER');
    expect(message).not.toContain('dckr_pat_lonely');
  });
});

describe('--help and --version', () => {
  it('--help and -h stop before any setting is read (the text is src/docs/cli-help.ts)', () => {
    expect(loadConfig({ argv: ['--help'], env: {} })).toEqual({ kind: 'help' });
    expect(loadConfig({ argv: ['-h'], env: {} })).toEqual({ kind: 'help' });
  });

  it('--help wins over bad settings elsewhere', () => {
    expect(loadConfig({ argv: ['--help'], env: { TRANSPORT: 'bogus' } }).kind).toBe('help');
  });

  it('--version and -v return the version outcome', () => {
    expect(loadConfig({ argv: ['--version'], env: {} })).toEqual({ kind: 'version' });
    expect(loadConfig({ argv: ['-v'], env: {} })).toEqual({ kind: 'version' });
  });
});

describe('the result', () => {
  it('is frozen, its tool list too', () => {
    const config = load({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.enabledTools)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => (config.enabledTools as string[]).push('x')).toThrow(TypeError);
  });
});

describe('shutdown and HTTP session settings', () => {
  it('defaults: a 10 s shutdown grace and a 5-minute session idle timeout', () => {
    const config = load({});
    expect(config.shutdownGraceSeconds).toBe(10);
    expect(config.sessionIdleSeconds).toBe(300);
  });

  it('MCP_SHUTDOWN_GRACE_SECONDS accepts 0..300 and names itself when out of range', () => {
    expect(load({ env: { MCP_SHUTDOWN_GRACE_SECONDS: '0' } }).shutdownGraceSeconds).toBe(0);
    expect(load({ env: { MCP_SHUTDOWN_GRACE_SECONDS: '300' } }).shutdownGraceSeconds).toBe(300);
    const message = configError({ env: { MCP_SHUTDOWN_GRACE_SECONDS: '301' } }).message;
    expect(message).toContain('MCP_SHUTDOWN_GRACE_SECONDS');
    expect(message).toContain('0..300');
  });
});
