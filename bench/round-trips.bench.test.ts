// Round trips: a proxy adds a fixed delay per request and counts requests, in front of a real
// token-auth registry. Ours (the hub_registry tool in-process) and skopeo do the same work in the
// same run; the reference implementation's pattern is reproduced as request counts from its
// documented behaviour (../shared/reference/dockerhub-api-inventory.md §3.2, §4.2).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCountingProxy, type CountingProxyHandle } from '../test/helpers/registry/counting-proxy.js';
import { Fixtures, type PushedIndex } from '../test/helpers/registry/fixtures.js';
import { registryAvailable, startRegistry, type RegistryHandle } from '../test/helpers/registry/launch.js';
import { startPagingProxy, type PagingProxyHandle } from '../test/helpers/registry/paging-proxy.js';
import { benchApp, registryCall } from './lib/app.js';
import { writeResult, type Row } from './lib/report.js';
import { skopeo, skopeoAvailable } from './lib/skopeo.js';

const DELAY_MS = 25;
const ready = registryAvailable() && skopeoAvailable();
if (!ready) console.warn('round-trips bench needs docker-registry and skopeo (apt-get install docker-registry skopeo)');

let regA: RegistryHandle;
let regB: RegistryHandle;
let proxyA: PagingProxyHandle;
let proxyB: CountingProxyHandle;
let index: PushedIndex;
const rows: Row[] = [];
const checks: { name: string; pass: boolean; detail: string }[] = [];

