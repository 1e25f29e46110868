// The egress policy on real sockets: connection attempts counted at the net level (net.connect,
// tls.connect, and the loopback servers' own accept counts), a name resolving to a forbidden
// address refused at connect time (DNS rebinding), HTTP-mode refusal of unlisted loopback hosts,
// and the env credential pair on a token-auth registry named by DOCKER_REGISTRY_URL.
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createAppContext, type AppContext } from '../../src/context.js';
import { EgressPolicy } from '../../src/http/egress.js';
import { createFetcher } from '../../src/http/fetch.js';
import { silentLogger } from '../../src/log.js';
import { callTool, type CallResult } from '../../src/tools/framework.js';
import { createHubRegistryTool } from '../../src/tools/hub-registry.js';
import { Fixtures } from '../helpers/registry/fixtures.js';
import { REGISTRY_MISSING, registryAvailable, startRegistry, type RegistryHandle } from '../helpers/registry/launch.js';

const tool = createHubRegistryTool();
const skip = !registryAvailable() && !process.env.CI;
if (skip) console.warn(`skipping the registry part of the egress tests: ${REGISTRY_MISSING}`);

interface Loopback {
  server: Server;
  port: number;
  host: string;
  connections: number;
  requests: string[];
}

/** A loopback HTTP server that counts accepted connections and requests. */
async function loopback(
  handler: (path: string) => { status: number; headers?: Record<string, string>; body?: string },
  address = '127.0.0.1',
): Promise<Loopback> {
  const state = { connections: 0, requests: [] as string[] } as Loopback;
  const server = createServer((req, res) => {
    state.requests.push(`${req.method} ${req.url}`);
    const answer = handler(req.url ?? '/');
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body ?? '{}');
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  state.server = server;
  state.port = (server.address() as AddressInfo).port;
  state.host = `${address}:${state.port}`;
  return state;
}

function appWith(env: Record<string, string>, resolveAll?: Parameters<typeof createFetcher>[0]['resolveAll']): AppContext {
  const outcome = loadConfig({ argv: [], env: { HOME: '/nonexistent', DOCKER_CONFIG: '/nonexistent', LOG_LEVEL: 'silent', ...env } });
  if (outcome.kind !== 'config') throw new Error('config');
  const config = outcome.config;
  const egress = new EgressPolicy({
    transport: config.transport,
    allowedRegistryHosts: config.registryAllowedHosts,
    configuredUrls: [config.registryUrl, config.registryAuthUrl, config.hubUrl, config.scoutUrl],
  });
  return createAppContext(config, silentLogger, 'test', createFetcher({ timeoutMs: 5_000, egress, resolveAll }));
}

function call(app: AppContext, args: Record<string, unknown>): Promise<CallResult> {
  return callTool(tool, args, {
    ctx: { app, signal: new AbortController().signal, log: silentLogger, progress: async () => undefined },
    config: app.config,
    caps: { maxBytes: 200_000, maxItems: 500 },
  });
}

function errorOf(result: CallResult): { type: string; message: string } {
  expect(result.isError, JSON.stringify(result.structuredContent)).toBe(true);
  return (result.structuredContent as { error: { type: string; message: string } }).error;
}

/** Hosts net.connect / tls.connect were asked to reach during a test. */
const attempted: string[] = [];
beforeAll(() => {
  for (const mod of [net, tls] as const) {
    const original = mod.connect.bind(mod) as (...args: unknown[]) => unknown;
    vi.spyOn(mod, 'connect').mockImplementation(((...args: unknown[]) => {
      const options = args[0] as { host?: string } | undefined;
      if (options && typeof options === 'object') attempted.push(String(options.host));
      return original(...args);
    }) as never);
  }
});
afterEach(() => {
  attempted.length = 0;
});
afterAll(() => vi.restoreAllMocks());

describe('egress on real sockets', () => {
  const apps: AppContext[] = [];
  const servers: Loopback[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    for (const s of servers) s.server.close();
  });

  it('a registry 302 to 169.254.169.254 is refused with zero connection attempts to it', async () => {
    const hostile = await loopback((path) =>
      path === '/v2/'
        ? { status: 200 }
        : { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' } },
    );
    servers.push(hostile);
    const app = appWith({});
    apps.push(app);
    for (const action of ['get_manifest', 'inspect', 'get_blob']) {
      const args =
        action === 'get_blob'
          ? { action, repo: `${hostile.host}/x`, digest: `sha256:${'a'.repeat(64)}` }
          : { action, repo: `${hostile.host}/x:v1` };
      expect(errorOf(await call(app, args)).type, action).toBe('egress_denied');
    }
    expect(hostile.requests.length).toBeGreaterThan(0);
    expect(attempted.filter((host) => host.startsWith('169.254.'))).toEqual([]);
  });

  it('a name that resolves to the metadata address is refused at connect time (DNS rebinding)', async () => {
    const lookups: string[] = [];
    const app = appWith({}, async (hostname) => {
      lookups.push(hostname);
      return [{ address: '169.254.169.254', family: 4 }];
    });
    apps.push(app);
    const error = errorOf(await call(app, { action: 'resolve_digest', repo: 'rebind.test:8080/x', reference: 'v1' }));
    expect(error.type).toBe('egress_denied');
    expect(error.message).toMatch(/169\.254\.169\.254/);
    expect(lookups).toContain('rebind.test');
    expect(attempted.filter((host) => host.startsWith('169.254.'))).toEqual([]);
  });

  it('over HTTP, a name resolving to loopback is refused unless allowed; the server sees no connection', async () => {
    const target = await loopback(() => ({ status: 200 }), '127.0.0.2');
    servers.push(target);
    const resolveAll = async () => [{ address: '127.0.0.2', family: 4 }];
    const refused = appWith({ TRANSPORT: 'http' }, resolveAll);
    apps.push(refused);
    const error = errorOf(await call(refused, { action: 'api_version', registry: `internal.test:${target.port}` }));
    expect(error.type).toBe('egress_denied');
    expect(error.message).toMatch(/private address 127\.0\.0\.2/);
    expect(target.connections).toBe(0);

    const allowed = appWith({ TRANSPORT: 'http', DOCKER_REGISTRY_ALLOWED_HOSTS: `internal.test:${target.port}` }, resolveAll);
    apps.push(allowed);
    // The name is not loopback, so the client speaks TLS to this plain-http server: the handshake
    // fails, but only after the policy let the connection through, which is what this shows.
    const result = await call(allowed, { action: 'api_version', registry: `internal.test:${target.port}` });
    expect(JSON.stringify(result.structuredContent)).not.toContain('egress_denied');
    expect(target.connections).toBeGreaterThan(0);
  });

  it('over HTTP, a loopback registry a call names is refused before connecting; the configured one works', async () => {
    const named = await loopback(() => ({ status: 200 }));
    const configured = await loopback(() => ({ status: 200 }));
    servers.push(named, configured);
    const app = appWith({ TRANSPORT: 'http', DOCKER_REGISTRY_URL: `http://${configured.host}` });
    apps.push(app);
    expect(errorOf(await call(app, { action: 'api_version', registry: named.host })).type).toBe('egress_denied');
    expect(errorOf(await call(app, { action: 'resolve_digest', repo: `${named.host}/x`, reference: 'v1' })).type).toBe('egress_denied');
    expect(named.connections).toBe(0);
    const ok = await call(app, { action: 'api_version' });
    expect(ok.isError, JSON.stringify(ok.structuredContent)).toBeFalsy();
    expect(configured.connections).toBe(1);
  });

  it('the allow-list refuses a registry before any connection, naming the setting', async () => {
    const other = await loopback(() => ({ status: 200 }));
    servers.push(other);
    const app = appWith({ DOCKER_REGISTRY_ALLOWED_HOSTS: 'registry.corp.example,*.mirror.example' });
    apps.push(app);
    const error = errorOf(await call(app, { action: 'resolve_digest', repo: `${other.host}/x`, reference: 'v1' }));
    expect(error.type).toBe('egress_denied');
    expect(error.message).toContain('DOCKER_REGISTRY_ALLOWED_HOSTS');
    expect(other.connections).toBe(0);
    expect(attempted).toEqual([]);
  });
});

describe.skipIf(skip)('the env pair on a token-auth registry named by DOCKER_REGISTRY_URL', () => {
  let reg: RegistryHandle;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'token' });
    await Fixtures.for(reg).pushImage('team/app', 'v1', { platform: 'linux/amd64' });
  }, 120_000);
  afterAll(async () => reg?.stop());

  it('reads with DOCKER_HUB_USER / DOCKER_HUB_TOKEN and nothing in config.json (the reference users set exactly this)', async () => {
    const app = appWith({ DOCKER_REGISTRY_URL: reg.url, DOCKER_HUB_USER: 'tester', DOCKER_HUB_TOKEN: reg.users.tester! });
    try {
      const result = await call(app, { action: 'resolve_digest', repo: 'team/app', reference: 'v1' });
      expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
      expect(reg.tokenService!.log.some((entry) => entry.user === 'tester' && entry.status === 200)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('does not send them when the same registry is named by a call but not configured', async () => {
    const app = appWith({ DOCKER_HUB_USER: 'tester', DOCKER_HUB_TOKEN: reg.users.tester! });
    try {
      reg.tokenService!.reset();
      const error = errorOf(await call(app, { action: 'resolve_digest', repo: `${reg.host}/team/app`, reference: 'v1' }));
      expect(error.type).toBe('unauthorized');
      expect(reg.tokenService!.log.every((entry) => entry.user === null)).toBe(true);
    } finally {
      await app.close();
    }
  });
});
