// Deep and odd JSON shapes, both ways: as tool arguments for every action of every tool (a
// 100,000-deep array or object, null, empty containers, a 1 MB string, 100,000 items, 20,000 keys,
// in every parameter slot and as an extra key), and as Hub's answers to every Hub action (arrays
// where objects are expected, null, scalars, 100,000-deep nesting, a 1 MB string, 100,000 items,
// odd `next` links, odd error bodies). Every call must resolve to a valid MCP result, never an
// internal_error (that would be a bug), and the process must not crash.
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createAppContext, type AppContext } from '../../src/context.js';
import { silentLogger } from '../../src/log.js';
import { DEFAULT_CAPS } from '../../src/tools/caps.js';
import { callTool, type CallResult } from '../../src/tools/framework.js';
import { everyAction, plausibleArgs, plausibleValues, resultProblem, type ActionEntry } from '../helpers/hostile/actions.js';
import { fakeJwt } from '../helpers/unit/jwt.js';

const HUB = 'https://hub.shapes.test';
const REGISTRY = 'registry.shapes.test';
// The configured DOCKERHUB_MAX_RESULT_BYTES is the default, DEFAULT_CAPS.maxBytes.
const HUB_TOOLS = new Set(['hub_auth', 'hub_repos', 'hub_org', 'hub_teams', 'hub_audit', 'hub_scim', 'hub_admin']);

function deepArrayText(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}
function deepObjectText(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}
function deepArray(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}
function deepObject(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}
const manyKeys = (n: number): Record<string, number> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

function app(env: Record<string, string>): AppContext {
  const outcome = loadConfig({
    argv: [],
    env: {
      HOME: '/home/shapes',
      DOCKER_CONFIG: '/nonexistent/shapes',
      DOCKERHUB_URL: HUB,
      DOCKER_REGISTRY_URL: `https://${REGISTRY}`,
      DOCKER_SCOUT_URL: 'https://scout.shapes.test',
      DOCKER_HUB_USER: 'shaper',
      DOCKER_HUB_TOKEN: 'shapes-hub-secret-0001',
      DOCKERHUB_SCIM_TOKEN: 'shapes-scim-secret-0001',
      DOCKERHUB_ALLOW_DESTRUCTIVE: 'true',
      DOCKERHUB_TIMEOUT: '5',
      ...env,
    },
  });
  if (outcome.kind !== 'config') throw new Error('config');
  return createAppContext(outcome.config, silentLogger, 'shapes', {
    fetch: (u, i) => globalThis.fetch(u, i),
    close: async () => undefined,
  });
}

async function run(ctx: AppContext, entry: ActionEntry, args: unknown): Promise<CallResult> {
  return callTool(entry.tool, args, {
    ctx: { app: ctx, signal: new AbortController().signal, log: silentLogger, progress: async () => undefined },
    config: ctx.config,
    caps: { maxBytes: ctx.config.maxResultBytes, maxItems: DEFAULT_CAPS.maxItems },
  });
}

/** Why a result is not acceptable here, or undefined. */
function problemOf(result: CallResult): string | undefined {
  const shape = resultProblem(result);
  if (shape) return shape;
  const error = (result.structuredContent as { error?: { type?: string; message?: string } }).error;
  if (result.isError && error?.type === 'internal_error') return `internal_error: ${String(error.message).slice(0, 200)}`;
  // The text block and structuredContent each stay within the byte cap.
  const text = Buffer.byteLength(result.content[0]!.text);
  if (text > DEFAULT_CAPS.maxBytes) return `a text block of ${text} bytes`;
  const structured = Buffer.byteLength(JSON.stringify(result.structuredContent));
  if (structured > DEFAULT_CAPS.maxBytes) return `structuredContent of ${structured} bytes`;
  return undefined;
}

