// hub_scout in the built server over stdio, against loopback fakes: a Hub that mints the JWT, a
// registry that resolves the tag with a HEAD, and a Scout GraphQL endpoint answering by
// operationName. Nothing leaves the machine.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStdio, minimalEnv, type StdioSession } from '../helpers/mcp-session.js';
import { ENTRY } from '../helpers/spawn-server.js';

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const JWT = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'uuid-1', username: 'octo', exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
const DIGEST = `sha256:${'a'.repeat(64)}`;

interface Seen {
  mints: number;
  heads: number;
  operations: { name: string; organization?: string; authorization?: string; digest?: unknown }[];
}

async function listen(
  handler: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

function scoutAnswer(name: string, organization: string | undefined): unknown {
  if (organization === 'not-entitled')
    return {
      data: null,
      errors: [
        { message: 'organization is not entitled to Docker Scout', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', status: 'FORBIDDEN' } },
      ],
    };
  if (name === 'ImageVulnerabilities') {
    const vuln = (id: string, severity: string, score: number, fixedBy: string | null) => ({
      sourceId: id,
      source: 'nist',
      url: `https://scout.docker.com/v/${id}`,
      fixedBy,
      cisaExploited: false,
      isExcepted: false,
      cvss: { severity, score },
      epss: null,
      vexStatements: [],
    });
    return {
      data: {
        imagePackagesByDigest: {
          digest: DIGEST,
          sbomState: 'INDEXED',
          imagePackages: {
            packages: [
              {
                package: {
                  name: 'curl',
                  version: '7.88.1',
                  type: 'deb',
                  purl: 'pkg:deb/debian/curl@7.88.1',
                  vulnerabilities: [vuln('CVE-2024-0005', 'HIGH', 8.1, null)],
                },
              },
              {
                package: {
                  name: 'openssl',
                  version: '3.0.11',
                  type: 'deb',
                  purl: 'pkg:deb/debian/openssl@3.0.11',
                  vulnerabilities: [vuln('CVE-2024-0002', 'CRITICAL', 9.1, '3.0.13')],
                },
              },
            ],
          },
        },
      },
    };
  }
  if (name === 'OrganizationStatus')
    return {
      data: {
        organizationStatus: {
          hasImageAnalysisEnabled: true,
          hasAnalyzedImages: true,
          hasEverAnalyzedImages: true,
          lastRepoEnablementChangeAt: null,
        },
      },
    };
  return { data: null, errors: [{ message: `fake Scout does not know ${name}` }] };
}

describe('stdio e2e: hub_scout against loopback Hub, registry and Scout fakes', () => {
  const seen: Seen = { mints: 0, heads: 0, operations: [] };
  const servers: Server[] = [];
  let session: StdioSession;

  beforeAll(async () => {
    const hub = await listen((req, _body, res) => {
      if (req.method === 'POST' && req.url === '/v2/auth/token') {
        seen.mints++;
        json(res, 200, { access_token: JWT });
      } else json(res, 404, { detail: 'not found' });
    });
    const registry = await listen((req, _body, res) => {
      if (req.method === 'HEAD' && req.url === '/v2/myorg/app/manifests/1.0') {
        seen.heads++;
        res
          .writeHead(200, {
            'docker-content-digest': DIGEST,
            'content-type': 'application/vnd.oci.image.manifest.v1+json',
            'content-length': '500',
          })
          .end();
      } else res.writeHead(404).end();
    });
    const scout = await listen((req, body, res) => {
      if (req.method !== 'POST' || req.url !== '/v1/graphql') return json(res, 404, { message: 'not found' });
      const parsed = JSON.parse(body) as {
        operationName: string;
        query: string;
        variables: { context: { organization?: string }; digest?: unknown };
      };
      seen.operations.push({
        name: parsed.operationName,
        organization: parsed.variables.context.organization,
        authorization: req.headers.authorization,
        digest: parsed.variables.digest,
      });
      json(res, 200, scoutAnswer(parsed.operationName, parsed.variables.context.organization));
    });
    servers.push(hub.server, registry.server, scout.server);
    session = await connectStdio({
      command: process.execPath,
      args: [ENTRY],
      env: minimalEnv({
        DOCKER_HUB_USER: 'octo',
        DOCKER_HUB_TOKEN: 'dckr_pat_e2e-scout-0123456789',
        DOCKERHUB_URL: hub.url,
        DOCKER_REGISTRY_URL: registry.url,
        DOCKER_SCOUT_URL: scout.url,
        DOCKER_CONFIG: '/nonexistent-docker-config',
      }),
    });
  });

  afterAll(async () => {
    await session?.close();
    for (const server of servers) server.close();
  });

  it('lists hub_scout read-only, within its share of tools/list (outputSchema included)', async () => {
    const listed = await session.client.listTools();
    const tool = listed.tools.find((t) => t.name === 'hub_scout');
    expect(tool?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    const bytes = Buffer.byteLength(JSON.stringify(tool));
    console.log(`hub_scout adds ${bytes} bytes to tools/list (${Buffer.byteLength(JSON.stringify(listed))} in all)`);
    expect(bytes).toBeLessThanOrEqual(2200);
  });

  it('cves: tag → digest by HEAD, one GraphQL query with the minted JWT, sorted rows', async () => {
    const result = await session.client.callTool({ name: 'hub_scout', arguments: { action: 'cves', repo: 'myorg/app:1.0', org: 'myorg' } });
    expect(result.isError).toBeFalsy();
    const data = (
      result.structuredContent as {
        data: { digest: string; counts: { total: number }; vulnerabilities: { id: string; severity: string }[] };
      }
    ).data;
    expect(data.digest).toBe(DIGEST);
    expect(data.counts.total).toBe(2);
    expect(data.vulnerabilities.map((v) => v.id)).toEqual(['CVE-2024-0002', 'CVE-2024-0005']);
    expect(seen.heads).toBe(1);
    expect(seen.operations).toEqual([
      { name: 'ImageVulnerabilities', organization: 'myorg', authorization: `Bearer ${JWT}`, digest: DIGEST },
    ]);
  });

  it('reuses the JWT, and turns GraphQL errors in a 200 into an isError result with the entitlement hint', async () => {
    const ok = await session.client.callTool({ name: 'hub_scout', arguments: { action: 'status', org: 'myorg' } });
    expect(ok.isError).toBeFalsy();
    const denied = await session.client.callTool({ name: 'hub_scout', arguments: { action: 'status', org: 'not-entitled' } });
    expect(denied.isError).toBe(true);
    const error = (denied.structuredContent as { error: { type: string; message: string; hint: string } }).error;
    expect(error.type).toBe('forbidden');
    expect(error.message).toContain('not entitled');
    expect(error.hint).toContain('organization access tokens do not work with Scout');
    expect(seen.mints).toBe(1);
    expect(JSON.stringify([ok, denied]) + session.stderr()).not.toContain('dckr_pat_e2e');
  });
});
