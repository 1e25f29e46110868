import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { RequestBase } from '../../../src/http/client.js';
import { envelope } from '../../../src/http/envelope.js';
import { ToolError } from '../../../src/http/errors.js';
import { RateLimitStore } from '../../../src/http/rate-limit.js';
import { silentLogger } from '../../../src/log.js';
import { DEFAULT_CAPS } from '../../../src/tools/caps.js';
import { callTool, defineAction, describeTool, exposure, unlisted, type CallResult, type ToolSpec } from '../../../src/tools/framework.js';
import { hintsOf } from '../../helpers/hints.js';
import { toolCtx } from '../../helpers/unit/app.js';
import { useMsw } from '../../helpers/unit/msw.js';

const UPSTREAM = 'https://upstream.test';
const msw = useMsw();

interface FakeApp {
  http: RequestBase;
}

const app: FakeApp = {
  http: new RequestBase({
    upstream: 'hub',
    baseUrl: UPSTREAM,
    fetch: (url, init) => globalThis.fetch(url, init),
    rateLimits: new RateLimitStore(),
    logger: silentLogger,
    timeoutMs: 5000,
    sleep: async () => undefined,
  }),
};

const CLOSED = { readOnly: false, allowDestructive: false } as const;
const OPEN = { readOnly: false, allowDestructive: true } as const;
const READ_ONLY = { readOnly: true, allowDestructive: true } as const;

/** A small tool: two reads, a write and a destructive action that calls the upstream. */
function fakeTool() {
  const handlers = {
    list: vi.fn(async (args: { namespace: string; page?: number }) =>
      envelope({ namespace: args.namespace, page: args.page ?? 1, items: ['a', 'b'] }),
    ),
    get: vi.fn(async (args: { name: string; visibility?: string }) =>
      envelope({ name: args.name, visibility: args.visibility ?? 'public' }),
    ),
    update: vi.fn(async (args: { name: string; description: string }) => envelope({ updated: args.name })),
    delete: vi.fn(async (args: { name: string; dry_run?: boolean }, ctx: { app: FakeApp }) => {
      if (args.dry_run) return envelope({ would_delete: args.name });
      const result = await ctx.app.http.request({ method: 'DELETE', path: `/v2/repositories/${args.name}` });
      return envelope({ deleted: args.name }, null, result.status_code);
    }),
  };
  const spec: ToolSpec<FakeApp> = {
    name: 'hub_repos',
    title: 'Repositories',
    description: 'Fake repositories tool.',
    openWorld: true,
    actions: {
      list: defineAction({
        description: 'list repositories',
        params: {
          namespace: z.string().min(1).describe('Namespace (user or organization).'),
          page: z.number().int().min(1).optional().describe('Page number, from 1.'),
        },
        run: async (args) => handlers.list(args),
      }),
      get: defineAction({
        description: 'show one repository',
        params: {
          name: z.string().describe('Repository, namespace/name.'),
          visibility: z.enum(['public', 'private']).describe('Visibility filter.').optional(),
        },
        run: async (args) => handlers.get(args),
      }),
      update: defineAction({
        description: 'change the description',
        write: true,
        params: { name: z.string().describe('Repository, namespace/name.'), description: z.string().describe('New short description.') },
        run: async (args) => handlers.update(args),
      }),
      delete: defineAction({
        description: 'delete a repository',
        destructive: true,
        params: { name: z.string().describe('Repository, namespace/name.') },
        run: async (args, ctx) => handlers.delete(args, ctx),
      }),
    },
  };
  return { spec, handlers };
}

function readsOnlyTool(): ToolSpec<FakeApp> {
  return {
    name: 'hub_admin',
    title: 'Reads',
    description: 'Only reads.',
    openWorld: false,
    actions: { ping: defineAction({ description: 'answer pong', params: {}, run: async () => envelope('pong') }) },
  };
}

