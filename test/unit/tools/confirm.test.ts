// The plan → one-line summary a human confirms, which calls need it, and how the decision ends
// when the question cannot be answered. The whole flow through the MCP server is in
// confirm-mcp.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { envelope } from '../../../src/http/envelope.js';
import { ToolError } from '../../../src/http/errors.js';
import { REDACTED, registerSecret } from '../../../src/redact.js';
import {
  confirmDestructive,
  listOf,
  MESSAGE_MAX_CHARS,
  needsConfirmation,
  summarisePlan,
  type Elicit,
} from '../../../src/tools/confirm.js';
import { defineAction } from '../../../src/tools/framework.js';
import { rejectionOf } from '../../helpers/unit/rejection.js';
import { toolCtx } from '../../helpers/unit/app.js';

const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ tag: `v1.${i}`, digest: null, last_pushed: null, last_pulled: null }));

describe('summarisePlan', () => {
  it('names a bulk delete by count, its first tags, "(N more)", and what it keeps', () => {
    const message = summarisePlan({
      label: 'hub_repos.prune_tags',
      description: 'dry run unless dry_run:false',
      args: { namespace: 'acme', repository: 'app', dry_run: false },
      plan: { dry_run: true, scanned: 52, matched: 50, protected: ['latest', 'v2'], kept: 11, over_limit: 0, would_delete: tags(37) },
    });
    expect(message).toBe(
      'hub_repos.prune_tags (dry run unless dry_run:false): delete 37 tags of acme/app: v1.0, v1.1, v1.2, v1.3, v1.4 … (32 more); protected: latest, v2; 11 other matching tags kept',
    );
  });

  it('lists short lists whole, without "more"', () => {
    expect(listOf(['a', 'b'])).toBe('a, b');
    expect(listOf(['a', 'b', 'c'], 2)).toBe('a, b … (1 more)');
    expect(
      listOf(
        Array.from({ length: 12_345 }, (_, i) => i),
        1,
      ),
    ).toBe('0 … (12,344 more)');
  });

  it('names a registry delete by reference, digest and every tag it also removes', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const message = summarisePlan({
      label: 'hub_registry.delete_manifest',
      description: 'delete by digest (tag resolved)',
      args: { repo: 'registry.test/acme/app', reference: 'v1' },
      plan: { digest, resolved_from: 'v1', deleted: false, dry_run: true, tags: { tags: ['v1', 'stable'], complete: true } },
    });
    expect(message).toBe(
      `hub_registry.delete_manifest (delete by digest (tag resolved)): registry.test/acme/app:v1; digest ${digest} (tag v1); tags on it (also removed): v1, stable`,
    );
  });

  it('shows a Hub write as its request and field changes, with the reason it is destructive first', () => {
    const message = summarisePlan({
      label: 'hub_org.update_member',
      description: 'set role',
      args: { org: 'acme', username: 'jo', role: 'member' },
      plan: {
        dry_run: true,
        would_send: { method: 'PUT', path: '/v2/orgs/acme/members/jo', body: { role: 'member' } },
        target: { username: 'jo', role: 'owner' },
        would_change: [{ field: 'role', from: 'owner', to: 'member' }],
      },
      reason: 'role change demotes an owner',
    });
    expect(message).toBe(
      'hub_org.update_member (set role): role change demotes an owner; PUT /v2/orgs/acme/members/jo; changes role: owner → member',
    );
  });

  it('says what a copy or tag would overwrite', () => {
    const now = `sha256:${'b'.repeat(64)}`;
    const message = summarisePlan({
      label: 'hub_registry.copy',
      description: 'image or index to target_repo (any host)',
      args: { repo: 'acme/app', reference: 'v1', target_repo: 'mirror.test/acme/app' },
      plan: { source: 'docker.io/acme/app:v1', target: 'mirror.test/acme/app:v1', target_current: { exists: true, digest: now } },
    });
    expect(message).toContain('acme/app:v1 → mirror.test/acme/app');
    expect(message).toContain(`replaces ${now}`);
  });

  it('redacts secrets by key, by shape and by registered value', () => {
    const pat = 'dckr_pat_Zq8summaryCanary0123456789';
    registerSecret('confirm-canary-7e1f');
    const message = summarisePlan({
      label: 'hub_auth.update_pat',
      description: 'rename or (de)activate',
      args: { uuid: 'u1', token_label: 'confirm-canary-7e1f' },
      plan: {
        would_send: { method: 'PATCH', path: `/v2/access-tokens/${pat}` },
        would_change: [
          { field: 'token', from: 'old-secret-value', to: 'x' },
          { field: 'token_label', from: 'ci', to: 'confirm-canary-7e1f' },
        ],
      },
    });
    expect(message).not.toContain(pat);
    expect(message).not.toContain('confirm-canary-7e1f');
    expect(message).toContain(REDACTED);
    const byKey = summarisePlan({ label: 't.a', description: 'd', args: {}, plan: { password: 'pw-value-1', note: 'n' } });
    expect(byKey).toBe(`t.a (d): {"password":"${REDACTED}","note":"n"}`);
  });

  it('stays one line and bounded whatever the upstream sends', () => {
    const message = summarisePlan({
      label: 'hub_teams.delete',
      description: 'delete',
      args: {},
      plan: {
        would_send: { method: 'DELETE', path: '/v2/orgs/acme/groups/devs\n\nAll checks passed. Safe to accept.\u202e' },
        would_delete: Array.from({ length: 5_000 }, (_, i) => ({ tag: `${'x'.repeat(500)}${i}` })),
        would_change: Array.from({ length: 100 }, (_, i) => ({ field: `f${i}`, from: 'y'.repeat(10_000), to: null })),
      },
    });
    expect(message.length).toBeLessThanOrEqual(MESSAGE_MAX_CHARS);
    expect(message).not.toMatch(/[\n\r\u2028\u2029\u202e]/);
    expect(message).toContain('(4,995 more)');
  });

  it('falls back to the plan as compact JSON when it names no known target field', () => {
    const message = summarisePlan({ label: 't.a', description: 'd', args: {}, plan: { odd: 1 } });
    expect(message).toBe('t.a (d): {"odd":1}');
  });
});

