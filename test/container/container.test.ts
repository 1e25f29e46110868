// The container image: builds the Dockerfile with whatever engine works here (docker when
// `docker info` succeeds, else buildah + podman with the local stand-in for the node base image),
// then drives the image over stdio with the SDK's own Client, checks it runs as `node` (uid 1000),
// carries its labels and the packed bundle only (no node_modules), and serves streamable HTTP with
// a working HEALTHCHECK. With no engine, every test is skipped and the reason is printed; nothing passes
// without an image.
//
// Environment knobs:
//   CONTAINER_ENGINE=docker|podman   use only that engine
//   CONTAINER_TEST_REQUIRED=1        fail instead of skipping when no engine is available (CI)
//   CONTAINER_TEST_IMAGE=name:tag    tag to build (default localhost/dockerhub-mcp:test)
//   CONTAINER_TEST_VERBOSE=1         print the HTTP container's log
//   LOCAL_NODE_IMAGE_SCRIPT=path     stand-in base image builder (default ../shared/tools/local-node-image.sh)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildImage,
  detectEngine,
  freePort,
  lastLine,
  pickEnv,
  quiet,
  run,
  REPO,
  TAG,
  waitForHealthz,
  type Engine,
  type Outcome,
} from '../helpers/container/engine.js';
import { connectStdio, minimalEnv, type StdioSession } from '../helpers/mcp-session.js';
import { MCP_HEADERS } from '../helpers/raw-mcp.js';

const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
const SERVER_NAME = 'io.github.dockerhub-mcp/dockerhub-mcp';

interface ToolEnvelope {
  status_code: number;
  data: { version: string; transport: string; tools: Record<string, unknown> };
}

// ---------------------------------------------------------------------------------------------

const detected = await detectEngine();
const engine: Engine | undefined = 'kind' in detected ? detected : undefined;
const skipReason = 'reason' in detected ? detected.reason : '';

if (!engine) {
  const message = `[container] SKIPPED: no working container engine, so the image is not built or tested. ${skipReason}`;
  if (process.env.CONTAINER_TEST_REQUIRED === '1') throw new Error(`${message} (CONTAINER_TEST_REQUIRED=1)`);
  console.warn(message);
  describe('container engine', () => {
    it.skip(`needs a container engine: ${skipReason}`, () => {});
  });
} else {
  console.log(`[container] engine: ${engine.describe}`);
}

