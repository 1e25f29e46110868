// A token's scopes narrow what a call may do: read for any call, write for a write, write and
// destructive for a destructive one (or for arguments that make a write destructive). The
// refusal is a typed `insufficient_scope` error naming the scope, before the action runs.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { silentLogger } from '../../../src/log.js';
import { allowanceFor, callerOf, scopesNeeded } from '../../../src/server/oauth/scopes.js';
import { callTool, defineAction, type ToolSpec } from '../../../src/tools/framework.js';
import { envelope } from '../../../src/http/envelope.js';

const NAMES = { read: 'hub:r', write: 'hub:w', destructive: 'hub:d' };
const token = (scopes: string[]): AuthInfo => ({ token: 'secret-token-value', clientId: 'cli', scopes, extra: { subject: 'sub-1' } });

function spec(ran: string[]): ToolSpec<unknown> {
  const run = (name: string) => async () => {
    ran.push(name);
    return envelope({ ok: name });
  };
  return {
    name: 'hub_repos',
    title: 't',
    description: 'd',
    openWorld: true,
    actions: {
      get: defineAction({ description: 'read', params: {}, run: run('get') }),
      update: defineAction({ description: 'write', params: {}, write: true, run: run('update') }),
      delete: defineAction({ description: 'delete', params: {}, destructive: true, run: run('delete') }),
      set_active: defineAction({
        description: 'conditional',
        params: { active: z.boolean() },
        destructiveWhen: { args: 'active:false', reason: (args) => (args.active === false ? 'deactivates' : undefined) },
        run: run('set_active'),
      }),
    },
  };
}

async function callAs(scopes: string[], args: Record<string, unknown>, ran: string[]) {
  const allow = allowanceFor(token(scopes), NAMES);
  const result = await callTool(spec(ran), args, {
    config: { readOnly: false, allowDestructive: true },
    caps: { maxBytes: 100_000, maxItems: 100 },
    ...(allow ? { allow } : {}),
    ctx: { app: undefined, signal: new AbortController().signal, log: silentLogger, progress: async () => undefined },
  });
  return (result.structuredContent as { error?: { type: string; message: string; status?: number } }).error;
}

describe('OAuth scopes per call', () => {
  it('names the scopes each kind of call needs', () => {
    expect(scopesNeeded({ write: false, destructive: false }, NAMES)).toEqual(['hub:r']);
    expect(scopesNeeded({ write: true, destructive: false }, NAMES)).toEqual(['hub:r', 'hub:w']);
    expect(scopesNeeded({ write: true, destructive: true }, NAMES)).toEqual(['hub:r', 'hub:w', 'hub:d']);
  });

  it('lets a read-scoped token read, and refuses its write before the action runs', async () => {
    const ran: string[] = [];
    expect(await callAs(['hub:r'], { action: 'get' }, ran)).toBeUndefined();
    const error = await callAs(['hub:r'], { action: 'update' }, ran);
    expect(error).toMatchObject({ type: 'insufficient_scope', status: 403 });
    expect(error?.message).toContain("needs the OAuth scope 'hub:w'");
    expect(ran).toEqual(['get']);
  });

  it('needs the destructive scope besides the write scope, also for arguments that make a write destructive', async () => {
    const ran: string[] = [];
    expect((await callAs(['hub:r', 'hub:w'], { action: 'delete' }, ran))?.message).toContain("'hub:d'");
    expect((await callAs(['hub:r', 'hub:d'], { action: 'delete' }, ran))?.message).toContain("'hub:w'");
    expect((await callAs(['hub:r', 'hub:w'], { action: 'set_active', active: false }, ran))?.message).toContain("'hub:d'");
    expect(await callAs(['hub:r', 'hub:w'], { action: 'set_active', active: true }, ran)).toBeUndefined();
    expect(await callAs(['hub:r', 'hub:w', 'hub:d'], { action: 'delete' }, ran)).toBeUndefined();
    expect(ran).toEqual(['set_active', 'delete']);
  });

  it('lets a dry run through with the read scope: it changes nothing', async () => {
    const ran: string[] = [];
    expect(await callAs(['hub:r'], { action: 'delete', dry_run: true }, ran)).toBeUndefined();
  });

  it('puts no restriction on calls without OAuth, and shows the caller without the token', () => {
    expect(allowanceFor(undefined, NAMES)).toBeUndefined();
    expect(callerOf(undefined)).toBeUndefined();
    const caller = callerOf({ ...token(['hub:r']), expiresAt: 1_800_000_000 });
    expect(caller).toEqual({ subject: 'sub-1', clientId: 'cli', scopes: ['hub:r'], expiresAt: 1_800_000_000 });
    expect(JSON.stringify(caller)).not.toContain('secret-token-value');
  });
});
