// Bounds on tool arguments: a value nested a million deep or carrying 50,000 keys gets a short
// invalid_argument naming the limit (never an internal_error, never a megabyte of error text),
// in-process and through the MCP SDK's own request handling; and a failed call logs its debug
// line like a successful one.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { allTools } from '../../../src/tools/catalog.js';
import { callTool } from '../../../src/tools/framework.js';
import type { AppContext } from '../../../src/context.js';
import { ARGUMENT_JSON_BOUNDS } from '../../../src/util/json-bounds.js';
import { call, hubApp, useHub } from '../../helpers/unit/hub-harness.js';

/** [[[…'x'…]]] `depth` levels deep, built without recursion. */
function deepArray(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function deepObject(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

const errorOf = (result: { structuredContent: Record<string, unknown>; isError?: boolean }) => {
  expect(result.isError).toBe(true);
  return (result.structuredContent as { error: { type: string; message: string } }).error;
};

describe('argument nesting and key count are bounded before validation', () => {
  const hub = useHub();

  const placements: [string, string, (deep: unknown) => Record<string, unknown>][] = [
    ['hub_repos', 'as a parameter', (deep) => ({ action: 'list', namespace: deep })],
    ['hub_repos', 'as an unknown parameter', (deep) => ({ action: 'list', namespace: 'acme', extra: deep })],
    ['hub_auth', 'inside an array parameter', (deep) => ({ action: 'create_oat', org: 'acme', label: 'ci', resources: [deep] })],
    ['hub_repos', 'as dry_run', (deep) => ({ action: 'delete', namespace: 'acme', repository: 'web', dry_run: deep })],
    ['hub_registry', 'as a parameter of a registry action', (deep) => ({ action: 'list_tags', repo: deep })],
  ];
  for (const [tool, where, build] of placements) {
    for (const [kind, deep] of [
      ['array', deepArray(1_000_000)],
      ['object', deepObject(1_000_000)],
    ] as const) {
      it(`a ${kind} nested 1,000,000 deep ${where} (${tool})`, async () => {
        const result = await call(hubApp(), tool, build(deep));
        const error = errorOf(result);
        expect(error.type).toBe('invalid_argument');
        expect(error.message).toContain(`${ARGUMENT_JSON_BOUNDS.maxDepth} levels`);
        expect(JSON.stringify(result).length).toBeLessThan(1_000);
        expect(hub.seen).toHaveLength(0);
      });
    }
  }

  it('nesting at the limit is still validated normally', async () => {
    // depth 2 (the arguments object and one array): an ordinary wrong type.
    const error = errorOf(await call(hubApp(), 'hub_repos', { action: 'list', namespace: ['acme'] }));
    expect(error.type).toBe('invalid_argument');
    expect(error.message).toContain("'namespace' must be a string");
  });

  it('50,000 unknown argument keys: a short error naming the key limit', async () => {
    const args: Record<string, unknown> = { action: 'list', namespace: 'acme' };
    for (let i = 0; i < 50_000; i++) args[`k${i}`] = i;
    const result = await call(hubApp(), 'hub_repos', args);
    const error = errorOf(result);
    expect(error.type).toBe('invalid_argument');
    expect(error.message).toContain('10,000 keys');
    expect(JSON.stringify(result).length).toBeLessThan(1_000);
    expect(hub.seen).toHaveLength(0);
  });

  it('many unknown keys under the limit: the error lists a few and counts the rest', async () => {
    const args: Record<string, unknown> = { action: 'list', namespace: 'acme' };
    for (let i = 0; i < 5_000; i++) args[`k${i}`] = i;
    const result = await call(hubApp(), 'hub_repos', args);
    const error = errorOf(result);
    expect(error.message).toContain("unknown parameters 'k0', 'k1'");
    expect(error.message).toContain('…and 4,995 more');
    expect(error.message).toContain('valid parameters: namespace');
    expect(JSON.stringify(result).length).toBeLessThan(2_000);
  });

  it('one or two unknown keys are still all named', async () => {
    const error = errorOf(await call(hubApp(), 'hub_repos', { action: 'list', namespace: 'acme', colour: 1, size: 2 }));
    expect(error.message).toContain("unknown parameters 'colour', 'size'");
    expect(error.message).not.toContain('more');
  });
});

/**
 * An SDK Server routing tools/call to callTool the way server/create-server does: what is under
 * test is the SDK's own parsing and validation of a request whose arguments nest a million deep.
 */
function sdkServer(app: AppContext): Server {
  const server = new Server({ name: 'bounds-test', version: '1' }, { capabilities: { tools: {} } });
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const spec = allTools().find((tool) => tool.name === request.params.name)!;
    return callTool(spec, request.params.arguments ?? {}, {
      config: app.config,
      caps: { maxBytes: app.config.maxResultBytes, maxItems: 500 },
      ctx: { app, signal: extra.signal, log: app.logger, progress: async () => undefined },
    });
  });
  return server;
}

