#!/usr/bin/env node
// CLI entry: flags + environment + .env → Config → shared context → transport.
// Exit status 2 means a configuration error; the message names the setting and valid values.
// --help and --version print on stdout and exit before any transport exists, so stdout is still
// free; from then on stdout belongs to the MCP stdio transport alone.
import { ConfigError, configuredSecrets, isLoopbackHost, loadConfig, type Config } from './config.js';
import { createLogger } from './log.js';
import { registerSecret } from './redact.js';
import { onShutdown } from './server/shutdown.js';
import { serveStdio } from './server/stdio.js';
import { VERSION } from './version.js';

// Built-ins come through process.getBuiltinModule on this start-up path, not ES imports: the ES
// facade of node:fs alone costs ~2 ms per start (see config.ts).

/** `.env` in the working folder; dotenv is loaded only when there is one (it pulls in node:crypto). */
async function readDotenv(): Promise<Record<string, string>> {
  // A stat that reports absence is ~40× cheaper than the ENOENT error a failed read builds
  // (~2.5 ms, a tenth of the start-up budget), and most starts have no .env.
  if (process.getBuiltinModule('node:fs').statSync('.env', { throwIfNoEntry: false }) === undefined) return {};
  let text: Buffer;
  try {
    text = process.getBuiltinModule('node:fs').readFileSync('.env');
  } catch {
    return {};
  }
  const { parse } = await import('dotenv');
  return parse(text);
}

/** How to name this script in a hint: relative when it is under the working folder. */
function entryPath(): string {
  const script = process.argv[1] ?? 'dist/main.cjs';
  const rel = process.getBuiltinModule('node:path').relative(process.cwd(), script);
  return rel.startsWith('..') || rel === '' ? script : rel;
}

function fail(message: string): never {
  process.stderr.write(`dockerhub-mcp: ${message}\n`);
  process.exit(2);
}

/**
 * V8's code cache (Node >= 22.1; Node 20 has none) for the modules loaded from here on: the full
 * server and HTTP stack (~2 MB) compile from the cache on later starts instead of being parsed
 * again. The cache lives in Node's default place (os.tmpdir()/node-compile-cache, or
 * NODE_COMPILE_CACHE); NODE_DISABLE_COMPILE_CACHE=1 turns it off. Where it cannot be written (a
 * read-only file system without a writable /tmp) Node starts without it: a cache is never a reason
 * not to start.
 */
function enableCompileCache(): void {
  try {
    (process.getBuiltinModule('node:module') as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  } catch {
    // Started without the cache.
  }
}

async function main(): Promise<void> {
  enableCompileCache();
  let config: Config;
  try {
    const outcome = loadConfig({ argv: process.argv.slice(2), env: process.env, dotenv: await readDotenv() });
    // --help and --version answer on stdout (what a shell user pipes and greps) and exit before any
    // transport exists: no MCP client is attached to stdout yet, so nothing can be corrupted. These
    // are the only writes to stdout outside the stdio transport.
    if (outcome.kind === 'help') {
      const { helpText } = await import('./docs/cli-help.js');
      process.stdout.write(`${helpText(VERSION, entryPath())}\n`);
      return;
    }
    if (outcome.kind === 'version') {
      process.stdout.write(`${VERSION}\n`);
      return;
    }
    config = outcome.config;
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }

  const httpAuth = config.mcpAuthToken !== undefined || config.oauthIssuer !== undefined;
  if (config.transport === 'streamable-http' && !isLoopbackHost(config.host) && !httpAuth) {
    fail(`refusing to serve HTTP on ${config.host} without MCP_AUTH_TOKEN or MCP_OAUTH_ISSUER; set one, or bind HOST=127.0.0.1`);
  }

  // Before the first log line: the redactor knows every configured secret from the start.
  for (const secret of configuredSecrets(config)) registerSecret(secret);
  const logger = createLogger(config.logLevel);
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: reason }));

  // Each transport is loaded only when chosen: stdio start-up never loads the HTTP stack, and its
  // front door loads the rest of the server only when a message needs it (server/stdio-front.ts).
  if (config.transport === 'stdio') {
    // Someone ran it in a terminal: say what it waits for instead of sitting there silently.
    if (process.stdin.isTTY) process.stderr.write(`${(await import('./docs/cli-help.js')).terminalHint(VERSION, entryPath())}\n`);
    serveStdio(config, logger, VERSION);
    return;
  }
  const [{ createAppContext }, { startHttp }] = await Promise.all([import('./context.js'), import('./server/http.js')]);
  const app = createAppContext(config, logger, VERSION);
  const http = await startHttp(app);
  onShutdown(logger, config.shutdownGraceSeconds * 1000, {
    stopAccepting: () => http.stopAccepting(),
    drained: (timeoutMs) => http.drained(timeoutMs),
    cancel: () => http.cancel(),
    close: async () => {
      await http.close();
      await app.close();
    },
  });
  logger.info('serving MCP over streamable HTTP', {
    url: http.url,
    stateless: config.stateless,
    auth: config.mcpAuthToken !== undefined,
    oauth_issuer: config.oauthIssuer ?? null,
    tools: config.enabledTools,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`dockerhub-mcp: fatal: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