const call = (
  spec: ToolSpec<FakeApp>,
  args: unknown,
  config: { readOnly: boolean; allowDestructive: boolean } = CLOSED,
  caps = DEFAULT_CAPS,
): Promise<CallResult> => callTool(spec, args, { ctx: toolCtx(app), config, caps });

const errorOf = (result: CallResult) => {
  expect(result.isError).toBe(true);
  return (result.structuredContent as { error: { type: string; message: string; hint?: string; status?: number } }).error;
};

describe('describeTool', () => {
  it('is a flat object schema: action enum plus every parameter, each described, no top-level combinators', () => {
    const definition = describeTool(fakeTool().spec, OPEN)!;
    const schema = definition.inputSchema as unknown as Record<string, unknown>;
    expect(schema.type).toBe('object');
    for (const combinator of ['oneOf', 'anyOf', 'allOf']) expect(schema).not.toHaveProperty(combinator);
    expect(definition.inputSchema.required).toEqual(['action']);
    const properties = definition.inputSchema.properties as Record<string, { description?: string; enum?: string[] }>;
    expect(properties.action!.enum).toEqual(['list', 'get', 'update', 'delete']);
    expect(Object.keys(properties).sort()).toEqual(['action', 'description', 'dry_run', 'name', 'namespace', 'page', 'visibility']);
    for (const [name, property] of Object.entries(properties)) {
      expect(property.description, `${name} has a description`).toEqual(expect.any(String));
      expect(property.description!.length).toBeGreaterThan(0);
    }
    expect(properties.visibility!.enum).toEqual(['public', 'private']);
  });

  it('the action description lists each action with its required parameters; a main parameter is marked required once', () => {
    const properties = describeTool(fakeTool().spec, OPEN)!.inputSchema.properties as Record<string, { description: string }>;
    const description = properties.action!.description;
    expect(description).toContain('list(namespace): list repositories');
    // `name`: taken by 3 of the 4 actions and required by each, so said once, on the parameter.
    expect(description).toContain('get: show one repository');
    expect(description).toContain('update(description)');
    expect(description).toContain('delete: ');
    expect(properties.name!.description).toMatch(/; required$/);
    // `namespace`: one action takes it; it stays in that line, unmarked.
    expect(properties.namespace!.description).not.toContain('required');
  });

  it('an unlisted action is callable by name but not offered', async () => {
    const { spec, handlers } = fakeTool();
    const withAlias: ToolSpec<FakeApp> = { ...spec, actions: { ...spec.actions, show: unlisted(spec.actions.get!) } };
    const action = describeTool(withAlias, OPEN)!.inputSchema.properties.action as { enum: string[]; description: string };
    expect(action.enum).not.toContain('show');
    expect(action.description).not.toContain('show:');
    expect(exposure(withAlias, OPEN).unlisted).toEqual(['show']);
    const result = await call(withAlias, { action: 'show', name: 'app' });
    expect(result.isError).toBeFalsy();
    expect(handlers.get).toHaveBeenCalledWith({ name: 'app' });
  });

  it('with the gate closed, destructive actions are not offered: not in the enum, the action list or the description', () => {
    const definition = describeTool(fakeTool().spec, CLOSED)!;
    const action = definition.inputSchema.properties.action as { enum: string[]; description: string };
    expect(action.enum).toEqual(['list', 'get', 'update']);
    expect(action.description).not.toContain('delete');
    expect(definition.description).not.toContain('delete');
    expect(definition.inputSchema.properties).not.toHaveProperty('dry_run');
  });

  it('a gated action is still served as a dry run by name', async () => {
    const result = await call(fakeTool().spec, { action: 'delete', name: 'x', dry_run: true }, CLOSED);
    expect(result.isError).toBeFalsy();
  });

  it('read-only mode drops every write action from the enum', () => {
    const definition = describeTool(fakeTool().spec, READ_ONLY)!;
    expect((definition.inputSchema.properties.action as { enum: string[] }).enum).toEqual(['list', 'get']);
    expect(definition.inputSchema.properties).not.toHaveProperty('description');
    expect(definition.inputSchema.properties).not.toHaveProperty('dry_run');
  });

  it('a tool whose every action is hidden is not listed', () => {
    const writesOnly: ToolSpec<FakeApp> = { ...fakeTool().spec, actions: { update: fakeTool().spec.actions.update! } };
    expect(describeTool(writesOnly, READ_ONLY)).toBeUndefined();
  });

  it('exposure sorts actions into exposed, gated and hidden', () => {
    expect(exposure(fakeTool().spec, CLOSED)).toEqual({
      exposed: ['list', 'get', 'update'],
      unlisted: [],
      gated: ['delete'],
      readOnlyHidden: [],
    });
    expect(exposure(fakeTool().spec, READ_ONLY)).toEqual({
      exposed: ['list', 'get'],
      unlisted: [],
      gated: [],
      readOnlyHidden: ['update', 'delete'],
    });
  });
});