const server = setupServer();
const jwt = fakeJwt({ sub: 'u-shapes', exp: Math.floor(Date.now() / 1000) + 3600, 'https://hub.docker.com': { username: 'shaper' } });
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe('odd shapes as tool arguments, for every action of every tool', () => {
  // Built once and shared: a call never changes its arguments.
  const shapes: [string, unknown][] = [
    ['array 100,000 deep', deepArray(100_000)],
    ['object 100,000 deep', deepObject(100_000)],
    ['null', null],
    ['[]', []],
    ['{}', {}],
    ['1 MB string', 'a'.repeat(1_000_000)],
    ['100,000 items', Array.from({ length: 100_000 }, (_, i) => i)],
    ['20,000 keys', manyKeys(20_000)],
    ['[null]', [null]],
    ['{"__proto__": …}', JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {}}}') as unknown],
  ];

  it('never answers internal_error and never throws', { timeout: 120_000 }, async () => {
    // Any upstream request a call still makes gets a plain 404.
    server.use(http.all('*', () => HttpResponse.json({ detail: 'not here' }, { status: 404 })));
    const ctx = app({});
    const entries = everyAction();
    const values = plausibleValues(REGISTRY);
    const failures: string[] = [];
    let calls = 0;
    try {
      for (const entry of entries) {
        const base = plausibleArgs(entry, values).args;
        const slots = [...Object.keys(entry.action.shape), 'unexpected_extra', 'action'];
        for (const [name, shape] of shapes) {
          for (const slot of slots) {
            calls++;
            const args = { ...base, [slot]: shape };
            try {
              const problem = problemOf(await run(ctx, entry, args));
              if (problem) failures.push(`${entry.label} ${slot}=${name}: ${problem}`);
            } catch (error) {
              failures.push(`${entry.label} ${slot}=${name}: threw ${String(error).slice(0, 200)}`);
            }
          }
        }
        // The whole argument object odd.
        for (const [name, shape] of shapes) {
          calls++;
          try {
            const problem = problemOf(await run(ctx, entry, shape));
            if (problem) failures.push(`${entry.label} arguments=${name}: ${problem}`);
          } catch (error) {
            failures.push(`${entry.label} arguments=${name}: threw ${String(error).slice(0, 200)}`);
          }
        }
      }
    } finally {
      server.resetHandlers();
      await ctx.close();
    }
    console.log(`odd argument shapes: ${calls} calls over ${entries.length} actions, failures ${failures.length}`);
    expect(failures.slice(0, 20)).toEqual([]);
  });
});

