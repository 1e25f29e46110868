// deploy/kubernetes/deployment.yaml under `podman kube play`: the Deployment's pod from the
// locally built image (the one container.test.ts builds, reused when it was built from the current
// sources), with its security settings (uid 1000, read-only root filesystem, every capability
// dropped, no privilege escalation), its bearer token from a Secret, /healthz on the container
// port, MCP tools/list over stateless HTTP, and a clean drain when the pod stops.
//
// What is changed before playing, and why:
// - image: the local tag instead of the registry placeholder (what kustomization.yaml's `images:`
//   does for a real cluster);
// - hostNetwork, no `ports`, a free port: these machines run containers on the host's network
//   (see ../shared/tools/local-node-image.sh), and podman refuses port mappings there;
// - the Secret's name: a podman secret of a unique name, so parallel runs do not collide.
// podman ignores the Service, PodDisruptionBudget, HorizontalPodAutoscaler and NetworkPolicy, so
// only the Deployment is played; test/unit/deploy/kubernetes.test.ts checks those by schema.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Deployment } from 'kubernetes-models/apps/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  detectEngine,
  ensureImage,
  freePort,
  quiet,
  REPO,
  run,
  TAG,
  waitForHealthz,
  type Engine,
  type Outcome,
} from '../helpers/container/engine.js';
import { MCP_HEADERS } from '../helpers/raw-mcp.js';

const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };

const detected = await detectEngine();
const engine: Engine | undefined = 'kind' in detected && detected.kind === 'podman' ? detected : undefined;
const skipReason = !('kind' in detected) ? detected.reason : 'kube play is podman-only and the engine here is docker';
if (!engine) {
  const message = `[kube] SKIPPED: podman kube play is not available, so the Deployment's pod is not run. ${skipReason}`;
  if (process.env.CONTAINER_TEST_REQUIRED === '1') throw new Error(`${message} (CONTAINER_TEST_REQUIRED=1)`);
  console.warn(message);
  describe('podman kube play', () => {
    it.skip(`needs podman: ${skipReason}`, () => {});
  });
}

describe.skipIf(!engine)('deploy/kubernetes/deployment.yaml under podman kube play', () => {
  const e = engine!;
  const name = `dockerhub-mcp-kube-${process.pid}`;
  const secret = `${name}-secret`;
  const token = `kube-test-${process.pid}-${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), 'kube-play-'));
  const manifest = join(dir, 'deployment.yaml');
  let port = 0;
  let container = '';

  const podman = (args: string[], timeoutMs = 120_000): Promise<Outcome> => {
    const [command, argv] = e.cli(...args);
    return run(command, argv, { env: e.env(), timeoutMs });
  };

  beforeAll(async () => {
    await ensureImage(e, TAG, PKG.version);
    port = await freePort();

    const deployment = parse(readFileSync(join(REPO, 'deploy/kubernetes/deployment.yaml'), 'utf8')) as Deployment;
    deployment.metadata!.name = name;
    const pod = deployment.spec!.template.spec!;
    pod.hostNetwork = true;
    const main = pod.containers[0]!;
    main.image = TAG;
    delete main.ports;
    for (const probe of [main.readinessProbe, main.livenessProbe]) probe!.httpGet!.port = port;
    for (const entry of main.env ?? []) {
      if (entry.name === 'PORT') entry.value = String(port);
      if (entry.valueFrom?.secretKeyRef) entry.valueFrom.secretKeyRef.name = secret;
    }
    writeFileSync(manifest, stringify(deployment));

    // podman reads a kube Secret as a JSON object of base64 values.
    const secretFile = join(dir, 'secret.json');
    writeFileSync(secretFile, JSON.stringify({ MCP_AUTH_TOKEN: Buffer.from(token).toString('base64') }));
    const created = await podman(['secret', 'create', secret, secretFile]);
    expect(created.code, quiet(created.stderr)).toBe(0);

    const played = await podman(['kube', 'play', manifest], 300_000);
    expect(played.code, quiet(played.stderr)).toBe(0);
    const listed = await podman(['ps', '-a', '--filter', `name=^${name}-pod`, '--format', '{{.Names}}']);
    container = listed.stdout.split('\n').find((line) => line.endsWith('-dockerhub-mcp')) ?? '';
    expect(container, listed.stdout).not.toBe('');
  });

  afterAll(async () => {
    await podman(['kube', 'play', '--down', manifest]);
    await podman(['secret', 'rm', secret]);
  });

  it('runs with the security settings of the manifest', async () => {
    const format =
      '{{.Config.User}}|{{.HostConfig.ReadonlyRootfs}}|{{json .HostConfig.CapAdd}}|{{json .EffectiveCaps}}|{{json .HostConfig.SecurityOpt}}';
    const inspected = await podman(['inspect', '--format', format, container]);
    expect(inspected.code, quiet(inspected.stderr)).toBe(0);
    const [user, readOnly, capAdd, effective, securityOpt] = inspected.stdout.trim().split('|');
    expect(user).toBe('1000:1000');
    expect(readOnly).toBe('true');
    expect(JSON.parse(capAdd ?? 'null') ?? []).toEqual([]);
    expect(JSON.parse(effective ?? 'null') ?? []).toEqual([]);
    expect(securityOpt).toMatch(/no-new-privileges/);
  });

  it('answers /healthz on the container port', async () => {
    const healthz = await waitForHealthz(`http://127.0.0.1:${port}/healthz`, 60_000);
    expect(await healthz.json()).toMatchObject({ status: 'ok', name: 'dockerhub-mcp', version: PKG.version });
  });

  it('refuses MCP without the Secret token and lists the tools with it', async () => {
    await waitForHealthz(`http://127.0.0.1:${port}/healthz`, 60_000);
    const anonymous = await fetch(`http://127.0.0.1:${port}/mcp`, {
      method: 'POST',
      headers: MCP_HEADERS,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(anonymous.status).toBe(401);

    const client = new Client({ name: 'dockerhub-mcp-kube-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('hub_admin');
      const config = await client.callTool({ name: 'hub_admin', arguments: { action: 'config' } });
      expect(config.isError, JSON.stringify(config.content)).toBeFalsy();
      // The Deployment's env took effect: stateless streamable HTTP.
      expect(JSON.stringify(config.structuredContent)).toMatch(/"transport":"streamable-http"/);
    } finally {
      await client.close();
    }
  });

  it('drains and exits 0 when the pod stops', async () => {
    const stopped = await podman(['pod', 'stop', '--time', '30', `${name}-pod-0`], 120_000);
    expect(stopped.code, quiet(stopped.stderr)).toBe(0);
    const state = await podman(['inspect', '--format', '{{.State.ExitCode}}', container]);
    expect(state.stdout.trim()).toBe('0');
    const logs = await podman(['logs', container]);
    expect(logs.stderr + logs.stdout).toMatch(/"shut down"/);
  });
});
