// Replicas behind HAProxy (the shipped deploy/haproxy/haproxy.cfg): 50 MCP SDK clients × 200
// `hub_admin rate_limit` calls through the balancer to three replicas of the built server, with
// one replica killed (SIGTERM: it drains) a third of the way in; stateful replicas with session
// affinity; and the peer, one server process with no balancer, in the same run.
import { afterAll, expect, it } from 'vitest';
import { haproxyBinary, HAPROXY_MISSING, startHaproxy } from '../test/helpers/haproxy/launch.js';
import { addressOf, drain, runLoad, startReplicas, type LoadResult, type ReplicaMode } from '../test/helpers/haproxy/load.js';
import { startHttpServer } from '../test/helpers/spawn-server.js';
import { percentile, writeResult, type Row } from './lib/report.js';

const CLIENTS = 50;
const CALLS = 200;
const rows: Row[] = [];
const checks: { name: string; pass: boolean; detail: string }[] = [];

afterAll(() => {
  writeResult({
    name: 'replicas',
    title: 'Replicas behind HAProxy: 50 clients × 200 calls, one replica killed mid-run',
    notes: [
      'Each run: 50 MCP SDK clients, 200 sequential `hub_admin rate_limit` calls each (no upstream), through HAProxy 2.6 with deploy/haproxy/haproxy.cfg unchanged; every process on this 2-core machine (clients, balancer, replicas).',
      'stateless + kill: three `MCP_STATELESS=true` replicas; after a third of the calls one gets SIGTERM, drains (running calls answered) and exits. HAProxy re-sends what it refuses while draining (503) or can no longer take (connection refused) to another replica: `redispatched`.',
      'lost = a call with no MCP answer: transport failure, time-out, or an HTTP error status (a 503 refusal counts too, so it bounds the calls taken in and never answered); errors = every call without a 200 result, lost ones included.',
      'stateful: three replicas with sessions (one per client), kept on their replica by the stick rules on `Mcp-Session-Id`; no kill (a session lives in its replica: a killed replica takes its sessions with it).',
      'peer: one server process, stateless, no balancer, same clients and calls. On 2 shared cores more replicas add no CPU, so compare errors and lost first; the ratio shows what the balancer hop costs. Stateful beats stateless here because a stateless POST builds a fresh MCP server object for itself.',
    ],
    rows,
    checks,
  });
});

function record(setup: string, load: LoadResult, extra: Row = {}): void {
  rows.push({
    setup,
    calls: load.calls,
    'calls/s': Math.round(load.calls / load.seconds),
    p50_ms: Number(percentile(load.latencies, 50).toFixed(1)),
    p99_ms: Number(percentile(load.latencies, 99).toFixed(1)),
    errors: load.errors,
    lost: load.lost,
    ...extra,
  });
}

async function behindHaproxy(mode: ReplicaMode, kill: boolean): Promise<LoadResult> {
  const replicas = await startReplicas(3, mode);
  const balancer = await startHaproxy(replicas.map(addressOf));
  try {
    let exit: number | null | undefined;
    const load = await runLoad({
      url: balancer.url,
      clients: CLIENTS,
      callsPerClient: CALLS,
      ...(kill
        ? { midway: { after: Math.floor((CLIENTS * CALLS) / 3), action: async () => void (exit = (await drain(replicas[1]!)).code) } }
        : {}),
    });
    const { replicas: servers, backend } = await balancer.stats();
    record(`3 replicas, ${mode}${kill ? ', one killed' : ''}`, load, {
      redispatched: backend.redispatches,
      'per replica': servers.map((s) => s.total).join(' / '),
    });
    const name = `${mode}${kill ? ' + kill' : ''}`;
    checks.push({
      name: `${name}: 0 errors`,
      pass: load.errors === 0,
      detail: `${load.errors} errors in ${load.calls} calls${load.samples[0] ? `; first: ${load.samples[0]}` : ''}`,
    });
    if (kill) {
      checks.push({
        name: `${name}: 0 answers lost`,
        pass: load.lost === 0,
        detail: `${load.lost} lost; ${backend.redispatches} requests redispatched away from the drained replica`,
      });
      checks.push({ name: `${name}: killed replica drained and exited 0`, pass: exit === 0, detail: `exit ${String(exit)}` });
    }
    return load;
  } finally {
    await balancer.stop();
    await Promise.all(replicas.map((replica) => replica.stop()));
  }
}

it.skipIf(haproxyBinary() === null)(`replicas: ${CLIENTS} clients × ${CALLS} calls`, async () => {
  const peerServer = await startHttpServer({ MCP_STATELESS: 'true' });
  let peer: LoadResult;
  try {
    peer = await runLoad({ url: peerServer.url, clients: CLIENTS, callsPerClient: CALLS });
    record('1 process, stateless, no balancer (peer)', peer, { redispatched: null, 'per replica': null });
  } finally {
    await peerServer.stop();
  }
  const stateless = await behindHaproxy('stateless', true);
  const stateful = await behindHaproxy('stateful', false);
  rows.push({
    setup: 'stateless + kill ÷ peer (calls/s)',
    'calls/s': Number((stateless.calls / stateless.seconds / (peer.calls / peer.seconds)).toFixed(2)),
  });
  rows.push({
    setup: 'stateful ÷ peer (calls/s)',
    'calls/s': Number((stateful.calls / stateful.seconds / (peer.calls / peer.seconds)).toFixed(2)),
  });
  expect(stateless.errors + stateless.lost + stateful.errors + peer.errors).toBe(0);
});

if (haproxyBinary() === null) console.warn(`replicas bench skipped: ${HAPROXY_MISSING}`);
