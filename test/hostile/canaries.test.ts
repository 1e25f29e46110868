// Secret canaries: known secret values configured for Hub (DOCKER_HUB_TOKEN, DOCKERHUB_JWT with a
// canary in a private claim, DOCKERHUB_SCIM_TOKEN), the registry (docker config auth) and the HTTP
// transport (MCP_AUTH_TOKEN). Every action of every tool runs against hostile fakes that echo
// Authorization headers (whole, bare, Basic-decoded) and request bodies back in data fields and
// error messages; every result and every log line (LOG_LEVEL=debug) is scanned: zero occurrences.
// Both gate states, both Hub credential modes, in-process; then once more through the built server
// over streamable HTTP, scanning its stderr too.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createAppContext } from '../../src/context.js';
import { createLogger } from '../../src/log.js';
import { callTool } from '../../src/tools/framework.js';
import { everyAction, plausibleArgs, plausibleValues, resultProblem } from '../helpers/hostile/actions.js';
import { startEchoUpstream, type EchoUpstream } from '../helpers/hostile/echo-upstream.js';
import { startHttpServer, type RunningServer } from '../helpers/spawn-server.js';
import { fakeJwt } from '../helpers/unit/jwt.js';

const HOUR = () => Math.floor(Date.now() / 1000) + 3600;

// Values with no recognisable shape (no dckr_ prefix, not JWTs): only exact-value redaction can catch them.
const HUB_TOKEN = 'CanaryHubSecret-3f9a1c7e52';
const JWT_CLAIM = 'CanaryJwtClaim-b81d22c4e7';
const HUB_JWT = fakeJwt({
  sub: 'u-canary',
  exp: HOUR(),
  iat: HOUR() - 7200,
  'https://hub.docker.com': { username: 'canary-user' },
  private_note: JWT_CLAIM,
});
const SCIM_TOKEN = 'CanaryScimToken-55e0aa91d3';
const REG_USER = 'tester';
const REG_PASSWORD = 'CanaryRegistryPw-0c4e11f8a2';
const REG_AUTH = Buffer.from(`${REG_USER}:${REG_PASSWORD}`).toString('base64');
const MCP_TOKEN = 'CanaryMcpToken-9d2b7f31c6';
// Tokens the fakes mint: JWT-shaped, as Hub and registry token services mint them, each with a canary claim.
const MINTED_CLAIM = 'CanaryMintedClaim-71aa0e';
const MINTED_HUB_JWT = fakeJwt({
  sub: 'u-minted',
  exp: HOUR(),
  'https://hub.docker.com': { username: 'canary-user' },
  private_note: MINTED_CLAIM,
});
const REG_TOKEN = fakeJwt({ sub: REG_USER, exp: HOUR(), access: [], private_note: `${MINTED_CLAIM}-registry` });

const CANARIES: Record<string, string> = {
  DOCKER_HUB_TOKEN: HUB_TOKEN,
  DOCKERHUB_JWT: HUB_JWT,
  'DOCKERHUB_JWT claim': JWT_CLAIM,
  DOCKERHUB_SCIM_TOKEN: SCIM_TOKEN,
  'registry password': REG_PASSWORD,
  'registry auth (base64)': REG_AUTH,
  MCP_AUTH_TOKEN: MCP_TOKEN,
  'minted Hub JWT': MINTED_HUB_JWT,
  'minted token claim': MINTED_CLAIM,
  'registry bearer token': REG_TOKEN,
};

function scan(text: string, where: string, found: string[]): void {
  for (const [name, value] of Object.entries(CANARIES)) {
    if (text.includes(value))
      found.push(`${name} in ${where}: …${text.slice(Math.max(0, text.indexOf(value) - 80), text.indexOf(value) + value.length + 20)}…`);
  }
}

function dockerConfigFor(host: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'canary-cfg-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [host]: { auth: REG_AUTH } } }));
  return dir;
}

