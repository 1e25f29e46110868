// Chaos: a fault-injecting proxy in front of Debian's real docker-registry (token auth) and in front
// of a fake Hub (which also stands in for Scout). Every read action of every tool (enumerated from
// allTools() at run time) runs under each fault: 429 with Retry-After in seconds and as an HTTP
// date, 503 bursts, resets before headers and mid-body, headers slower than DOCKERHUB_TIMEOUT,
// bodies cut short, flipped bytes in manifests and blobs. Transient faults must be absorbed by the
// retry policy (same outcome and data as without faults); persistent ones must end in a clear
// isError within the deadline; corrupted content must be refused by digest, never returned as data;
// no unhandled rejection; and the server keeps serving afterwards, in-process and as a process.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createAppContext, type AppContext } from '../../src/context.js';
import { silentLogger } from '../../src/log.js';
import { callTool, type CallResult } from '../../src/tools/framework.js';
import { DEFAULT_RETRY_POLICY } from '../../src/http/retry.js';
import { startChaosProxy, type ChaosProxy, type Fault, type FaultPlan } from '../helpers/hostile/chaos-proxy.js';
import { everyAction, errorOf, plausibleArgs, plausibleValues, resultProblem, type ActionEntry } from '../helpers/hostile/actions.js';
import { startFakeHub, type FakeHub } from '../helpers/fake-hub.js';
import { connectStdio, minimalEnv, type StdioSession } from '../helpers/mcp-session.js';
import { Fixtures, type PushedIndex } from '../helpers/registry/fixtures.js';
import { REGISTRY_MISSING, registryAvailable, startRegistry, type RegistryHandle } from '../helpers/registry/launch.js';
import { ENTRY } from '../helpers/spawn-server.js';

const skip = !registryAvailable() && !process.env.CI;
if (skip) console.warn(`skipping chaos suite: ${REGISTRY_MISSING}`);

const TIMEOUT_S = 2;
const HUB_SECRET = 'chaos-hub-secret-77';
/** Worst case for one upstream request under persistent faults: every attempt times out, plus backoff, plus slack. */
const DEADLINE_MS =
  (DEFAULT_RETRY_POLICY.maxRetries + 1) * TIMEOUT_S * 1000 +
  2 * DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** DEFAULT_RETRY_POLICY.maxRetries +
  3000;
/** Errors that say what went wrong upstream (not a crash). */
const CLEAR_TYPES = new Set([
  'timeout',
  'network_error',
  'upstream_error',
  'rate_limited',
  'integrity_error',
  'not_found',
  'unauthorized',
  'forbidden',
  'bad_request',
  'unsupported',
  'conflict',
  'invalid_argument',
]);

const idempotent = (method: string): boolean => method === 'GET' || method === 'HEAD';
const content = (path: string): boolean => /\/v2\/.+\/(manifests|blobs)\/[^/]+$/.test(path.split('?')[0] ?? '');

interface Scenario {
  name: string;
  plan: FaultPlan;
  /** transient: outcomes must match the fault-free baseline; persistent: a clear error; corrupt: never wrong data. */
  expect: 'transient' | 'persistent' | 'corrupt';
  /** Run only this many read actions (slow scenarios). */
  only?: number;
}