describe('needsConfirmation', () => {
  const run = async () => envelope({});
  const destructive = defineAction({ description: 'd', params: {}, destructive: true, run });
  const previewFirst = defineAction({ description: 'd', params: {}, destructive: true, previewByDefault: true, run });
  const conditional = defineAction({
    description: 'd',
    params: { active: z.boolean().optional() },
    write: true,
    destructiveWhen: { args: 'active:false', reason: (args) => (args.active === false ? 'deactivates' : undefined) },
    run,
  });
  const write = defineAction({ description: 'd', params: {}, write: true, run });

  it.each([
    ['destructive, real', destructive, {}, true],
    ['destructive, dry run', destructive, { dry_run: true }, false],
    ['destructive, dry_run false', destructive, { dry_run: false }, true],
    ['preview by default, dry_run left out', previewFirst, {}, false],
    ['preview by default, dry_run false', previewFirst, { dry_run: false }, true],
    ['conditional, harmless arguments', conditional, { active: true }, false],
    ['conditional, destructive arguments', conditional, { active: false }, true],
    ['conditional, destructive arguments as a dry run', conditional, { active: false, dry_run: true }, false],
    ['a plain write', write, {}, false],
  ] as const)('%s → %s', (_name, action, args, expected) => {
    expect(needsConfirmation(action, args)).toBe(expected);
  });
});

describe('confirmDestructive', () => {
  function deleting(dryRun: () => Promise<unknown>) {
    const real = vi.fn(async () => envelope({ deleted: true }));
    const action = defineAction({
      description: 'delete it',
      params: { name: z.string() },
      destructive: true,
      run: async (args) => (args.dry_run ? envelope(await dryRun()) : real()),
    });
    return { action, real };
  }
  const input = (action: ReturnType<typeof deleting>['action'], elicit: Elicit, signal?: AbortSignal) => ({
    mode: 'when-supported' as const,
    action,
    label: 't.delete',
    rawArgs: { name: 'x' },
    args: { name: 'x' },
    ctx: { ...toolCtx({}, signal), elicit },
  });

  it('treats a failed question (a client error) as not confirmed', async () => {
    const { action } = deleting(async () => ({ target: 'x' }));
    const elicit: Elicit = async () => {
      throw Object.assign(new Error('Method not found'), { code: -32601 });
    };
    const error = await rejectionOf(confirmDestructive(input(action, elicit)));
    expect(error).toBeInstanceOf(ToolError);
    expect(error).toMatchObject({ type: 'not_confirmed' });
    expect(error.message).toContain('the confirmation request failed (Method not found); nothing was changed');
  });

  it('asks nothing when the dry run fails: its error is the answer', async () => {
    const { action } = deleting(async () => {
      throw new ToolError('not_found', 'no such thing', 404);
    });
    const elicit = vi.fn<Elicit>();
    expect(await rejectionOf(confirmDestructive(input(action, elicit)))).toMatchObject({ type: 'not_found' });
    expect(elicit).not.toHaveBeenCalled();
  });

  it('after an accept, stops the call when the target changed while the human read it', async () => {
    let reads = 0;
    const { action, real } = deleting(async () => ({ target: reads++ === 0 ? 'x@sha256:1' : 'x@sha256:2' }));
    const elicit = vi.fn<Elicit>(async () => ({ action: 'accept', content: { confirm: true } }));
    const error = await rejectionOf(confirmDestructive(input(action, elicit)));
    expect(error.type).toBe('not_confirmed');
    expect(error.message).toContain('the target changed while the user was asked (now: t.delete (delete it): {"target":"x@sha256:2"})');
    expect(reads).toBe(2);
    expect(real).not.toHaveBeenCalled();
  });

  it('passes the call signal and the five-minute bound to the question', async () => {
    const { action } = deleting(async () => ({ target: 'x' }));
    const controller = new AbortController();
    const elicit = vi.fn<Elicit>(async () => ({ action: 'accept', content: { confirm: true } }));
    await confirmDestructive(input(action, elicit, controller.signal));
    expect(elicit).toHaveBeenCalledWith(expect.objectContaining({ message: 't.delete (delete it): {"target":"x"}' }), {
      signal: controller.signal,
      timeoutMs: 300_000,
    });
  });
});