describe("odd shapes as Hub's answers, for every Hub action", () => {
  const huge = 'h'.repeat(1_000_000);
  const answers: [string, number, () => Response][] = [
    ['[]', 200, () => HttpResponse.json([])],
    ['[{}]', 200, () => HttpResponse.json([{}])],
    ['[[]]', 200, () => HttpResponse.json([[]])],
    ['null', 200, () => HttpResponse.json(null)],
    ['a number', 200, () => HttpResponse.json(42)],
    ['a JSON string', 200, () => HttpResponse.json('just a string')],
    ['true', 200, () => HttpResponse.json(true)],
    ['a 1 MB JSON string', 200, () => HttpResponse.json(huge)],
    ['results: {}', 200, () => HttpResponse.json({ count: 1, next: null, results: {} })],
    ['results: null', 200, () => HttpResponse.json({ count: 1, next: null, results: null, Resources: null, logs: null, data: null })],
    ['results of odd items', 200, () => HttpResponse.json({ count: 4, next: null, results: [null, 1, 'x', [], {}] })],
    ['next is an object', 200, () => HttpResponse.json({ count: 9, next: { page: 2 }, results: [{ name: 'a' }] })],
    ['next is not a URL', 200, () => HttpResponse.json({ count: 9, next: 'http://[bad/?page=2', results: [{ name: 'a' }] })],
    ['count and totals are strings', 200, () => HttpResponse.json({ count: 'many', total: 'lots', totalResults: 'all', results: [{}] })],
    ['token fields of odd types', 200, () => HttpResponse.json({ token: {}, access_token: [], login_2fa_token: 5, uuid: null })],
    ['100,000 items', 200, () => HttpResponse.json({ count: 100_000, next: null, results: Array.from({ length: 100_000 }, (_, i) => i) })],
    ['20,000 keys', 200, () => HttpResponse.json(manyKeys(20_000))],
    ['array 100,000 deep', 200, () => new HttpResponse(deepArrayText(100_000), { headers: { 'content-type': 'application/json' } })],
    ['object 100,000 deep', 200, () => new HttpResponse(deepObjectText(100_000), { headers: { 'content-type': 'application/json' } })],
    [
      'results 100,000 deep',
      200,
      () =>
        new HttpResponse(`{"count":1,"next":null,"results":[${deepObjectText(100_000)}]}`, {
          headers: { 'content-type': 'application/json' },
        }),
    ],
    ['not JSON at all', 200, () => new HttpResponse('{"results": [1, 2', { headers: { 'content-type': 'application/json' } })],
    ['400 with detail an object', 400, () => HttpResponse.json({ detail: { nested: true }, errors: 'no' }, { status: 400 })],
    ['400 with errors of odd items', 400, () => HttpResponse.json({ errors: [null, 1, { message: {} }, { code: 5 }] }, { status: 400 })],
    ['400 with a 1 MB detail', 400, () => HttpResponse.json({ detail: huge }, { status: 400 })],
    // A 5xx would be retried with real backoff delays; the error path is the same as a 409's.
    [
      '409 with a deep body',
      409,
      () => new HttpResponse(deepArrayText(100_000), { status: 409, headers: { 'content-type': 'application/json' } }),
    ],
    ['401 with a 1 MB string', 401, () => HttpResponse.json(huge, { status: 401 })],
  ];

  it('never answers internal_error and never throws', { timeout: 300_000 }, async () => {
    const ctx = app({});
    const entries = everyAction().filter((e) => HUB_TOOLS.has(e.tool.name));
    const values = plausibleValues(REGISTRY);
    const failures: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    let calls = 0;
    const timings: [string, number][] = [];
    try {
      for (const [name, status, respond] of answers) {
        const started = Date.now();
        let current = '';
        server.resetHandlers(
          http.all(`${HUB}/*`, ({ request }) => {
            // The Hub JWT mint stays sane (its own hostility is the token manager's suite), except
            // for the actions that are the token request.
            if (new URL(request.url).pathname === '/v2/auth/token' && current !== 'hub_auth.create_token') {
              return HttpResponse.json({ access_token: jwt });
            }
            return respond();
          }),
        );
        for (const entry of entries) {
          current = entry.label;
          const { args } = plausibleArgs(entry, values);
          const variants: Record<string, unknown>[] = [args];
          if ('all_pages' in entry.action.shape) variants.push({ ...args, all_pages: true });
          if ('dry_run' in entry.action.shape) variants.push({ ...args, dry_run: true });
          for (const variant of variants) {
            calls++;
            try {
              const problem = problemOf(await run(ctx, entry, variant));
              if (problem) failures.push(`${entry.label} ${JSON.stringify(variant).slice(0, 80)} ← ${name} (${status}): ${problem}`);
            } catch (error) {
              failures.push(`${entry.label} ← ${name}: threw ${String(error).slice(0, 200)}`);
            }
          }
        }
        timings.push([name, Date.now() - started]);
      }
    } finally {
      process.off('unhandledRejection', onUnhandled);
      server.resetHandlers();
      await ctx.close();
    }
    console.log(
      `odd Hub answers: ${calls} calls over ${entries.length} Hub actions × ${answers.length} answers, failures ${failures.length}; ms per answer: ${timings.map(([n, ms]) => `${n} ${ms}`).join(', ')}`,
    );
    expect(unhandled).toEqual([]);
    expect(failures.slice(0, 20)).toEqual([]);
  });
});