const pass: Fault = { kind: 'pass' };
const SCENARIOS: Scenario[] = [
  {
    name: '429 Retry-After: 1 (seconds), first hit per path',
    expect: 'transient',
    plan: (r) => (r.seen === 0 ? { kind: 'status', status: 429, headers: { 'retry-after': '1' } } : pass),
  },
  {
    name: '429 Retry-After: HTTP date, first hit per path',
    expect: 'transient',
    plan: (r) =>
      r.seen === 0 ? { kind: 'status', status: 429, headers: { 'retry-after': new Date(Date.now() + 1500).toUTCString() } } : pass,
  },
  {
    name: '503 burst (2 per path)',
    expect: 'transient',
    plan: (r) => (r.seen < 2 && idempotent(r.method) ? { kind: 'status', status: 503 } : pass),
  },
  {
    name: 'connection reset before headers, first hit',
    expect: 'transient',
    plan: (r) => (r.seen === 0 && idempotent(r.method) ? { kind: 'reset' } : pass),
  },
  {
    name: 'connection reset mid-body, first hit',
    expect: 'transient',
    plan: (r) => (r.seen === 0 && idempotent(r.method) ? { kind: 'reset-mid-body' } : pass),
  },
  {
    // DOCKERHUB_TIMEOUT bounds a read as a whole (every attempt and wait): a first attempt that
    // hangs past it ends the call with a clear timeout, not a retry that would overrun it.
    name: `headers slower than the ${TIMEOUT_S} s timeout, first hit`,
    expect: 'persistent',
    plan: (r) => (r.seen === 0 && idempotent(r.method) ? { kind: 'slow-headers', delayMs: TIMEOUT_S * 1000 + 1500 } : pass),
  },
  { name: 'persistent 503', expect: 'persistent', plan: () => ({ kind: 'status', status: 503 }) },
  { name: 'persistent reset', expect: 'persistent', plan: () => ({ kind: 'reset' }) },
  {
    name: 'persistent reset mid-body',
    expect: 'persistent',
    plan: (r) => (idempotent(r.method) ? { kind: 'reset-mid-body' } : { kind: 'reset' }),
  },
  {
    name: '429 Retry-After: 3600 (beyond the retry budget)',
    expect: 'persistent',
    plan: () => ({ kind: 'status', status: 429, headers: { 'retry-after': '3600' } }),
  },
  { name: 'persistent slow headers', expect: 'persistent', only: 2, plan: () => ({ kind: 'slow-headers', delayMs: 60_000 }) },
  {
    name: 'flipped byte in every manifest and blob',
    expect: 'corrupt',
    plan: (r) => (r.method === 'GET' && content(r.path) ? { kind: 'flip' } : pass),
  },
  {
    name: 'flipped first byte in every manifest and blob',
    expect: 'corrupt',
    plan: (r) => (r.method === 'GET' && content(r.path) ? { kind: 'flip', offset: 0 } : pass),
  },
  {
    name: 'truncated (clean, short) manifests and blobs',
    expect: 'corrupt',
    plan: (r) => (r.method === 'GET' && content(r.path) ? { kind: 'short-body' } : pass),
  },
  {
    name: 'truncated (clean, short) body on every GET',
    expect: 'corrupt',
    plan: (r) => (r.method === 'GET' ? { kind: 'short-body' } : pass),
  },
];

interface Outcome {
  label: string;
  ok: boolean;
  type?: string;
  data?: string;
  ms: number;
  result: CallResult;
}

function stableData(entry: ActionEntry, result: CallResult): string | undefined {
  // Only registry content is deterministic; Hub answers carry rate limits and times.
  if (result.isError || entry.tool.name !== 'hub_registry') return undefined;
  return JSON.stringify((result.structuredContent as { data: unknown }).data);
}

