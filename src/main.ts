#!/usr/bin/env node
// CLI entry: flags + environment + .env → Config → shared context → transport.
// Exit status 2 means a configuration error; the message names the setting and valid values.
// --help and --version print on stdout and exit before any transport exists, so stdout is still
// free; from then on stdout belongs to the MCP stdio transport alone.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError, isLoopbackHost, loadConfig, type Config } from './config.js';
import { createAppContext } from './context.js';
import { helpText, terminalHint } from './docs/cli-help.js';
import { createLogger } from './log.js';
import { onShutdown } from './server/shutdown.js';
import { VERSION } from './version.js';

function readDotenv(): Record<string, string> {
  try {
    return parseDotenv(readFileSync('.env'));
  } catch {
    return {};
  }
}

/** How to name this script in a hint: relative when it is under the working folder. */
function entryPath(): string {
  const script = process.argv[1] ?? 'dist/main.js';
  const rel = relative(process.cwd(), script);
  return rel.startsWith('..') || rel === '' ? script : rel;
}

function fail(message: string): never {
  process.stderr.write(`dockerhub-mcp: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    const outcome = loadConfig({ argv: process.argv.slice(2), env: process.env, dotenv: readDotenv() });
    // --help and --version answer on stdout (what a shell user pipes and greps) and exit before any
    // transport exists: no MCP client is attached to stdout yet, so nothing can be corrupted. These
    // are the only writes to stdout outside the stdio transport.
    if (outcome.kind === 'help') {
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

  const logger = createLogger(config.logLevel);
  const app = createAppContext(config, logger, VERSION);
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: reason }));

  // Each transport is loaded only when chosen: stdio start-up never loads the HTTP stack.
  if (config.transport === 'stdio') {
    // Someone ran it in a terminal: say what it waits for instead of sitting there silently.
    if (process.stdin.isTTY) process.stderr.write(`${terminalHint(VERSION, entryPath())}\n`);
    const { serveStdio } = await import('./server/stdio.js');
    await serveStdio(app);
    return;
  }
  const { startHttp } = await import('./server/http.js');
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
