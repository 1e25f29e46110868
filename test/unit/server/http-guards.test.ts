import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { bearerMatches, BodyTooLarge, hostAllowed, originAllowed, readBody } from '../../../src/server/http-guards.js';

const LOOPBACK = { host: '127.0.0.1', allowedHosts: [] as string[] };

describe('hostAllowed', () => {
  it.each(['localhost', 'localhost:8000', 'LOCALHOST:8000', '127.0.0.1', '127.0.0.1:8000', '127.9.8.7:1', '[::1]', '[::1]:8000'])(
    'accepts loopback %s',
    (host) => {
      expect(hostAllowed(host, LOOPBACK)).toBe(true);
    },
  );

  it.each(['evil.example', 'evil.example:8000', 'localhost.evil.example', '127.0.0.1.nip.io', '10.0.0.5:8000', '[::2]:8000'])(
    'refuses %s (DNS rebinding)',
    (host) => {
      expect(hostAllowed(host, LOOPBACK)).toBe(false);
    },
  );

  it('refuses a missing or empty Host', () => {
    expect(hostAllowed(undefined, LOOPBACK)).toBe(false);
    expect(hostAllowed('', LOOPBACK)).toBe(false);
  });

  it('accepts MCP_ALLOWED_HOSTS entries: a bare name matches any port, name:port only that port', () => {
    const config = { host: '127.0.0.1', allowedHosts: ['mcp.example.com', 'Other.Example:8443'] };
    expect(hostAllowed('mcp.example.com', config)).toBe(true);
    expect(hostAllowed('MCP.example.com:9000', config)).toBe(true);
    expect(hostAllowed('other.example:8443', config)).toBe(true);
    expect(hostAllowed('other.example:9000', config)).toBe(false);
    expect(hostAllowed('other.example', config)).toBe(false);
    expect(hostAllowed('evil.example', config)).toBe(false);
    expect(hostAllowed('sub.mcp.example.com', config)).toBe(false);
  });

  it('accepts the address the server is bound to, but not a wildcard bind address', () => {
    expect(hostAllowed('192.168.1.20:8000', { host: '192.168.1.20', allowedHosts: [] })).toBe(true);
    expect(hostAllowed('0.0.0.0:8000', { host: '0.0.0.0', allowedHosts: [] })).toBe(false);
    expect(hostAllowed('[::]:8000', { host: '::', allowedHosts: [] })).toBe(false);
  });
});

describe('originAllowed', () => {
  const none = { allowedOrigins: [] as string[] };

  it('allows a request without Origin (not a browser)', () => {
    expect(originAllowed(undefined, none)).toBe(true);
  });

  it.each(['http://localhost:3000', 'http://127.0.0.1:8000', 'https://localhost', 'http://[::1]:6274'])(
    'allows loopback origin %s',
    (origin) => {
      expect(originAllowed(origin, none)).toBe(true);
    },
  );

  it.each(['https://evil.example', 'http://localhost.evil.example', 'null', 'not a url', 'file:///etc/passwd'])('refuses %s', (origin) => {
    expect(originAllowed(origin, none)).toBe(false);
  });

  it('allows listed origins, ignoring case and a trailing slash in the list', () => {
    const config = { allowedOrigins: ['https://App.Example.com/', 'http://tools.example:8080'] };
    expect(originAllowed('https://app.example.com', config)).toBe(true);
    expect(originAllowed('http://tools.example:8080', config)).toBe(true);
    expect(originAllowed('http://tools.example:9090', config)).toBe(false);
    expect(originAllowed('http://app.example.com', config)).toBe(false);
    expect(originAllowed('https://evil.example', config)).toBe(false);
    expect(originAllowed('null', config)).toBe(false);
  });
});

describe('bearerMatches', () => {
  const expected = 's3cret-Token';

  it('accepts exactly the configured token, with any casing of the scheme', () => {
    expect(bearerMatches('Bearer s3cret-Token', expected)).toBe(true);
    expect(bearerMatches('bearer s3cret-Token', expected)).toBe(true);
  });

  it.each([
    ['a different token', 'Bearer other'],
    ['a prefix of the token', 'Bearer s3cret'],
    ['the token plus more', 'Bearer s3cret-Token2'],
    ['a different case', 'Bearer S3CRET-TOKEN'],
    ['another scheme', 'Basic s3cret-Token'],
    ['no scheme', 's3cret-Token'],
    ['an empty bearer', 'Bearer '],
    ['an empty header', ''],
  ])('refuses %s', (_label, header) => {
    expect(bearerMatches(header, expected)).toBe(false);
  });

  it('refuses a missing header', () => {
    expect(bearerMatches(undefined, expected)).toBe(false);
  });

  it('an empty expected token matches nothing', () => {
    expect(bearerMatches('Bearer ', '')).toBe(false);
    expect(bearerMatches(undefined, '')).toBe(false);
    expect(bearerMatches('Bearer x', '')).toBe(false);
  });
});

describe('readBody', () => {
  const request = (chunks: string[], headers: Record<string, string> = {}): IncomingMessage =>
    Object.assign(Readable.from(chunks.map((c) => Buffer.from(c))), { headers }) as unknown as IncomingMessage;

  it('reads a body within the limit', async () => {
    expect((await readBody(request(['{"a":', '1}']), 100)).toString()).toBe('{"a":1}');
  });

  it('refuses a declared length over the limit', async () => {
    await expect(readBody(request(['x'], { 'content-length': '5000' }), 1024)).rejects.toBeInstanceOf(BodyTooLarge);
  });

  it('refuses a body that grows over the limit without declaring it', async () => {
    await expect(readBody(request(['a'.repeat(600), 'b'.repeat(600)]), 1024)).rejects.toBeInstanceOf(BodyTooLarge);
  });
});