describe('secret canaries', () => {
  let upstream: EchoUpstream;
  beforeAll(async () => {
    upstream = await startEchoUpstream({ mode: 'echo', hubJwt: MINTED_HUB_JWT, registryToken: REG_TOKEN });
  });
  afterAll(async () => {
    await upstream?.close();
  });

  const upstreamEnv = (): Record<string, string> => ({
    DOCKERHUB_URL: upstream.url,
    DOCKER_REGISTRY_URL: upstream.url,
    DOCKER_REGISTRY_AUTH_URL: `${upstream.url}/token`,
    DOCKER_SCOUT_URL: upstream.url,
    DOCKERHUB_SCIM_TOKEN: SCIM_TOKEN,
    MCP_AUTH_TOKEN: MCP_TOKEN,
    DOCKERHUB_TIMEOUT: '2',
    LOG_LEVEL: 'debug',
  });

  it(
    'never shows a configured or minted secret in a result or log line, in-process (2 credential modes × 2 gate states)',
    { timeout: 60_000 },
    async () => {
      const entries = everyAction();
      const values = plausibleValues(upstream.host);
      const found: string[] = [];
      const invalid: string[] = [];
      const stats = { calls: 0, isError: 0, gateClosed: 0, logLines: 0, redacted: 0, requestsBefore: upstream.requests.length };
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => {
        unhandled.push(reason);
      };
      process.on('unhandledRejection', onUnhandled);
      try {
        for (const mode of ['credentials', 'jwt'] as const) {
          for (const gate of ['closed', 'open'] as const) {
            const dir = dockerConfigFor(upstream.host);
            const outcome = loadConfig({
              argv: [],
              env: {
                HOME: dir,
                DOCKER_CONFIG: dir,
                ...upstreamEnv(),
                ...(mode === 'credentials'
                  ? { DOCKER_HUB_USER: 'canary-user', DOCKER_HUB_TOKEN: `${HUB_TOKEN}\n` }
                  : { DOCKERHUB_JWT: HUB_JWT }),
                ...(gate === 'open' ? { DOCKERHUB_ALLOW_DESTRUCTIVE: 'true' } : {}),
              },
            });
            if (outcome.kind !== 'config') throw new Error('config');
            const lines: string[] = [];
            const logger = createLogger('debug', (line) => lines.push(line));
            const app = createAppContext(outcome.config, logger, 'canary', undefined);
            try {
              for (const entry of entries) {
                const variants = [plausibleArgs(entry, values), plausibleArgs(entry, values, { withOptional: true })];
                if (entry.action.destructive) variants.push(...variants.map((v) => ({ ...v, args: { ...v.args, dry_run: true } })));
                for (const { args, valid, issues } of variants) {
                  if (!valid) invalid.push(`${entry.label}: ${issues}`);
                  stats.calls++;
                  const result = await callTool(entry.tool, args, {
                    ctx: {
                      app,
                      signal: new AbortController().signal,
                      log: logger.child({ tool: entry.tool.name }),
                      progress: async () => undefined,
                    },
                    config: app.config,
                    caps: { maxBytes: app.config.maxResultBytes, maxItems: 500 },
                  });
                  expect(resultProblem(result), entry.label).toBeUndefined();
                  if (result.isError) {
                    stats.isError++;
                    if ((result.structuredContent as { error: { type: string } }).error.type === 'gate_closed') stats.gateClosed++;
                  }
                  scan(JSON.stringify(result), `${mode}/${gate} ${entry.label} result`, found);
                  if (JSON.stringify(result).includes('***redacted***')) stats.redacted++;
                }
              }
            } finally {
              await app.close();
            }
            stats.logLines += lines.length;
            for (const line of lines) scan(line, `${mode}/${gate} log`, found);
          }
        }
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
      const sent = upstream.requests.slice(stats.requestsBefore);
      // The secrets did go upstream (where they belong), so the fakes had them to echo.
      const upstreamText = sent.map((r) => `${r.authorization ?? ''} ${r.body}`).join('\n');
      const reachedUpstream = Object.entries(CANARIES)
        .filter(([, value]) => upstreamText.includes(value) || upstreamText.includes(Buffer.from(value).toString('base64')))
        .map(([name]) => name);
      console.log(
        `canaries in-process: ${stats.calls} calls over ${entries.length} actions (4 configurations), ${sent.length} upstream requests echoed, ` +
          `${stats.isError} isError (${stats.gateClosed} gate_closed), ${stats.redacted} results with redactions, ${stats.logLines} log lines scanned, ${Object.keys(CANARIES).length} canaries ` +
          `(sent upstream: ${reachedUpstream.join(', ')}), occurrences ${found.length}`,
      );
      expect(invalid).toEqual([]);
      expect(unhandled).toEqual([]);
      expect(reachedUpstream).toEqual(
        expect.arrayContaining([
          'DOCKER_HUB_TOKEN',
          'DOCKERHUB_JWT',
          'DOCKERHUB_SCIM_TOKEN',
          'registry auth (base64)',
          'minted Hub JWT',
          'registry bearer token',
        ]),
      );
      expect(found.slice(0, 10)).toEqual([]);
    },
  );

  describe('through the built server over streamable HTTP', () => {
    let server: RunningServer;
    beforeAll(async () => {
      const dir = dockerConfigFor(upstream.host);
      server = await startHttpServer({
        HOME: dir,
        DOCKER_CONFIG: dir,
        ...upstreamEnv(),
        DOCKER_HUB_USER: 'canary-user',
        DOCKER_HUB_TOKEN: HUB_TOKEN,
        DOCKERHUB_ALLOW_DESTRUCTIVE: 'true',
      });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('runs every served action once and no result or stderr line carries a canary', { timeout: 60_000 }, async () => {
      const client = new Client({ name: 'canary', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${MCP_TOKEN}` } } }),
      );
      const found: string[] = [];
      let calls = 0;
      try {
        const listed = await client.listTools();
        scan(JSON.stringify(listed), 'tools/list', found);
        const served = new Map(
          listed.tools.map((t) => [t.name, (t.inputSchema.properties?.action as { enum?: string[] } | undefined)?.enum ?? []]),
        );
        const values = plausibleValues(upstream.host);
        for (const entry of everyAction()) {
          if (!served.get(entry.tool.name)?.includes(entry.name)) continue;
          const { args } = plausibleArgs(entry, values, { withOptional: true });
          calls++;
          const result = await client.callTool({ name: entry.tool.name, arguments: args });
          expect(resultProblem(result), entry.label).toBeUndefined();
          scan(JSON.stringify(result), `HTTP ${entry.label} result`, found);
        }
        // A wrong token is refused, and its refusal does not echo the real one.
        const refused = await fetch(server.url, {
          method: 'POST',
          headers: { authorization: 'Bearer wrong', 'content-type': 'application/json' },
          body: '{}',
        });
        expect(refused.status).toBe(401);
        scan(await refused.text(), 'HTTP 401 body', found);
      } finally {
        await client.close();
      }
      const stderr = server.stderr();
      for (const line of stderr.split('\n')) scan(line, 'server stderr', found);
      console.log(`canaries over HTTP: ${calls} calls, ${stderr.split('\n').length} stderr lines scanned, occurrences ${found.length}`);
      expect(calls).toBeGreaterThan(50);
      expect(found.slice(0, 10)).toEqual([]);
    });
  });
});
