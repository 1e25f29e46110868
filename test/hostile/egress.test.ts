// Egress attacks against the built server over streamable HTTP (the remote-caller case), with
// distinctive canary secrets: a registry redirecting to the cloud metadata address, a call naming
// a loopback service, a Hub that answers the token mint with a 307 to a collector, a token service
// whose token is the caller's own Basic pair (echoed back by the registry), and credentials in a
// configured URL; and deactivations sent as updates with the gate closed. Every result, every stderr line and every HTTP answer is scanned for the canaries
// in every form (raw, `user:secret`, base64); the collector must see nothing.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToExit, startHttpServer, type RunningServer } from '../helpers/spawn-server.js';

const USER = 'canary-user';
const HUB_TOKEN = 'CanaryEgressSecret-6c2e9d41b7';
const URL_PASSWORD = 'CanaryUrlPassword-e40b17aa3c';
const MCP_TOKEN = 'CanaryEgressMcp-19f0c2d8e4';
const PAIR = `${USER}:${HUB_TOKEN}`;
const FORMS: Record<string, string> = {
  'hub token': HUB_TOKEN,
  'user:token': PAIR,
  'base64(user:token)': Buffer.from(PAIR).toString('base64'),
  'base64url(user:token)': Buffer.from(PAIR).toString('base64url'),
  'URL password': URL_PASSWORD,
  'MCP token': MCP_TOKEN,
};

function scan(text: string, where: string, found: string[]): void {
  for (const [name, value] of Object.entries(FORMS)) if (text.includes(value)) found.push(`${name} in ${where}`);
}

interface Recorder {
  server: Server;
  url: string;
  host: string;
  connections: number;
  requests: { method: string; path: string; body: string; authorization?: string }[];
}

async function recorder(handle: (req: IncomingMessage, res: ServerResponse, body: string, self: Recorder) => void): Promise<Recorder> {
  const self = { connections: 0, requests: [] } as unknown as Recorder;
  self.server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      self.requests.push({ method: req.method ?? '', path: req.url ?? '', body, authorization: req.headers.authorization });
      handle(req, res, body, self);
    });
  });
  self.server.on('connection', () => self.connections++);
  await new Promise<void>((resolve) => self.server.listen(0, '127.0.0.1', resolve));
  const port = (self.server.address() as AddressInfo).port;
  self.host = `127.0.0.1:${port}`;
  self.url = `http://${self.host}`;
  return self;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