describe('through the MCP SDK (in-memory client and server)', () => {
  const hub = useHub();

  it('a deeply nested arguments object gets an invalid_argument result and the server keeps serving', async () => {
    const app = hubApp();
    const server = sdkServer(app);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'bounds-test', version: '1' });
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    try {
      for (const deep of [deepArray(1_000_000), deepObject(1_000_000)]) {
        const result = await client.callTool({ name: 'hub_repos', arguments: { action: 'list', namespace: deep } });
        expect(result.isError).toBe(true);
        const error = (result.structuredContent as { error: { type: string; message: string } }).error;
        expect(error.type).toBe('invalid_argument');
        expect(error.message).toContain('levels');
      }
      const many: Record<string, unknown> = { action: 'list', namespace: 'acme' };
      for (let i = 0; i < 50_000; i++) many[`k${i}`] = i;
      const wide = await client.callTool({ name: 'hub_repos', arguments: many });
      expect(JSON.stringify(wide).length).toBeLessThan(1_000);
      hub.answer('GET', '/v2/namespaces/acme/repositories', { count: 0, next: null, results: [] });
      const after = await client.callTool({ name: 'hub_repos', arguments: { action: 'list', namespace: 'acme' } });
      expect(after.isError).toBeFalsy();
    } finally {
      await client.close();
      await server.close();
      await app.close();
    }
  });
});

describe('the tool call debug line', () => {
  const hub = useHub();

  it('is logged for a failed call too, with the error type and no secret', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (line) => lines.push(line));
    hub.answer('GET', '/v2/namespaces/acme/repositories', { detail: 'nope dckr_pat_LeakedInError1' }, { status: 403 });
    await call(hubApp(undefined, logger), 'hub_repos', { action: 'list', namespace: 'acme' });
    await call(hubApp(undefined, logger), 'hub_repos', { action: 'list', namespace: 'acme', page: 'x' });
    const calls = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'tool call');
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ level: 'debug', tool: 'hub_repos', action: 'list', error: 'forbidden', status: 403 });
    expect(calls[0]!.ms).toEqual(expect.any(Number));
    expect(calls[1]).toMatchObject({ tool: 'hub_repos', action: 'list', error: 'invalid_argument' });
    expect(lines.join('')).not.toContain('dckr_pat_LeakedInError1');
  });

  it('is logged once for a successful call, as before', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (line) => lines.push(line));
    hub.answer('GET', '/v2/namespaces/acme/repositories', { count: 0, next: null, results: [] });
    await call(hubApp(undefined, logger), 'hub_repos', { action: 'list', namespace: 'acme' });
    const calls = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'tool call');
    expect(calls).toEqual([expect.objectContaining({ tool: 'hub_repos', action: 'list', status: 200 })]);
    expect(calls[0]).not.toHaveProperty('error');
  });
});
