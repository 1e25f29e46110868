import { describe, expect, it } from 'vitest';
import { REDACTED, redact, redactString, registerMintedSecret, registerSecret } from '../../src/redact.js';
import { fakeJwt } from '../helpers/unit/jwt.js';

const JWT = fakeJwt({ sub: 'alice', exp: 1_900_000_000 });

describe('secret keys', () => {
  it.each([
    'secret',
    'password',
    'token',
    'access_token',
    'refresh_token',
    'jwt',
    'login_2fa_token',
    'Authorization',
    'client_secret',
    'x-registry-auth',
  ])('redacts the value under %s', (key) => {
    expect(redact({ [key]: 'plain-looking-value', name: 'kept' })).toEqual({ [key]: REDACTED, name: 'kept' });
  });

  it('redacts keys ending in token, secret or password whatever their case', () => {
    expect(redact({ registryToken: 'a', SCIM_SECRET: 'b', db_password: 'c' })).toEqual({
      registryToken: REDACTED,
      SCIM_SECRET: REDACTED,
      db_password: REDACTED,
    });
  });

  it('redacts inside nested objects and arrays', () => {
    const input = {
      results: [
        { name: 'ci', token: 'abc' },
        { name: 'dev', credentials: { password: 'pw' } },
      ],
      page: { items: [[{ jwt: 'x' }]] },
    };
    expect(redact(input)).toEqual({
      results: [
        { name: 'ci', token: REDACTED },
        { name: 'dev', credentials: { password: REDACTED } },
      ],
      page: { items: [[{ jwt: REDACTED }]] },
    });
  });

  it('replaces a whole object or list under a secret key', () => {
    expect(redact({ auth: { user: 'u', pass: 'p' }, tokens: 'x' })).toEqual({ auth: REDACTED, tokens: 'x' });
  });

  it('keeps booleans and numbers under secret-looking keys (they are flags, not secrets)', () => {
    expect(redact({ token: true, password: false, refresh_token: 0 })).toEqual({ token: true, password: false, refresh_token: 0 });
  });

  it('keeps empty and null values so "not set" stays visible', () => {
    expect(redact({ token: null, secret: '', password: undefined })).toEqual({ token: null, secret: '', password: undefined });
  });
});

describe('secret-shaped values', () => {
  it('redacts PATs and OATs wherever they appear', () => {
    expect(redactString('created dckr_pat_AbC-123_xyz for ci')).toBe(`created ${REDACTED} for ci`);
    expect(redact({ note: 'use dckr_oat_Zz99-aa as the secret' })).toEqual({ note: `use ${REDACTED} as the secret` });
  });

  it('redacts a JWT inside free text', () => {
    const out = redactString(`upstream said: token=${JWT} expired`);
    expect(out).not.toContain(JWT);
    expect(out).toBe(`upstream said: token=${REDACTED} expired`);
  });

  it('keeps the scheme of Bearer and Basic credentials and hides the value', () => {
    expect(redactString('Authorization: Bearer xyz0123456789abcdef')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactString('sent Basic dXNlcjpwYXNzd29yZA==')).toBe(`sent Basic ${REDACTED}`);
  });

  it('redacts secret shapes in strings inside arrays', () => {
    expect(redact(['ok', 'dckr_pat_abcdef', JWT])).toEqual(['ok', REDACTED, REDACTED]);
  });
});

describe('registered secrets', () => {
  it('redacts an exact configured value that has no recognisable shape', () => {
    registerSecret('hunter2-correct-horse');
    expect(redact({ message: 'login with hunter2-correct-horse failed', list: ['hunter2-correct-horse'] })).toEqual({
      message: `login with ${REDACTED} failed`,
      list: [REDACTED],
    });
  });

  it('ignores values too short to be secrets (they would blank common words)', () => {
    registerSecret('abc');
    expect(redactString('abc def')).toBe('abc def');
  });
});

describe('reveal', () => {
  it('lets one value through under a secret key and in text, and nothing else', () => {
    const fresh = 'dckr_pat_FreshlyCreated1';
    const reveal = new Set([fresh]);
    const out = redact({ token: fresh, note: `your token is ${fresh}`, other: 'dckr_pat_SomeoneElse', password: 'pw' }, { reveal });
    expect(out).toEqual({ token: fresh, note: `your token is ${fresh}`, other: REDACTED, password: REDACTED });
  });
});

describe('everything else', () => {
  it('leaves non-secret data untouched and does not mutate the input', () => {
    const input = {
      name: 'library/alpine',
      tags: ['3.20', 'latest'],
      pull_count: 123456,
      is_private: false,
      digest: 'sha256:' + 'a'.repeat(64),
      description: 'A token of appreciation',
      last_updated: null,
    };
    const copy = structuredClone(input);
    const out = redact(input);
    expect(out).toEqual(copy);
    expect(input).toEqual(copy);
    expect(out).not.toBe(input);
  });

  it('passes primitives through', () => {
    expect(redact(42)).toBe(42);
    expect(redact(true)).toBe(true);
    expect(redact(null)).toBeNull();
  });

  // Regression: the same object reached twice (not a cycle) used to be replaced with '[circular]'.
  it('keeps an object that is referenced twice without being a cycle', () => {
    const snapshot = { limit: 100, remaining: 99 };
    expect(redact({ data: { hub: snapshot }, rate_limit: snapshot })).toEqual({ data: { hub: snapshot }, rate_limit: snapshot });
  });

  // BUG (reported): an Error has no enumerable fields, so it comes out as {} and its message is lost.
  it('shows an Error as its name and message (redacted), never its stack', () => {
    const out = redact({ error: new TypeError('login with dckr_pat_InMessage1 failed') }) as { error: unknown };
    expect(out.error).toEqual({ name: 'TypeError', message: `login with ${REDACTED} failed` });
  });

  it('stops at a real cycle', () => {
    const node: Record<string, unknown> = { name: 'loop' };
    node.self = node;
    expect(redact(node)).toEqual({ name: 'loop', self: '[circular]' });
  });
});

describe('tokens the server obtains', () => {
  it('redacts an opaque minted token by its exact value', () => {
    registerMintedSecret('opaque-registry-bearer-0001');
    expect(redactString('echo: opaque-registry-bearer-0001')).toBe(`echo: ${REDACTED}`);
  });

  it('keeps only the newest 128, so old tokens stop costing every redaction', () => {
    for (let i = 0; i < 130; i++) registerMintedSecret(`minted-token-${String(i).padStart(4, '0')}`);
    expect(redactString('minted-token-0000')).toBe('minted-token-0000');
    expect(redactString('minted-token-0129')).toBe(REDACTED);
  });
});