describe.skipIf(!engine)('container image', () => {
  const e = engine!;
  const names: string[] = [];
  const image = TAG;
  let healthTest: string[] = [];

  const engineRun = (args: string[], timeoutMs = 120_000): Promise<Outcome> => {
    const [command, argv] = e.cli(...args);
    return run(command, argv, { env: e.env(), timeoutMs });
  };
  const containerName = (label: string): string => {
    const name = `dockerhub-mcp-test-${process.pid}-${label}`;
    names.push(name);
    return name;
  };
  const inspect = async (format: string): Promise<string> => {
    const out = await engineRun(['image', 'inspect', '--format', format, image]);
    expect(out.code, quiet(out.stderr)).toBe(0);
    return out.stdout.trim();
  };

  beforeAll(async () => {
    // Always a fresh build here: this suite is what tests the Dockerfile.
    await buildImage(e, TAG, PKG.version);
    const health = JSON.parse(await inspect('{{json .Config.Healthcheck}}')) as { Test?: string[] } | null;
    healthTest = health?.Test ?? [];
  });

  afterAll(async () => {
    for (const name of names) await engineRun(['rm', '-f', name], 60_000);
  });

  /** The image's HEALTHCHECK as an argv to exec inside a container. */
  const healthArgv = (): string[] => {
    const [kind, ...rest] = healthTest;
    if (kind === 'CMD') return rest;
    if (kind === 'CMD-SHELL') return ['/bin/sh', '-c', rest.join(' ')];
    throw new Error(`image has no usable HEALTHCHECK: ${JSON.stringify(healthTest)}`);
  };

  it('carries the OCI labels and the MCP server name label', async () => {
    const labels = JSON.parse(await inspect('{{json .Config.Labels}}')) as Record<string, string>;
    expect(labels['io.modelcontextprotocol.server.name']).toBe(SERVER_NAME);
    expect(labels['org.opencontainers.image.title']).toBe('dockerhub-mcp');
    expect(labels['org.opencontainers.image.description']).toBeTruthy();
    expect(labels['org.opencontainers.image.source']).toMatch(/^https:\/\//);
    expect(labels['org.opencontainers.image.licenses']).toBe('MIT');
    expect(labels['org.opencontainers.image.version']).toBe(PKG.version);
  });

  it('runs as the non-root node user (uid 1000)', async () => {
    expect(await inspect('{{.Config.User}}')).toBe('node');
    const id = await engineRun(['run', '--rm', '--entrypoint', 'id', image, '-u']);
    expect(id.code, quiet(id.stderr)).toBe(0);
    expect(id.stdout.trim()).toBe('1000');
  });

  describe('over stdio (the default)', () => {
    let session: StdioSession;
    let name: string;

    beforeAll(async () => {
      name = containerName('stdio');
      const [command, args] = e.cli('run', '--rm', '-i', '--name', name, ...e.net, image);
      session = await connectStdio({
        command,
        args,
        env: minimalEnv(pickEnv(['CONTAINERS_CONF', 'DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'XDG_RUNTIME_DIR'])),
      });
    });

    afterAll(async () => {
      await session?.close();
    });

    it('initializes and lists hub_admin', async () => {
      const info = session.client.getServerVersion();
      expect(info?.name).toBe('dockerhub-mcp');
      expect(info?.version).toBe(PKG.version);
      const { tools } = await session.client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('hub_admin');
    });

    it('answers hub_admin config and rate_limit offline', async () => {
      const result = await session.client.callTool({ name: 'hub_admin', arguments: { action: 'config' } });
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      const envelope = result.structuredContent as ToolEnvelope;
      expect(envelope.status_code).toBe(200);
      expect(envelope.data.transport).toBe('stdio');
      expect(envelope.data.version).toBe(PKG.version);

      const rate = await session.client.callTool({ name: 'hub_admin', arguments: { action: 'rate_limit' } });
      expect(rate.isError, JSON.stringify(rate.content)).toBeFalsy();
      expect((rate.structuredContent as ToolEnvelope).status_code).toBe(200);
    });

    it('passes its HEALTHCHECK trivially (no port in stdio mode)', async () => {
      const health = await engineRun(['exec', name, ...healthArgv()]);
      expect(health.code, quiet(health.stderr)).toBe(0);
    });

    it('holds the bundled server as the npm package ships it, and no node_modules', async () => {
      const check = [
        'test -f /app/dist/main.cjs',
        'test -d /app/dist/chunks',
        'test -f /app/dist/THIRD_PARTY_LICENSES.txt',
        'test ! -e /app/node_modules',
        'test ! -e /app/dist/main.cjs.map',
        'test ! -e /app/node_modules/typescript',
        'test ! -e /app/node_modules/vitest',
        'test ! -e /app/src',
        'test ! -e /app/.env',
      ].join(' && ');
      const out = await engineRun(['exec', name, '/bin/sh', '-c', `${check} && echo ok`]);
      expect(quiet(out.stderr)).toBe('');
      expect(out.stdout.trim()).toBe('ok');
    });
  });

  it('refuses HTTP on a non-loopback address without MCP_AUTH_TOKEN', async () => {
    const out = await engineRun(['run', '--rm', '-e', 'TRANSPORT=http', '-e', 'HOST=0.0.0.0', ...e.net, image]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/MCP_AUTH_TOKEN/);
  });

  it('serves streamable HTTP by env, with /healthz and a passing HEALTHCHECK', async () => {
    const port = await freePort();
    const token = `container-test-${process.pid}-${Date.now()}`;
    const name = containerName('http');
    const started = await engineRun([
      'run',
      '-d',
      '--name',
      name,
      ...e.hostPort(port),
      '-e',
      'TRANSPORT=http',
      '-e',
      'HOST=0.0.0.0',
      '-e',
      `PORT=${port}`,
      '-e',
      `MCP_AUTH_TOKEN=${token}`,
      image,
    ]);
    expect(started.code, quiet(started.stderr)).toBe(0);
    try {
      const healthz = await waitForHealthz(`http://127.0.0.1:${port}/healthz`, 30_000);
      expect(healthz.status).toBe(200);
      expect(healthz.headers.get('content-type')).toMatch(/json/);
      await healthz.json();

      const health = await engineRun(['exec', name, ...healthArgv()]);
      expect(health.code, quiet(health.stderr)).toBe(0);
      // Pointed at a port where nothing listens, the check must fail, not pass trivially.
      const closed = await engineRun(['exec', '-e', `PORT=${await freePort()}`, name, ...healthArgv()]);
      expect(closed.code).not.toBe(0);
      if (e.kind === 'podman') {
        // The engine's own runner; may not work everywhere (vfs/cgroupfs), so only reported.
        const own = await engineRun(['healthcheck', 'run', name]);
        console.log(
          `[container] podman healthcheck run: exit ${own.code} ${own.code === 0 ? '(healthy)' : lastLine(own.stderr || own.stdout)}`,
        );
      }

      const anonymous = await fetch(`http://127.0.0.1:${port}/mcp`, {
        method: 'POST',
        headers: MCP_HEADERS,
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(anonymous.status).toBe(401);

      const client = new Client({ name: 'dockerhub-mcp-container-test', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      });
      await client.connect(transport);
      try {
        const result = await client.callTool({ name: 'hub_admin', arguments: { action: 'config' } });
        expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
        const envelope = result.structuredContent as ToolEnvelope;
        expect(envelope.status_code).toBe(200);
        expect(envelope.data.transport).toBe('streamable-http');
      } finally {
        await client.close();
      }
    } finally {
      const logs = await engineRun(['logs', name]);
      if (logs.code === 0 && process.env.CONTAINER_TEST_VERBOSE === '1') console.log(quiet(logs.stderr));
      await engineRun(['rm', '-f', name]);
    }
  });

  it('HEALTHCHECK follows --transport/--host/--port flags', async () => {
    const port = await freePort();
    const name = containerName('http-flags');
    const started = await engineRun([
      'run',
      '-d',
      '--name',
      name,
      ...e.hostPort(port),
      '-e',
      'MCP_AUTH_TOKEN=flags-test',
      image,
      '--transport',
      'streamable-http',
      '--host',
      '0.0.0.0',
      '--port',
      String(port),
    ]);
    expect(started.code, quiet(started.stderr)).toBe(0);
    try {
      await waitForHealthz(`http://127.0.0.1:${port}/healthz`, 30_000);
      const health = await engineRun(['exec', name, ...healthArgv()]);
      expect(health.code, quiet(health.stderr)).toBe(0);
    } finally {
      await engineRun(['rm', '-f', name]);
    }
  });
});