describe('annotations follow the configuration', () => {
  const annotationsOf = (spec: ToolSpec<FakeApp>, config: { readOnly: boolean; allowDestructive: boolean }) =>
    hintsOf(describeTool(spec, config)!.annotations);

  it('every tool has a title; hints are said only where they differ from the MCP defaults, destructiveHint: false always', () => {
    expect(describeTool(fakeTool().spec, CLOSED)!.annotations).toEqual({ destructiveHint: false });
    expect(describeTool(fakeTool().spec, OPEN)!.annotations).toEqual({});
    expect(describeTool(fakeTool().spec, READ_ONLY)!.annotations).toEqual({ readOnlyHint: true, destructiveHint: false });
    expect(describeTool(readsOnlyTool(), OPEN)!.annotations).toEqual({ readOnlyHint: true, destructiveHint: false, openWorldHint: false });
    expect(describeTool(fakeTool().spec, CLOSED)!.title).toBe('Repositories');
  });

  it('read-only mode: readOnlyHint true, destructiveHint false', () => {
    expect(annotationsOf(fakeTool().spec, READ_ONLY)).toMatchObject({ readOnlyHint: true, destructiveHint: false, openWorldHint: true });
  });

  it('gate closed with a write exposed: neither read-only nor destructive', () => {
    expect(annotationsOf(fakeTool().spec, CLOSED)).toMatchObject({ readOnlyHint: false, destructiveHint: false });
  });

  it('gate open: destructiveHint true', () => {
    expect(annotationsOf(fakeTool().spec, OPEN)).toMatchObject({ readOnlyHint: false, destructiveHint: true });
  });

  it('a tool with only reads is read-only whatever the gate', () => {
    expect(annotationsOf(readsOnlyTool(), OPEN)).toMatchObject({ readOnlyHint: true, destructiveHint: false, openWorldHint: false });
  });
});

describe('validation', () => {
  it('a missing required parameter names tool.action and the field', async () => {
    const { spec, handlers } = fakeTool();
    const error = errorOf(await call(spec, { action: 'get' }));
    expect(error.type).toBe('invalid_argument');
    expect(error.message).toContain('hub_repos.get');
    expect(error.message).toContain("missing required parameter 'name'");
    expect(handlers.get).not.toHaveBeenCalled();
  });

  it('a bad enum value lists the allowed values', async () => {
    const error = errorOf(await call(fakeTool().spec, { action: 'get', name: 'a/b', visibility: 'secret' }));
    expect(error.message).toContain('hub_repos.get');
    expect(error.message).toContain("'visibility'");
    expect(error.message).toContain('public, private');
  });

  it('a wrong type and a bound are explained', async () => {
    expect(errorOf(await call(fakeTool().spec, { action: 'list', namespace: 'x', page: 'two' })).message).toContain(
      "'page' must be a number",
    );
    expect(errorOf(await call(fakeTool().spec, { action: 'list', namespace: 'x', page: 0 })).message).toContain("'page' must be ≥ 1");
  });

  it('a parameter of another action is refused, naming the valid ones', async () => {
    const error = errorOf(await call(fakeTool().spec, { action: 'list', namespace: 'x', name: 'y' }));
    expect(error.message).toContain("unknown parameter 'name'");
    expect(error.message).toContain('valid parameters: namespace, page');
  });

  it('an unknown action lists the valid actions', async () => {
    const error = errorOf(await call(fakeTool().spec, { action: 'purge' }));
    expect(error.type).toBe('unknown_action');
    expect(error.message).toContain("'purge'");
    expect(error.message).toContain('list, get, update, delete');
  });

  it('inherited property names are not actions', async () => {
    for (const action of ['toString', 'constructor', '__proto__'])
      expect(errorOf(await call(fakeTool().spec, { action })).type).toBe('unknown_action');
  });

  it('a missing action, or arguments that are not an object, are invalid', async () => {
    expect(errorOf(await call(fakeTool().spec, {})).message).toContain("'action'");
    expect(errorOf(await call(fakeTool().spec, {})).message).toContain('valid actions: list, get, update, delete');
    expect(errorOf(await call(fakeTool().spec, ['list'])).type).toBe('invalid_argument');
    expect(errorOf(await call(fakeTool().spec, null)).type).toBe('invalid_argument');
  });
});