describe.skipIf(skip)('chaos between the server and its upstreams', () => {
  let reg: RegistryHandle;
  let regChaos: ChaosProxy;
  let hub: FakeHub;
  let hubChaos: ChaosProxy;
  let index: PushedIndex;

  let dockerConfig: string;
  let readEntries: ActionEntry[];
  let values: Record<string, unknown>;
  const baseline = new Map<string, Outcome>();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  const totals = { calls: 0, failures: 0, slowest: 0 };

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    reg = await startRegistry({ auth: 'token' });
    const fx = Fixtures.for(reg);
    index = await fx.pushIndex('acme/app', 'v1', ['linux/amd64', 'linux/arm64/v8']);
    await fx.pushImage('acme/single', 'v1', { platform: 'linux/amd64', config: { Env: ['A=1'] } });
    regChaos = await startChaosProxy(reg.url);
    hub = await startFakeHub({ secret: HUB_SECRET });
    for (const path of [
      '/v2/access-tokens',
      '/v2/namespaces/acme/repositories/web',
      '/v2/namespaces/acme/repositories/web/tags',
      '/v2/orgs/acme/members',
      '/v2/orgs/acme/groups',
    ]) {
      hub.route('GET', path, { json: { count: 1, next: null, results: [{ name: 'web', username: 'jo', uuid: 'u1' }] } });
    }
    hubChaos = await startChaosProxy(hub.url);
    dockerConfig = mkdtempSync(join(tmpdir(), 'chaos-cfg-'));
    writeFileSync(
      join(dockerConfig, 'config.json'),
      JSON.stringify({ auths: { [regChaos.host]: { auth: Buffer.from(`tester:${reg.users.tester!}`).toString('base64') } } }),
    );
    values = { ...plausibleValues(regChaos.host), digest: index.images[0]!.config.digest, repo: `${regChaos.host}/acme/app:v1` };
    // Every read action of every tool; the chaos proxies are their only upstreams.
    readEntries = everyAction().filter((e) => !e.action.write);
  }, 120_000);

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await regChaos?.stop();
    await hubChaos?.stop();
    await hub?.close();
    await reg?.stop();
  });

  const envFor = (): Record<string, string> => ({
    HOME: dockerConfig,
    DOCKER_CONFIG: dockerConfig,
    DOCKER_REGISTRY_URL: regChaos.url,
    DOCKERHUB_URL: hubChaos.url,
    DOCKER_SCOUT_URL: hubChaos.url,
    DOCKER_REGISTRY_AUTH_URL: `${hubChaos.url}/token`,
    DOCKER_HUB_USER: 'octo',
    DOCKER_HUB_TOKEN: HUB_SECRET,
    DOCKERHUB_TIMEOUT: String(TIMEOUT_S),
  });

  const freshApp = (): AppContext => {
    const outcome = loadConfig({ argv: [], env: { ...envFor(), LOG_LEVEL: 'silent' } });
    if (outcome.kind !== 'config') throw new Error('config');
    return createAppContext(outcome.config, silentLogger, 'chaos');
  };

  const run = async (app: AppContext, entry: ActionEntry): Promise<Outcome> => {
    const { args, valid, issues } = plausibleArgs(entry, values);
    expect(valid, `${entry.label}: ${issues}`).toBe(true);
    const started = Date.now();
    const result = await callTool(entry.tool, args, {
      ctx: { app, signal: new AbortController().signal, log: silentLogger, progress: async () => undefined },
      config: app.config,
      caps: { maxBytes: app.config.maxResultBytes, maxItems: 500 },
    });
    const ms = Date.now() - started;
    totals.calls++;
    totals.slowest = Math.max(totals.slowest, ms);
    expect(resultProblem(result), entry.label).toBeUndefined();
    const error = errorOf(result);
    return { label: entry.label, ok: !result.isError, ...(error ? { type: error.type } : {}), data: stableData(entry, result), ms, result };
  };

  it('records the fault-free outcome of every read action', { timeout: 60_000 }, async () => {
    const app = freshApp();
    try {
      for (const entry of readEntries) baseline.set(entry.label, await run(app, entry));
    } finally {
      await app.close();
    }
    const ok = [...baseline.values()].filter((o) => o.ok).map((o) => o.label);
    console.log(`chaos baseline: ${readEntries.length} read actions, ${ok.length} succeed without faults (${ok.join(', ')})`);
    // The registry reads and the Hub identity work when nothing interferes.
    for (const entry of readEntries.filter((e) => e.tool.name === 'hub_registry')) {
      expect(baseline.get(entry.label)?.ok, `${entry.label}: ${JSON.stringify(baseline.get(entry.label)?.result.structuredContent)}`).toBe(
        true,
      );
    }
    expect(baseline.get('hub_admin.whoami')?.ok).toBe(true);
  });

  for (const scenario of SCENARIOS) {
    it(
      `${scenario.name}: ${scenario.expect === 'transient' ? 'absorbed by retries' : scenario.expect === 'persistent' ? 'a clear error within the deadline' : 'detected, never returned as data'}`,
      { timeout: 60_000 },
      async () => {
        const app = freshApp();
        const before = { reg: regChaos.stats(), hub: hubChaos.stats() };
        regChaos.resetSeen();
        hubChaos.resetSeen();
        regChaos.setPlan(scenario.plan);
        hubChaos.setPlan(scenario.plan);
        const problems: string[] = [];
        let outcomes: Outcome[];
        try {
          const entries = scenario.only
            ? readEntries
                .filter((e) => baseline.get(e.label)?.ok && e.tool.name === 'hub_registry')
                .slice(0, 1)
                .concat(readEntries.filter((e) => e.label === 'hub_admin.whoami'))
            : readEntries;
          if (scenario.expect === 'corrupt') {
            // One at a time, so a fault can be tied to the action that met it.
            outcomes = [];
            for (const entry of entries) {
              const faultsBefore = regChaos.stats().faultsTotal + hubChaos.stats().faultsTotal;
              const outcome = await run(app, entry);
              outcomes.push(outcome);
              const met = regChaos.stats().faultsTotal + hubChaos.stats().faultsTotal - faultsBefore;
              const base = baseline.get(entry.label)!;
              if (outcome.ok && met > 0 && outcome.data !== undefined && outcome.data !== base.data) {
                problems.push(`${entry.label} returned altered data after ${met} corrupted response(s): ${outcome.data.slice(0, 300)}`);
              }
            }
          } else {
            outcomes = await Promise.all(entries.map((entry) => run(app, entry)));
          }
        } finally {
          regChaos.setPlan(undefined);
          hubChaos.setPlan(undefined);
          await app.close();
        }
        for (const o of outcomes) {
          const base = baseline.get(o.label)!;
          if (!o.ok && (!o.type || !CLEAR_TYPES.has(o.type)))
            problems.push(`${o.label}: unclear error ${JSON.stringify(o.result.structuredContent).slice(0, 300)}`);
          if (o.ms > DEADLINE_MS) problems.push(`${o.label}: took ${o.ms} ms (deadline ${DEADLINE_MS})`);
          if (scenario.expect === 'transient' && base.ok && !o.ok)
            problems.push(`${o.label}: failed through a transient fault: ${JSON.stringify(o.result.structuredContent).slice(0, 300)}`);
          if (scenario.expect === 'transient' && o.ok && o.data !== base.data)
            problems.push(`${o.label}: data differs from the fault-free run`);
          if (scenario.expect === 'persistent' && o.ok && base.ok && o.data !== undefined && o.data !== base.data)
            problems.push(`${o.label}: data differs under a persistent fault`);
        }
        const after = { reg: regChaos.stats(), hub: hubChaos.stats() };
        const requests = after.reg.requests - before.reg.requests + after.hub.requests - before.hub.requests;
        const faults = after.reg.faultsTotal - before.reg.faultsTotal + after.hub.faultsTotal - before.hub.faultsTotal;
        const errors = outcomes.filter((o) => !o.ok);
        const types = [...new Set(errors.map((o) => o.type))].join(', ');
        totals.failures += problems.length;
        console.log(
          `chaos [${scenario.name}]: ${outcomes.length} calls, ${requests} requests, ${faults} faults injected, ${outcomes.length - errors.length} ok, ${errors.length} isError (${types}), ` +
            `slowest ${Math.max(...outcomes.map((o) => o.ms))} ms, failures ${problems.length}`,
        );
        expect(faults).toBeGreaterThan(0);
        if (scenario.expect === 'corrupt' && scenario.name.startsWith('flipped')) {
          expect(errors.filter((o) => o.type === 'integrity_error').length).toBeGreaterThan(0);
        }
        expect(problems).toEqual([]);
      },
    );
  }

  it('keeps serving in-process after the chaos, with no unhandled rejection', async () => {
    const app = freshApp();
    try {
      for (const entry of readEntries.filter((e) => baseline.get(e.label)?.ok)) {
        const outcome = await run(app, entry);
        expect(outcome.ok, entry.label).toBe(true);
        expect(outcome.data).toBe(baseline.get(entry.label)!.data);
      }
    } finally {
      await app.close();
    }
    const reg = regChaos.stats();
    const hubStats = hubChaos.stats();
    console.log(
      `chaos totals: ${totals.calls} calls, ${reg.requests + hubStats.requests} proxied requests, ${reg.faultsTotal + hubStats.faultsTotal} faults injected ` +
        `(${JSON.stringify({ registry: reg.faults, hub: hubStats.faults })}), slowest call ${totals.slowest} ms, failures ${totals.failures}, unhandled rejections ${unhandled.length}`,
    );
    expect(unhandled).toEqual([]);
  });

  describe('the built server as a process', () => {
    let session: StdioSession;
    beforeAll(async () => {
      session = await connectStdio({ command: process.execPath, args: [ENTRY], env: minimalEnv({ ...envFor(), LOG_LEVEL: 'warn' }) });
    });
    afterAll(async () => {
      await session?.close();
    });

    const call = async (args: Record<string, unknown>, name = 'hub_registry'): Promise<CallResult> => {
      const result = (await session.client.callTool({ name, arguments: args })) as CallResult;
      expect(resultProblem(result)).toBeUndefined();
      return result;
    };

    it('absorbs transient faults, refuses corrupt content, and keeps serving', { timeout: 60_000 }, async () => {
      const repo = `${regChaos.host}/acme/app`;
      const image = index.images[0]!;
      const before = regChaos.stats();
      // Corrupt content first, while nothing is cached yet.
      const steps: [string, FaultPlan, Record<string, unknown>, (r: CallResult) => void][] = [
        [
          'flipped manifest',
          (r) => (r.method === 'GET' && content(r.path) ? { kind: 'flip' } : pass),
          { action: 'get_manifest', repo: `${repo}@${image.digest}` },
          (r) => expect(errorOf(r)?.type).toBe('integrity_error'),
        ],
        [
          'flipped blob',
          (r) => (r.method === 'GET' && content(r.path) ? { kind: 'flip', offset: 0 } : pass),
          { action: 'get_blob', repo, digest: image.config.digest },
          (r) => expect(errorOf(r)?.type).toBe('integrity_error'),
        ],
        [
          'reset mid-body of a streamed blob',
          (r) => (r.seen === 0 && r.method === 'GET' && content(r.path) ? { kind: 'reset-mid-body' } : pass),
          { action: 'get_blob', repo, digest: (image.json.layers as { digest: string }[])[0]!.digest },
          (r) => expect(r.isError ? errorOf(r)?.type : 'ok').toMatch(/^(ok|network_error)$/),
        ],
        [
          '503 burst',
          (r) => (r.seen < 2 ? { kind: 'status', status: 503 } : pass),
          { action: 'resolve_digest', repo: `${repo}:v1` },
          (r) => expect(r.isError).toBeFalsy(),
        ],
        [
          '429 date',
          (r) =>
            r.seen === 0 ? { kind: 'status', status: 429, headers: { 'retry-after': new Date(Date.now() + 1000).toUTCString() } } : pass,
          { action: 'list_tags', repo },
          (r) => expect(r.isError).toBeFalsy(),
        ],
        [
          'reset mid-body',
          (r) => (r.seen === 0 && r.method === 'GET' ? { kind: 'reset-mid-body' } : pass),
          { action: 'inspect', repo: `${repo}:v1` },
          (r) => expect(r.isError).toBeFalsy(),
        ],
        [
          'slow headers',
          (r) => (r.seen === 0 ? { kind: 'slow-headers', delayMs: TIMEOUT_S * 1000 + 1000 } : pass),
          { action: 'get_config', repo: `acme/single:v1` },
          // The whole read is bounded by DOCKERHUB_TIMEOUT: a hung first attempt is a timeout.
          (r) => expect(r.isError ? errorOf(r)?.type : 'ok').toMatch(/^(ok|timeout)$/),
        ],
        [
          'persistent reset',
          () => ({ kind: 'reset' }),
          { action: 'check_blob', repo, digest: image.config.digest },
          (r) => expect(errorOf(r)?.type).toBe('network_error'),
        ],
      ];
      const failed: string[] = [];
      for (const [name, plan, args, check] of steps) {
        regChaos.resetSeen();
        regChaos.setPlan(plan);
        try {
          const result = await call(args);
          check(result);
        } catch (error) {
          failed.push(`${name}: ${String(error)}`);
        } finally {
          regChaos.setPlan(undefined);
        }
      }
      const normal = await call({ action: 'inspect', repo: `${repo}:v1`, include_config: true });
      expect(normal.isError).toBeFalsy();
      expect(await call({ action: 'whoami' }, 'hub_admin')).toMatchObject({ structuredContent: { data: { authenticated: true } } });
      const pid = (session.client.transport as StdioClientTransport | undefined)?.pid ?? null;
      expect(pid).not.toBeNull();
      expect(() => process.kill(pid!, 0)).not.toThrow();
      const after = regChaos.stats();
      const stderr = session.stderr();
      console.log(
        `chaos as a process: ${steps.length + 2} calls, ${failed.length} failures, ${after.requests - before.requests} requests, ${after.faultsTotal - before.faultsTotal} faults injected, server alive, ${stderr.split('\n').filter(Boolean).length} stderr lines`,
      );
      expect(stderr).not.toMatch(/unhandled|uncaught/i);
      expect(failed).toEqual([]);
    });
  });
});
