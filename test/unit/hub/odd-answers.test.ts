// Hub answers of an unexpected shape, found by the deep-shapes hostile suite: each gets a typed
// result (invalid_content, or the answer shown as it is), never an internal_error, and never a
// string spread into one key per character.
import { describe, expect, it } from 'vitest';
import { MINTED_KEPT_CHARS, mintedSecretsHeld } from '../../../src/redact.js';
import { AUTHED, call, hubApp, sc, useHub } from '../../helpers/unit/hub-harness.js';

describe('Hub answers of an unexpected shape', () => {
  const hub = useHub();

  it("list_namespaces: 'results' that is not a list is invalid_content", async () => {
    hub.answer('GET', '/v2/user/orgs', { count: 1, next: null, results: { orgname: 'acme' } });
    const result = await call(hubApp(AUTHED), 'hub_repos', { action: 'list_namespaces' });
    expect(result.isError).toBe(true);
    const error = (sc(result) as { error: { type: string; message: string } }).error;
    expect(error.type).toBe('invalid_content');
    expect(error.message).toContain("'results' that is not a list");
  });

  it('list_namespaces: no results at all is just the user', async () => {
    hub.answer('GET', '/v2/user/orgs', { count: 0, next: null });
    const result = await call(hubApp(AUTHED), 'hub_repos', { action: 'list_namespaces' });
    expect(result.isError).toBeFalsy();
    expect(sc(result).data).toMatchObject({ user: 'octo', namespaces: ['octo'] });
  });

  it('create_token: a JSON string answer is kept whole, not spread into a key per character', async () => {
    hub.answer('POST', '/v2/auth/token', JSON.stringify('x'.repeat(50_000)), { headers: { 'content-type': 'application/json' } });
    const result = await call(hubApp(AUTHED), 'hub_auth', { action: 'create_token', identifier: 'octo', secret: 'not-the-secret' });
    expect(result.isError).toBeFalsy();
    const data = sc(result).data as Record<string, unknown>;
    expect(Object.keys(data)).toEqual(['body']);
    expect(typeof data.body).toBe('string');
  });
});

describe('secrets given in tool calls', () => {
  const hub = useHub();

  it('are redacted in their own call, and 300 distinct ones leave the redactor bounded', async () => {
    const echoed = (secret: string) => ({ detail: `bad credentials for secret ${secret}` });
    const app = hubApp(AUTHED);
    const configured = mintedSecretsHeld().configured;
    for (let i = 0; i < 300; i++) {
      const secret = `call-secret-${String(i).padStart(5, '0')}-${'s'.repeat(2_000)}`;
      hub.answer('POST', '/v2/auth/token', echoed(secret), { status: 401 });
      const result = await call(app, 'hub_auth', { action: 'create_token', identifier: 'octo', secret });
      expect(JSON.stringify(result)).not.toContain(secret);
    }
    const held = mintedSecretsHeld();
    expect(held.configured).toBe(configured);
    expect(held.count).toBeLessThanOrEqual(128);
    expect(held.chars).toBeLessThanOrEqual(MINTED_KEPT_CHARS);
  });
});