describe('the destructive gate', () => {
  it('closed: a destructive call is refused with a hint, its handler is not called and no request is made', async () => {
    msw.server.use(http.delete(`${UPSTREAM}/v2/repositories/:ns/:repo`, () => new HttpResponse(null, { status: 202 })));
    const { spec, handlers } = fakeTool();
    const error = errorOf(await call(spec, { action: 'delete', name: 'acme/app' }));
    expect(error.type).toBe('gate_closed');
    expect(error.message).toContain('hub_repos.delete');
    expect(error.hint).toContain('DOCKERHUB_ALLOW_DESTRUCTIVE');
    expect(error.hint).toContain('dry_run');
    expect(handlers.delete).not.toHaveBeenCalled();
    expect(msw.seen).toHaveLength(0);
  });

  it('closed: dry_run: true passes and changes nothing', async () => {
    const { spec, handlers } = fakeTool();
    const result = await call(spec, { action: 'delete', name: 'acme/app', dry_run: true });
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toMatchObject({ data: { would_delete: 'acme/app' } });
    expect(handlers.delete).toHaveBeenCalledOnce();
    expect(msw.seen).toHaveLength(0);
  });

  it('closed: dry_run must be a real boolean true', async () => {
    const { spec, handlers } = fakeTool();
    expect(errorOf(await call(spec, { action: 'delete', name: 'acme/app', dry_run: 'true' })).type).toBe('gate_closed');
    expect(handlers.delete).not.toHaveBeenCalled();
  });

  it('open: the destructive action runs', async () => {
    msw.server.use(http.delete(`${UPSTREAM}/v2/repositories/:ns/:repo`, () => new HttpResponse(null, { status: 202 })));
    const result = await call(fakeTool().spec, { action: 'delete', name: 'acme/app' }, OPEN);
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toMatchObject({ status_code: 202, data: { deleted: 'acme/app' } });
    expect(msw.seen).toHaveLength(1);
  });

  it('read-only mode refuses writes, and destructive ones even with dry_run', async () => {
    const { spec, handlers } = fakeTool();
    const update = errorOf(await call(spec, { action: 'update', name: 'a/b', description: 'x' }, READ_ONLY));
    expect(update.type).toBe('read_only');
    expect(update.hint).toContain('DOCKERHUB_READ_ONLY');
    expect(errorOf(await call(spec, { action: 'delete', name: 'a/b', dry_run: true }, READ_ONLY)).type).toBe('read_only');
    expect(handlers.update).not.toHaveBeenCalled();
    expect(handlers.delete).not.toHaveBeenCalled();
  });

  it('write actions that are not destructive run with the gate closed', async () => {
    const result = await call(fakeTool().spec, { action: 'update', name: 'a/b', description: 'x' });
    expect(result.structuredContent).toMatchObject({ data: { updated: 'a/b' } });
  });
});

