// Fuzzing every tool and action with fast-check: thousands of random argument sets (wrong types,
// huge strings, unicode, path tricks, injected CR/LF, prototype keys) through callTool in-process,
// with a fetcher that records every outgoing URL and answers canned 404 / 200 (no network). Every
// call must resolve to a valid MCP result, never an internal error, and never reach a host other
// than the configured upstreams and hosts the arguments name. A smaller run goes over the real MCP
// protocol to a spawned server.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { createAppContext, type AppContext } from '../../src/context.js';
import type { PooledFetcher } from '../../src/http/fetch.js';
import { silentLogger } from '../../src/log.js';
import { DOCKER_HUB_HOSTS } from '../../src/registry/reference.js';
import { callTool, type CallResult, type ToolSpec } from '../../src/tools/framework.js';
import { everyAction, plausibleArgs, plausibleValues, resultProblem, type ActionEntry } from '../helpers/hostile/actions.js';
import { startEchoUpstream, type EchoUpstream } from '../helpers/hostile/echo-upstream.js';
import { fakeJwt } from '../helpers/unit/jwt.js';
import { connectStdio, minimalEnv, type StdioSession } from '../helpers/mcp-session.js';
import { ENTRY } from '../helpers/spawn-server.js';

// CI replays a fixed seed so a run is reproducible; FUZZ_SEED=random explores new cases (the seed
// used is printed, so a failure found that way can be replayed).
const FUZZ_SEED = process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 20261122);
console.log(`fuzz seed: ${FUZZ_SEED}`);
const IN_PROCESS_RUNS = 2000;
const PROTOCOL_RUNS = 150;

const UPSTREAMS = {
  DOCKERHUB_URL: 'https://hub.fuzz.test',
  DOCKER_REGISTRY_URL: 'https://registry.fuzz.test',
  DOCKER_REGISTRY_AUTH_URL: 'https://auth.fuzz.test/token',
  DOCKER_SCOUT_URL: 'https://scout.fuzz.test',
};
const CONFIGURED_HOSTS = Object.values(UPSTREAMS).map((url) => new URL(url).host);

// ---------------------------------------------------------------------------------------------
// Hostile values

const PATH_TRICKS = [
  '../../etc/passwd',
  '..',
  '.',
  'a/../../b',
  '..%2f..%2fetc',
  '%2e%2e/%2e%2e',
  'acme%2fapp',
  'acme/app%00',
  '/v2/../../admin',
  '//evil.example/x',
  'https://evil.example/x',
  'http://169.254.169.254/latest/meta-data',
  'evil.example/acme/app:v1',
  'evil.example:8443/acme/app',
  '127.0.0.1:1/acme/app',
  '[::1]:5000/acme/app',
  'localhost/acme/app',
  'docker.io/library/nginx',
  'index.docker.io/acme/app',
  'acme/app@evil.example',
  `acme/app@sha256:${'0'.repeat(64)}`,
  `evil.example/acme/app@sha256:${'f'.repeat(64)}`,
  'user:pass@evil.example/x',
  'acme/app?x=1#frag',
  'acme\\app',
  'acme/app\r\nHost: evil.example',
  'v1\r\nX-Injected: 1',
  'x\nHost: evil.example\n\n',
  '\r\n\r\nGET / HTTP/1.1',
  '\u0000',
  '\u202eevil',
  'ＡＣＭＥ/ａｐｐ',
  'ac\u0301me',
  '🐳/🐋',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '${jndi:ldap://evil.example/a}',
  '{{7*7}}',
  "'; DROP TABLE repos; --",
  '<script>alert(1)</script>',
  'sha256:',
  'sha256:xyz',
  '-rf',
  ' ',
  '',
];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

const hugeString = fc
  .tuple(fc.constantFrom('a', 'A/', '../', '%2f', 'é', '🐳', '\r\n'), fc.integer({ min: 1_000, max: 70_000 }))
  .map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)));
const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PATH_TRICKS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...PATH_TRICKS), fc.string({ maxLength: 10 }), fc.constantFrom(...PATH_TRICKS))
      .map(([a, b, c]) => `${a}${b}${c}`),
  },
  { weight: 1, arbitrary: hugeString },
);
const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, 0.5, NaN, Infinity, -Infinity) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined) },
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 6 }) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 8 })), scalar), { maxLength: 4 })
      .map((entries) => Object.fromEntries(entries)),
  },
);