describe('egress attacks through the built server (HTTP transport)', () => {
  let collector: Recorder;
  let hostile: Recorder;
  let server: RunningServer;
  let client: Client;
  const found: string[] = [];

  beforeAll(async () => {
    collector = await recorder((_req, res) => json(res, 200, { collected: true }));
    // One hostile upstream playing Hub, the default registry and its token service.
    hostile = await recorder((req, res) => {
      const path = req.url ?? '/';
      if (path.startsWith('/v2/auth/token')) {
        json(res, 307, {}, { location: `${collector.url}/collect` });
      } else if (path.startsWith('/token')) {
        // The "token" is the caller's own Basic credential, so the registry below echoes it back.
        json(res, 200, { token: (req.headers.authorization ?? '').replace(/^Basic /, ''), expires_in: 300 });
      } else if (path === '/v2/') {
        if (!req.headers.authorization) json(res, 401, {}, { 'www-authenticate': `Bearer realm="${hostile.url}/token",service="hostile"` });
        else json(res, 200, {});
      } else if (path.includes('/manifests/meta')) {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' });
        res.end();
      } else if (!req.headers.authorization) {
        json(res, 401, {}, { 'www-authenticate': `Bearer realm="${hostile.url}/token",service="hostile",scope="repository:x:pull"` });
      } else {
        const sent = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        json(res, 403, { errors: [{ code: 'DENIED', message: `denied: ${sent} = ${Buffer.from(sent, 'base64').toString()}` }] });
      }
    });
    server = await startHttpServer({
      DOCKERHUB_URL: hostile.url,
      DOCKER_REGISTRY_URL: hostile.url,
      DOCKER_REGISTRY_AUTH_URL: `${hostile.url}/token`,
      DOCKER_SCOUT_URL: hostile.url,
      DOCKER_HUB_USER: USER,
      DOCKER_HUB_TOKEN: HUB_TOKEN,
      // hub_scim is listed (and callable) only with its token.
      DOCKERHUB_SCIM_TOKEN: 'egress-scim-secret-0001',
      MCP_AUTH_TOKEN: MCP_TOKEN,
      DOCKERHUB_TIMEOUT: '3',
      LOG_LEVEL: 'debug',
    });
    client = new Client({ name: 'egress-attacker', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${MCP_TOKEN}` } } }),
    );
  }, 30_000);

  afterAll(async () => {
    await client?.close();
    const code = await server?.stop();
    expect(code).toBe(0);
    scan(server?.stderr() ?? '', 'server stderr', found);
    expect(found).toEqual([]);
    collector?.server.close();
    hostile?.server.close();
  });

  async function call(name: string, args: Record<string, unknown>): Promise<{ type?: string; message?: string; text: string }> {
    const result = await client.callTool({ name, arguments: args });
    const text = JSON.stringify(result);
    scan(text, `${name}.${String(args.action)} result`, found);
    const error = (result.structuredContent as { error?: { type: string; message: string } } | undefined)?.error;
    return { type: error?.type, message: error?.message, text };
  }

  it('a registry redirect to the metadata address is egress_denied', async () => {
    for (const action of ['get_manifest', 'inspect', 'resolve_digest']) {
      expect((await call('hub_registry', { action, repo: 'x', reference: 'meta' })).type, action).toBe('egress_denied');
    }
  });

  it('a loopback service a call names is refused over HTTP without a connection', async () => {
    const before = collector.connections;
    for (const args of [
      { action: 'api_version', registry: collector.host },
      { action: 'get_manifest', repo: `${collector.host}/x`, reference: 'v1' },
      { action: 'list_repositories', registry: 'localhost:1' },
      { action: 'get_manifest', repo: '169.254.169.254/latest', reference: 'v1' },
    ]) {
      const outcome = await call('hub_registry', args);
      expect(outcome.type, JSON.stringify(args)).toBe('egress_denied');
    }
    expect(collector.connections - before).toBe(0);
  });

  it('a Hub mint answered with a 307 does not re-send the secret to the collector', async () => {
    const outcome = await call('hub_admin', { action: 'whoami' });
    expect(outcome.type).toBe('upstream_error');
    expect(outcome.message).toMatch(/redirect/);
    expect(collector.requests).toEqual([]);
  });

  it('a token service and registry echoing the Basic pair back show no form of it', async () => {
    const outcome = await call('hub_registry', { action: 'get_manifest', repo: 'team/app', reference: 'v1' });
    expect(outcome.type).toBe('forbidden');
    expect(outcome.text).toContain('denied:');
    // It did travel (to the registry the operator paired it with), so there was something to leak.
    expect(hostile.requests.some((r) => r.authorization === `Basic ${FORMS['base64(user:token)']}`)).toBe(true);
  });

  it('revocations and demotions dressed as updates stay behind the closed gate, with no request', async () => {
    const before = hostile.requests.length;
    for (const [name, args] of [
      ['hub_auth', { action: 'update_pat', uuid: 'u-1', is_active: false }],
      ['hub_auth', { action: 'update_oat', org: 'acme', token_id: 't-1', is_active: false }],
      ['hub_scim', { action: 'patch_user', user_id: 'u-1', active: false }],
      ['hub_org', { action: 'update_member', org: 'acme', username: 'jo', role: 'member' }],
      ['hub_teams', { action: 'update', org: 'acme', group_name: 'devs', description: 'x' }],
    ] as const) {
      expect((await call(name, args)).type, `${name}.${args.action}`).toBe('gate_closed');
    }
    expect(hostile.requests.slice(before).filter((r) => r.method !== 'GET' && r.method !== 'HEAD')).toEqual([]);
  });

  it('a configured URL with a password stops the server (exit 2) without echoing it', async () => {
    for (const name of ['DOCKERHUB_URL', 'DOCKER_REGISTRY_URL', 'DOCKER_SCOUT_URL']) {
      const { code, stderr, stdout } = await runToExit([], { [name]: `http://${USER}:${URL_PASSWORD}@127.0.0.1:9/` });
      expect(code, name).toBe(2);
      expect(stderr).toContain(name);
      scan(stderr + stdout, `${name} start-up`, found);
    }
  });
});