describe('results', () => {
  it('carry the envelope as structuredContent and the same JSON as text', async () => {
    const result = await call(fakeTool().spec, { action: 'list', namespace: 'acme', page: 2 });
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toEqual({
      status_code: 200,
      data: { namespace: 'acme', page: 2, items: ['a', 'b'] },
      rate_limit: null,
    });
    expect(result.content).toHaveLength(1);
    expect(result.content[0]!.type).toBe('text');
    expect(JSON.parse(result.content[0]!.text)).toEqual(result.structuredContent);
  });

  it('are capped', async () => {
    const spec: ToolSpec<FakeApp> = {
      ...readsOnlyTool(),
      actions: {
        many: defineAction({ description: 'many', params: {}, run: async () => envelope(Array.from({ length: 50 }, (_, i) => i)) }),
      },
    };
    const result = await call(spec, { action: 'many' }, CLOSED, { maxBytes: 100_000, maxItems: 10 });
    expect(result.structuredContent).toMatchObject({ truncated: true, data: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
  });

  it('a thrown error becomes an isError result without a stack trace', async () => {
    const spec: ToolSpec<FakeApp> = {
      ...readsOnlyTool(),
      actions: {
        boom: defineAction({
          description: 'throws',
          params: {},
          run: async () => {
            throw new Error('something broke');
          },
        }),
      },
    };
    const result = await call(spec, { action: 'boom' });
    const error = errorOf(result);
    expect(error).toEqual({ type: 'internal_error', message: 'something broke' });
    expect(result.content[0]!.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(result.content[0]!.text).not.toContain('framework');
  });

  it('an upstream error keeps its type, status and hint', async () => {
    msw.server.use(http.get(`${UPSTREAM}/v2/missing`, () => HttpResponse.json({ detail: 'Object not found' }, { status: 404 })));
    const spec: ToolSpec<FakeApp> = {
      ...readsOnlyTool(),
      actions: {
        fetch: defineAction({ description: 'fetch', params: {}, run: async (_a, { app: a }) => a.http.request({ path: '/v2/missing' }) }),
      },
    };
    const error = errorOf(await call(spec, { action: 'fetch' }));
    expect(error).toMatchObject({ type: 'not_found', status: 404 });
    expect(error.message).toContain('Object not found');
    expect(error.hint).toEqual(expect.any(String));
  });

  it('secrets in handler output are redacted, in data and in error messages', async () => {
    const spec: ToolSpec<FakeApp> = {
      ...readsOnlyTool(),
      actions: {
        leak: defineAction({
          description: 'leaks',
          params: {},
          run: async () => envelope({ name: 'ci', token: 'abc123', note: 'use dckr_pat_Leaked42 to log in' }),
        }),
        fail: defineAction({
          description: 'fails',
          params: {},
          run: async () => {
            throw new ToolError('bad_request', 'rejected dckr_pat_InError99');
          },
        }),
      },
    };
    const leak = await call(spec, { action: 'leak' });
    expect(leak.content[0]!.text).not.toContain('abc123');
    expect(leak.content[0]!.text).not.toContain('dckr_pat_Leaked42');
    expect(JSON.stringify(leak.structuredContent)).not.toContain('dckr_pat_Leaked42');
    expect(leak.structuredContent).toMatchObject({ data: { name: 'ci' } });
    const fail = await call(spec, { action: 'fail' });
    expect(JSON.stringify(fail)).not.toContain('dckr_pat_InError99');
  });

  it('reveal lets the one freshly created value through, and only in that result', async () => {
    const fresh = 'dckr_pat_FreshlyMinted7';
    const spec: ToolSpec<FakeApp> = {
      ...readsOnlyTool(),
      actions: {
        create: defineAction({
          description: 'creates',
          params: {},
          run: async () => ({ ...envelope({ token: fresh, other: 'dckr_pat_NotThisOne' }), reveal: [fresh] }),
        }),
        echo: defineAction({ description: 'echoes', params: {}, run: async () => envelope({ token: fresh }) }),
      },
    };
    const created = await call(spec, { action: 'create' });
    expect(created.structuredContent).toMatchObject({ data: { token: fresh } });
    expect(created.content[0]!.text).toContain(fresh);
    expect(created.content[0]!.text).not.toContain('dckr_pat_NotThisOne');
    expect(created.structuredContent).not.toHaveProperty('reveal');
    const echoed = await call(spec, { action: 'echo' });
    expect(JSON.stringify(echoed)).not.toContain(fresh);
  });
});

describe('an action destructive only with some arguments', () => {
  function toggleTool() {
    const run = vi.fn(async (args: { name: string; active?: boolean; dry_run?: boolean }) =>
      envelope({ name: args.name, active: args.active ?? null, dry_run: args.dry_run ?? false }),
    );
    const spec: ToolSpec<FakeApp> = {
      name: 'hub_auth',
      title: 'Tokens',
      description: 'Fake tokens tool.',
      openWorld: true,
      actions: {
        show: defineAction({ description: 'show', params: { name: z.string().describe('Name.') }, run: async (args) => envelope(args) }),
        edit: defineAction({
          description: 'edit',
          write: true,
          params: { name: z.string().describe('Name.'), active: z.boolean().optional().describe('Active.') },
          destructiveWhen: { args: 'active:false', reason: (args) => (args.active === false ? 'active:false revokes it' : undefined) },
          run: async (args) => run(args),
        }),
      },
    };
    return { spec, run };
  }

  it('stays in the enum with the gate closed, its line naming the arguments that need the gate; it takes dry_run', () => {
    const closed = describeTool(toggleTool().spec, CLOSED)!;
    const action = closed.inputSchema.properties.action as { enum: string[]; description: string };
    expect(action.enum).toEqual(['show', 'edit']);
    expect(action.description).toContain('edit: edit; active:false needs the destructive gate');
    expect(closed.inputSchema.properties).toHaveProperty('dry_run');
    expect(hintsOf(closed.annotations)).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    const open = describeTool(toggleTool().spec, OPEN)!;
    expect((open.inputSchema.properties.action as { description: string }).description).not.toContain('needs the destructive gate');
    expect(hintsOf(open.annotations).destructiveHint).toBe(true);
    expect(describeTool(toggleTool().spec, READ_ONLY)!.inputSchema.properties.action).toMatchObject({ enum: ['show'] });
  });

  it('gate closed: destructive arguments are refused naming the reason, before the handler', async () => {
    const { spec, run } = toggleTool();
    const error = errorOf(await call(spec, { action: 'edit', name: 'ci', active: false }));
    expect(error.type).toBe('gate_closed');
    expect(error.message).toBe('hub_auth.edit: active:false revokes it; that is destructive and disabled on this server');
    expect(error.hint).toContain('DOCKERHUB_ALLOW_DESTRUCTIVE=true');
    expect(run).not.toHaveBeenCalled();
  });

  it('gate closed: harmless arguments and dry runs run', async () => {
    const { spec, run } = toggleTool();
    expect((await call(spec, { action: 'edit', name: 'ci', active: true })).isError).toBeUndefined();
    expect((await call(spec, { action: 'edit', name: 'ci' })).isError).toBeUndefined();
    const dry = await call(spec, { action: 'edit', name: 'ci', active: false, dry_run: true });
    expect(dry.structuredContent).toMatchObject({ data: { dry_run: true, active: false } });
    expect(run).toHaveBeenCalledTimes(3);
  });

  it('gate open: destructive arguments run; read-only mode refuses the action', async () => {
    const { spec, run } = toggleTool();
    expect((await call(spec, { action: 'edit', name: 'ci', active: false }, OPEN)).isError).toBeUndefined();
    expect(errorOf(await call(spec, { action: 'edit', name: 'ci', active: true }, READ_ONLY)).type).toBe('read_only');
    expect(run).toHaveBeenCalledOnce();
  });
});