function keyArb(entries: ActionEntry[]): fc.Arbitrary<string> {
  const names = [...new Set(entries.flatMap((e) => Object.keys(e.action.shape)))];
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...names) },
    { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
}

type Gate = 'open' | 'closed' | 'read-only';
interface FuzzCase {
  gate: Gate;
  tool: string;
  args: unknown;
}

function caseArb(entries: ActionEntry[], values: Record<string, unknown>): fc.Arbitrary<FuzzCase> {
  const gate = fc.constantFrom<Gate>('open', 'open', 'closed', 'read-only');
  const toolNames = [...new Set(entries.map((e) => e.tool.name))];
  const anyKey = keyArb(entries);
  // Plausible arguments with one to three fields replaced (mostly the action's own parameters,
  // mostly with hostile strings, so calls get past type checks into handlers), dropped or added.
  const mutated = fc
    .tuple(gate, fc.constantFrom(...entries))
    .chain(([g, entry]) => {
      const own = Object.keys(entry.action.shape);
      const key = fc.oneof(
        { weight: 16, arbitrary: own.length > 0 ? fc.constantFrom(...own) : anyKey },
        { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) },
        { weight: 1, arbitrary: fc.constantFrom('action') },
        { weight: 1, arbitrary: anyKey },
      );
      const value = fc.oneof(
        { weight: 6, arbitrary: hostileString },
        { weight: 3, arbitrary: hostileValue },
        { weight: 1, arbitrary: fc.constant(undefined) },
      );
      return fc.record({
        g: fc.constant(g),
        entry: fc.constant(entry),
        edits: fc.array(fc.tuple(key, value), { minLength: 0, maxLength: 3 }),
        dryRun: fc.option(fc.oneof(fc.boolean(), scalar), { nil: undefined, freq: 2 }),
      });
    })
    .map(({ g, entry, edits, dryRun }) => {
      const base = Object.entries(plausibleArgs(entry, values, { withOptional: true }).args);
      for (const [key, value] of edits) {
        const at = base.findIndex(([k]) => k === key);
        if (at >= 0 && value === undefined) base.splice(at, 1);
        else if (at >= 0) base[at] = [key, value];
        else base.push([key, value]);
      }
      if (dryRun !== undefined) base.push(['dry_run', dryRun]);
      return { gate: g, tool: entry.tool.name, args: Object.fromEntries(base) };
    });
  // Anything at all: a random action name and random fields.
  const random = fc
    .tuple(gate, fc.constantFrom(...toolNames))
    .chain(([g, tool]) =>
      fc.record({
        g: fc.constant(g),
        tool: fc.constant(tool),
        action: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...entries.filter((e) => e.tool.name === tool).map((e) => e.name)) },
          { weight: 1, arbitrary: fc.constantFrom(...new Set(entries.map((e) => e.name))) },
          { weight: 1, arbitrary: hostileValue },
          { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) },
        ),
        fields: fc.array(fc.tuple(anyKey, hostileValue), { maxLength: 6 }),
      }),
    )
    .map(({ g, tool, action, fields }) => ({ gate: g, tool, args: Object.fromEntries([['action', action], ...fields]) }));
  // Not an object at all.
  const shapeless = fc.record({
    gate,
    tool: fc.constantFrom(...toolNames),
    args: fc.oneof(fc.constant(null), fc.constant(undefined), scalar, fc.array(scalar, { maxLength: 3 })),
  });
  return fc.oneof({ weight: 8, arbitrary: mutated }, { weight: 2, arbitrary: random }, { weight: 1, arbitrary: shapeless });
}

// ---------------------------------------------------------------------------------------------
// Allowed hosts

function normalisedHosts(candidate: string): string[] {
  const out: string[] = [];
  for (const scheme of ['http', 'https']) {
    try {
      out.push(new URL(`${scheme}://${candidate}`).host.toLowerCase());
    } catch {
      // not a host
    }
  }
  return out;
}

/** Hosts a call may reach: the configured upstreams, plus any host its arguments name. */
function allowedHosts(args: unknown): Set<string> {
  const allowed = new Set(CONFIGURED_HOSTS);
  const strings: string[] = [];
  const walk = (value: unknown, depth: number): void => {
    if (typeof value === 'string') strings.push(value);
    else if (depth < 3 && value !== null && typeof value === 'object') for (const item of Object.values(value)) walk(item, depth + 1);
  };
  walk(args, 0);
  for (const s of strings) {
    const trimmed = s.trim();
    for (const candidate of [trimmed, trimmed.split('/')[0] ?? '', trimmed.split('@')[0]?.split('/')[0] ?? '']) {
      for (const host of normalisedHosts(candidate)) {
        allowed.add(host);
        if (DOCKER_HUB_HOSTS.has(host.replace(/:\d+$/, ''))) allowed.add('registry-1.docker.io');
      }
    }
  }
  return allowed;
}