beforeAll(async () => {
  if (!ready) return;
  regA = await startRegistry({ auth: 'token' });
  regB = await startRegistry({ auth: 'token' });
  const fx = Fixtures.for(regA);
  index = await fx.pushIndex('acme/app', 'v1', ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7', 'linux/s390x'], { attestations: true });
  await fx.pushTags('acme/tags', 1000);
  await fx.pushImage('acme/six', 'v1', { platform: 'linux/amd64', layers: [65536, 65536, 65536, 65536, 65536, 65536] });
  proxyA = await startPagingProxy({ upstream: regA.url, defaultPageSize: 100, delayMs: DELAY_MS });
  proxyB = await startCountingProxy({ upstream: regB.url, delayMs: DELAY_MS });
}, 300_000);

afterAll(async () => {
  if (!ready) return;
  writeResult({
    name: 'round-trips',
    title: `Round trips (${DELAY_MS} ms added per request; token-auth registry)`,
    notes: [
      'requests = registry requests seen at the proxy; tokens = token-service requests (not delayed); steps = longest chain of strictly sequential requests at the proxy; time/delay = wall time ÷ delay.',
      'ours cold = fresh client state in a running server (no token, no cache); warm = a repeated call. skopeo is a new process each time (its start-up is in its wall time, not in its request counts).',
      'skopeo pings /v2/ before each operation and, on plain-http loopback registries, first tries TLS; on the real Docker Hub it would skip the TLS attempt, so compare request counts and steps first.',
      'reference = the Python dockerhub-api request pattern, counted from its documented code paths: a fresh registry token per tool call, inspect = HEAD + GET manifest (+ GET manifest, GET child, GET config for one platform), list_tags reads one page only.',
    ],
    rows,
    checks,
  });
  await proxyA?.stop();
  await proxyB?.stop();
  await regA?.stop();
  await regB?.stop();
});

const creds = (reg: RegistryHandle): string => `tester:${reg.users.tester}`;

/** `skopeo copy --all` between two (plain-http loopback) registries with their credentials. */
const skopeoCopy = (from: RegistryHandle, to: RegistryHandle, source: string, target: string): ReturnType<typeof skopeo> =>
  skopeo([
    'copy',
    '--all',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    '--src-creds',
    creds(from),
    '--dest-creds',
    creds(to),
    `docker://${source}`,
    `docker://${target}`,
  ]);

async function measure(
  proxy: CountingProxyHandle,
  tokens: () => number,
  work: () => Promise<unknown>,
): Promise<{ ms: number; requests: number; steps: number; tokens: number; bytes: number }> {
  proxy.reset();
  const before = tokens();
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  const bytes = proxy.requests.filter((r) => r.kind === 'blob' || r.kind === 'upload').reduce((sum, r) => sum + r.bytesIn + r.bytesOut, 0);
  return { ms, requests: proxy.count(), steps: proxy.sequentialSteps(), tokens: tokens() - before, bytes };
}

function row(scenario: string, client: string, m: { ms: number; requests: number; steps: number; tokens: number; bytes?: number }): Row {
  const r: Row = {
    scenario,
    client,
    wall_ms: Math.round(m.ms),
    requests: m.requests,
    tokens: m.tokens,
    steps: m.steps,
    'time/delay': Number((m.ms / DELAY_MS).toFixed(1)),
  };
  if (m.bytes !== undefined) r.blob_bytes = m.bytes;
  rows.push(r);
  return r;
}

function ratio(scenario: string, ours: { ms: number; requests: number }, peer: { ms: number; requests: number }): void {
  rows.push({
    scenario,
    client: 'ours / skopeo',
    wall_ms: Number((ours.ms / peer.ms).toFixed(2)),
    requests: Number((ours.requests / peer.requests).toFixed(2)),
  });
}

it.skipIf(!ready)('tag → digest', async () => {
  const tokens = (): number => regA.tokenService!.tokenRequests;
  const repo = `${proxyA.host}/acme/app:v1`;
  const app = benchApp({ [proxyA.host]: { user: 'tester', password: regA.users.tester! } });
  const cold = await measure(proxyA, tokens, () => registryCall(app, { action: 'resolve_digest', repo }));
  const warm = await measure(proxyA, tokens, () => registryCall(app, { action: 'resolve_digest', repo }));
  const peer = await measure(proxyA, tokens, () =>
    skopeo(['inspect', '--tls-verify=false', '--creds', creds(regA), '--no-tags', '--format', '{{.Digest}}', `docker://${repo}`]),
  );
  row('tag → digest', 'ours (cold)', cold);
  row('tag → digest', 'ours (warm)', warm);
  row('tag → digest', 'skopeo inspect --format {{.Digest}}', peer);
  rows.push({ scenario: 'tag → digest', client: 'reference (counted)', requests: 1, tokens: 1, steps: 2 });
  ratio('tag → digest', warm, peer);
  checks.push({ name: 'tag → digest warm = 1 request', pass: warm.requests === 1, detail: `${warm.requests} request(s)` });
  expect(warm.requests).toBe(1);
});

it.skipIf(!ready)('inspect a 4-platform index with configs', async () => {
  const tokens = (): number => regA.tokenService!.tokenRequests;
  const repo = `${proxyA.host}/acme/app:v1`;
  const app = benchApp({ [proxyA.host]: { user: 'tester', password: regA.users.tester! } });
  const cold = await measure(proxyA, tokens, () => registryCall(app, { action: 'inspect', repo, include_config: true }));
  const warm = await measure(proxyA, tokens, () => registryCall(app, { action: 'inspect', repo, include_config: true }));
  // First inspect of this image by a client that already knows the registry's challenge.
  const known = benchApp({ [proxyA.host]: { user: 'tester', password: regA.users.tester! } });
  await registryCall(known, { action: 'resolve_digest', repo: `${proxyA.host}/acme/six:v1` });
  const first = await measure(proxyA, tokens, () => registryCall(known, { action: 'inspect', repo, include_config: true }));
  // skopeo shows one platform per call: list the platforms, then one `inspect --config` each.
  const peer = await measure(proxyA, tokens, async () => {
    await skopeo(['inspect', '--tls-verify=false', '--creds', creds(regA), '--raw', `docker://${repo}`]);
    for (const [arch, variant] of [['amd64'], ['arm64', 'v8'], ['arm', 'v7'], ['s390x']] as const) {
      const args = ['inspect', '--tls-verify=false', '--creds', creds(regA), '--config', '--override-os', 'linux', '--override-arch', arch];
      if (variant) args.push('--override-variant', variant);
      await skopeo([...args, `docker://${repo}`]);
    }
  });
  row('inspect 4 platforms + configs', 'ours (cold)', cold);
  row('inspect 4 platforms + configs', 'ours (first, registry known)', first);
  row('inspect 4 platforms + configs', 'ours (warm)', warm);
  row('inspect 4 platforms + configs', 'skopeo inspect --raw + 4× inspect --config', peer);
  rows.push({
    scenario: 'inspect 4 platforms + configs',
    client: 'reference (counted, 1 platform only)',
    requests: 5,
    tokens: 1,
    steps: 6,
  });
  ratio('inspect 4 platforms + configs', cold, peer);
  checks.push({
    name: 'inspect, registry known = 2N+1 requests in 3 steps',
    pass: first.requests === 9 && first.steps === 3,
    detail: `${first.requests} requests, ${first.steps} steps (new registry: ${cold.requests} requests incl. the 401 challenge)`,
  });
  checks.push({
    name: 'inspect warm ≤ 4 sequential round trips',
    pass: warm.steps <= 4,
    detail: `${warm.steps} step(s), ${warm.requests} request(s)`,
  });
  expect(index.images).toHaveLength(4);
  expect(warm.steps).toBeLessThanOrEqual(4);
});

it.skipIf(!ready)('list 1,000 tags', async () => {
  const tokens = (): number => regA.tokenService!.tokenRequests;
  const repo = `${proxyA.host}/acme/tags`;
  const app = benchApp({ [proxyA.host]: { user: 'tester', password: regA.users.tester! } });
  let count = 0;
  const cold = await measure(proxyA, tokens, async () => {
    const result = await registryCall(app, { action: 'list_tags', repo });
    count = (result.structuredContent as { data: { count: number } }).data.count;
  });
  const peer = await measure(proxyA, tokens, () => skopeo(['list-tags', '--tls-verify=false', '--creds', creds(regA), `docker://${repo}`]));
  row('list 1,000 tags', 'ours (cold)', cold);
  row('list 1,000 tags', 'skopeo list-tags', peer);
  rows.push({ scenario: 'list 1,000 tags', client: 'reference (counted; first page only)', requests: 1, tokens: 1, steps: 2 });
  ratio('list 1,000 tags', cold, peer);
  checks.push({ name: 'list 1,000 tags complete', pass: count === 1000, detail: `${count} tags` });
  expect(count).toBe(1000);
});

it.skipIf(!ready)('copy a 6-layer image within a registry and to a second registry', async (ctx) => {
  const app = benchApp({
    [proxyA.host]: { user: 'tester', password: regA.users.tester! },
    [proxyB.host]: { user: 'tester', password: regB.users.tester! },
  });
  const hasCopy = (await import('../src/tools/catalog.js')).buildTools(['hub_registry'])[0]?.actions.copy !== undefined;
  if (!hasCopy) {
    console.warn('copy scenarios skipped: hub_registry has no copy action in this build');
    ctx.skip();
    return;
  }
  const tokensA = (): number => regA.tokenService!.tokenRequests;
  const same = await measure(proxyA, tokensA, () =>
    registryCall(app, {
      action: 'copy',
      repo: `${proxyA.host}/acme/six:v1`,
      target_repo: `${proxyA.host}/acme/six-copy`,
      target_reference: 'v1',
    }),
  );
  const peerSame = await measure(proxyA, tokensA, () =>
    skopeoCopy(regA, regA, `${proxyA.host}/acme/six:v1`, `${proxyA.host}/acme/six-skopeo:v1`),
  );
  row('copy 6 layers, same registry', 'ours', same);
  row('copy 6 layers, same registry', 'skopeo copy --all', peerSame);
  ratio('copy 6 layers, same registry', same, peerSame);
  checks.push({
    name: 'same-registry copy transfers zero blob bytes',
    pass: same.bytes === 0,
    detail: `${same.bytes} blob bytes through the proxy`,
  });

  // Across registries the work spans both proxies and both token services.
  const across = async (work: () => Promise<unknown>): Promise<{ ms: number; requests: number; steps: number; tokens: number }> => {
    proxyA.reset();
    proxyB.reset();
    const tokens = (): number => regA.tokenService!.tokenRequests + regB.tokenService!.tokenRequests;
    const before = tokens();
    const started = performance.now();
    await work();
    return {
      ms: performance.now() - started,
      requests: proxyA.count() + proxyB.count(),
      steps: Math.max(proxyA.sequentialSteps(), proxyB.sequentialSteps()),
      tokens: tokens() - before,
    };
  };
  const cross = await across(() =>
    registryCall(app, {
      action: 'copy',
      repo: `${proxyA.host}/acme/six:v1`,
      target_repo: `${proxyB.host}/acme/six`,
      target_reference: 'v1',
    }),
  );
  const peerCross = await across(() => skopeoCopy(regA, regB, `${proxyA.host}/acme/six:v1`, `${proxyB.host}/acme/six-skopeo:v1`));
  row('copy 6 layers, second registry', 'ours', cross);
  row('copy 6 layers, second registry', 'skopeo copy --all', peerCross);
  ratio('copy 6 layers, second registry', cross, peerCross);
  expect(same.bytes).toBe(0);
});
