// Replicas behind HAProxy, with the shipped deploy/haproxy/haproxy.cfg: three processes of the
// built server (dist/main.cjs; `npm run build` first), 10 clients × 30 `hub_admin rate_limit`
// calls through the balancer.
// - stateless (MCP_STATELESS=true): any replica answers any request; one replica gets SIGTERM
//   mid-run, drains and exits 0, and every call is still answered (HAProxy retries what the
//   draining replica refused, on another replica);
// - stateful: the stick rules on Mcp-Session-Id keep each session on the replica that holds it;
//   the same config without them breaks sessions (the control).
// The full-size run (50 × 200) with figures is bench/replicas.bench.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { HAPROXY_MISSING, haproxyBinary, startHaproxy, type HaproxyHandle } from '../helpers/haproxy/launch.js';
import { addressOf, drain, runLoad, startReplicas } from '../helpers/haproxy/load.js';
import type { RunningServer } from '../helpers/spawn-server.js';

const skip = haproxyBinary() === null && !process.env.CI;
if (skip) console.warn(`skipping the HAProxy replica tests: ${HAPROXY_MISSING}`);

const CLIENTS = 10;
const CALLS = 30;

let replicas: RunningServer[] = [];
let balancer: HaproxyHandle | undefined;

afterEach(async () => {
  await balancer?.stop();
  await Promise.all(replicas.map((replica) => replica.stop()));
  balancer = undefined;
  replicas = [];
});

describe.skipIf(skip)('replicas behind HAProxy', () => {
  it('stateless: every call answered while one replica drains and exits', { timeout: 120_000 }, async () => {
    replicas = await startReplicas(3, 'stateless');
    balancer = await startHaproxy(replicas.map(addressOf));
    const victim = replicas[1]!;
    let drained: { code: number | null; log: string } | undefined;
    let servedBeforeKill = 0;

    const load = await runLoad({
      url: balancer.url,
      clients: CLIENTS,
      callsPerClient: CALLS,
      midway: {
        after: Math.floor((CLIENTS * CALLS) / 3),
        action: async () => {
          servedBeforeKill = (await balancer!.stats()).replicas[1]!.total;
          drained = await drain(victim);
        },
      },
    });
    const { replicas: rows, backend } = await balancer.stats();

    expect(load.samples).toEqual([]);
    expect(load).toMatchObject({ calls: CLIENTS * CALLS, ok: CLIENTS * CALLS, errors: 0, lost: 0 });
    // The kill happened mid-run: the victim had served calls, then drained cleanly (its running
    // calls finished within the grace period; none was cancelled).
    expect(servedBeforeKill).toBeGreaterThan(0);
    expect(drained?.code).toBe(0);
    expect(drained?.log).toMatch(/"shut down"/);
    expect(drained?.log).not.toMatch(/cancelling running calls/);
    // Requests that reached the victim after the SIGTERM (503 while draining, refused connection
    // once closed) were sent on to another replica, and those calls succeeded like the rest.
    expect(rows[1]!.redispatches).toBeGreaterThan(0);
    // Any replica answers: the two survivors each took part of the load.
    expect(rows[0]!.total).toBeGreaterThan(0);
    expect(rows[2]!.total).toBeGreaterThan(0);
    // A response the victim cut while closing (HAProxy's `eresp`) was retried elsewhere, never
    // handed to a client: every cut response is matched by a retry or redispatch, and the clients
    // saw no error above. (Counting eresp alone would fail on a keep-alive connection the victim
    // closed under a request, which `retry-on empty-response` exists to absorb.)
    expect(backend.responseErrors).toBeLessThanOrEqual(backend.retries + backend.redispatches);
    expect(backend.serverAborts).toBe(0);
  });

  it('stateful: sessions stick to their replica across many calls', { timeout: 120_000 }, async () => {
    replicas = await startReplicas(3, 'stateful');
    balancer = await startHaproxy(replicas.map(addressOf));

    const load = await runLoad({ url: balancer.url, clients: CLIENTS, callsPerClient: CALLS });
    const { replicas: rows } = await balancer.stats();

    expect(load.samples).toEqual([]);
    expect(load).toMatchObject({ calls: CLIENTS * CALLS, ok: CLIENTS * CALLS, errors: 0, lost: 0 });
    // Sessions were spread over the replicas (round robin on initialize), not all on one.
    expect(rows.filter((row) => row.total > 0).length).toBeGreaterThan(1);
  });

  it('stateful without the stick rules: sessions break (the control)', { timeout: 120_000 }, async () => {
    replicas = await startReplicas(3, 'stateful');
    balancer = await startHaproxy(replicas.map(addressOf), { affinity: false });

    // Connecting may already fail (the initialized notification lands on another replica).
    const outcome = await runLoad({ url: balancer.url, clients: 3, callsPerClient: 5 }).catch((error: Error) => error);
    const failed = outcome instanceof Error ? outcome.message : outcome.samples.join('\n');
    expect(failed).toMatch(/Session not found|404/);
  });
});