// ---------------------------------------------------------------------------------------------
// In-process

interface Recorded {
  url: string;
  method: string;
}

function recordingFetcher(log: Recorded[]): PooledFetcher {
  let turn = 0;
  const jwt = fakeJwt({ sub: 'u-fuzz', exp: Math.floor(Date.now() / 1000) + 3600, 'https://hub.docker.com': { username: 'fuzzer' } });
  return {
    fetch: async (url, init) => {
      log.push({ url, method: init.method ?? 'GET' });
      const path = new URL(url).pathname;
      const json = (status: number, body: unknown): Response =>
        new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
      if (path === '/v2/auth/token' || path === '/token') return json(200, { access_token: jwt, token: jwt, expires_in: 300 });
      return turn++ % 2 === 0
        ? json(404, { errors: [{ code: 'NOT_FOUND', message: 'canned' }], detail: 'canned' })
        : json(200, { count: 0, next: null, results: [], tags: [], repositories: [], manifests: [], data: null });
    },
    close: async () => undefined,
  };
}

function configFor(gate: Gate, dir: string): Config {
  const outcome = loadConfig({
    argv: [],
    env: {
      HOME: dir,
      DOCKER_CONFIG: dir,
      ...UPSTREAMS,
      DOCKER_HUB_USER: 'fuzzer',
      DOCKER_HUB_TOKEN: 'fuzz-hub-secret-0001',
      DOCKERHUB_SCIM_TOKEN: 'fuzz-scim-secret-0001',
      DOCKERHUB_TIMEOUT: '2',
      LOG_LEVEL: 'silent',
      ...(gate === 'open' ? { DOCKERHUB_ALLOW_DESTRUCTIVE: 'true' } : {}),
      ...(gate === 'read-only' ? { DOCKERHUB_READ_ONLY: 'true' } : {}),
    },
  });
  if (outcome.kind !== 'config') throw new Error('config');
  return outcome.config;
}

describe('fuzzing every tool and action in-process', () => {
  it(`answers ${IN_PROCESS_RUNS} random argument sets with valid results and no foreign hosts`, { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
    const log: Recorded[] = [];
    const fetcher = recordingFetcher(log);
    const apps = new Map<Gate, AppContext>(
      (['open', 'closed', 'read-only'] as Gate[]).map((gate) => [
        gate,
        createAppContext(configFor(gate, dir), silentLogger, 'fuzz', fetcher),
      ]),
    );
    const entries = everyAction();
    const tools = new Map<string, ToolSpec<AppContext>>(entries.map((e) => [e.tool.name, e.tool]));
    const values = plausibleValues('registry.fuzz.test');

    const stats = { calls: 0, requests: 0, errors: 0, ok: 0, byType: {} as Record<string, number> };
    const failures: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      await fc.assert(
        fc.asyncProperty(caseArb(entries, values), async ({ gate, tool, args }) => {
          const app = apps.get(gate)!;
          const spec = tools.get(tool)!;
          log.length = 0;
          stats.calls++;
          let result: CallResult;
          const show = (): string =>
            `${gate} ${tool} ${JSON.stringify(args, (_k, v: unknown) => (typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…(${v.length})` : v))}`.slice(
              0,
              1200,
            );
          try {
            result = await callTool(spec, args, {
              ctx: { app, signal: new AbortController().signal, log: silentLogger, progress: async () => undefined },
              config: app.config,
              caps: { maxBytes: app.config.maxResultBytes, maxItems: 500 },
            });
          } catch (error) {
            failures.push(`threw ${String(error)}: ${show()}`);
            return;
          }
          stats.requests += log.length;
          const problem = resultProblem(result);
          if (problem) failures.push(`${problem}: ${show()}`);
          if (result.isError) {
            stats.errors++;
            const type = (result.structuredContent as { error?: { type?: string } }).error?.type ?? '?';
            stats.byType[type] = (stats.byType[type] ?? 0) + 1;
            if (type === 'internal_error')
              failures.push(`internal_error ${JSON.stringify(result.structuredContent).slice(0, 300)}: ${show()}`);
          } else stats.ok++;
          const allowed = allowedHosts(args);
          for (const request of log) {
            const host = new URL(request.url).host.toLowerCase();
            if (!allowed.has(host))
              failures.push(`request to ${host} (${request.method} ${request.url.slice(0, 200)}) not allowed: ${show()}`);
          }
        }),
        { numRuns: IN_PROCESS_RUNS, seed: FUZZ_SEED, endOnFailure: true },
      );
    } finally {
      process.off('unhandledRejection', onUnhandled);
      for (const app of apps.values()) await app.close();
    }
    console.log(
      `fuzz in-process: ${stats.calls} calls over ${entries.length} actions of ${tools.size} tools, ${stats.requests} upstream requests recorded, ` +
        `${stats.ok} ok, ${stats.errors} isError (${Object.entries(stats.byType)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}), failures ${failures.length}, unhandled rejections ${unhandled.length}`,
    );
    expect(unhandled).toEqual([]);
    expect(failures.slice(0, 10)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Over the MCP protocol

describe('fuzzing over the MCP protocol (spawned server, SDK client)', () => {
  let upstream: EchoUpstream;
  let session: StdioSession;

  beforeAll(async () => {
    upstream = await startEchoUpstream({
      mode: 'canned',
      hubJwt: fakeJwt({ sub: 'u', exp: Math.floor(Date.now() / 1000) + 3600 }),
      registryToken: 'reg-token-fuzz',
    });
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-stdio-'));
    session = await connectStdio({
      command: process.execPath,
      args: [ENTRY],
      env: minimalEnv({
        HOME: dir,
        DOCKER_CONFIG: dir,
        DOCKERHUB_URL: upstream.url,
        DOCKER_REGISTRY_URL: upstream.url,
        DOCKER_REGISTRY_AUTH_URL: `${upstream.url}/token`,
        DOCKER_SCOUT_URL: upstream.url,
        DOCKER_HUB_USER: 'fuzzer',
        DOCKER_HUB_TOKEN: 'fuzz-hub-secret-0002',
        DOCKERHUB_ALLOW_DESTRUCTIVE: 'true',
        DOCKERHUB_TIMEOUT: '2',
        LOG_LEVEL: 'warn',
      }),
    });
  });
  afterAll(async () => {
    await session?.close();
    await upstream?.close();
  });

  it(`answers ${PROTOCOL_RUNS} random calls with valid MCP results and keeps running`, { timeout: 60_000 }, async () => {
    const listed = await session.client.listTools();
    const names = listed.tools.map((t) => t.name);
    // The spawned server's actions, enumerated from its own tools/list.
    const entries = everyAction().filter((e) => names.includes(e.tool.name));
    const values = plausibleValues(upstream.host);
    const cases = fc.sample(caseArb(entries, values), { numRuns: PROTOCOL_RUNS, seed: 42 });
    const stats = { calls: 0, errors: 0, protocolErrors: 0, failures: [] as string[] };
    const pid = (session.client.transport as StdioClientTransport | undefined)?.pid ?? null;
    const queue = [...cases];
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        // JSON carries no undefined / NaN / -0: send what a real client could send.
        const json = JSON.parse(JSON.stringify(c.args ?? null) ?? 'null') as unknown;
        const args =
          json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : { action: json };
        stats.calls++;
        try {
          const result = await session.client.callTool({ name: c.tool, arguments: args });
          const problem = resultProblem(result);
          if (problem) stats.failures.push(`${problem}: ${c.tool} ${JSON.stringify(args).slice(0, 300)}`);
          if (result.isError) stats.errors++;
        } catch (error) {
          // A JSON-RPC error is a valid MCP answer only for protocol-level problems.
          stats.protocolErrors++;
          stats.failures.push(`protocol error ${String(error).slice(0, 200)}: ${c.tool} ${JSON.stringify(args).slice(0, 300)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const after = await session.client.callTool({ name: 'hub_admin', arguments: { action: 'rate_limit' } });
    console.log(
      `fuzz over MCP: ${stats.calls} calls, ${stats.errors} isError, ${stats.protocolErrors} protocol errors, ${upstream.requests.length} upstream requests, failures ${stats.failures.length}`,
    );
    expect(stats.failures.slice(0, 10)).toEqual([]);
    expect(after.isError).toBeFalsy();
    expect(pid).not.toBeNull();
    expect(() => process.kill(pid!, 0)).not.toThrow();
  });
});
