// RFC 7235 WWW-Authenticate parsing as registries send it: quoted values holding commas, escaped
// quotes, several challenges in one header, token68 credentials, and junk that must not throw.
import { describe, expect, it } from 'vitest';
import { challengeScopes, parseWwwAuthenticate } from '../../../src/auth/www-authenticate.js';

describe('Bearer challenges', () => {
  it("parses Docker Hub's challenge", () => {
    const header = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"';
    expect(parseWwwAuthenticate(header)).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' },
      },
    ]);
  });

  it('a quoted scope holding commas stays one value, and the params after it still parse', () => {
    const [c] = parseWwwAuthenticate(
      'Bearer realm="https://auth.example.test/token",scope="repository:a/b:pull,push",service="reg.example.test"',
    );
    expect(c?.params).toEqual({ realm: 'https://auth.example.test/token', scope: 'repository:a/b:pull,push', service: 'reg.example.test' });
    expect(challengeScopes(c!)).toEqual(['repository:a/b:pull,push']);
  });

  it('several space-separated scopes come out one by one', () => {
    const [c] = parseWwwAuthenticate('Bearer realm="r",scope="repository:a/b:pull,push repository:c/d:pull"');
    expect(challengeScopes(c!)).toEqual(['repository:a/b:pull,push', 'repository:c/d:pull']);
  });

  it('a challenge without scope has no scopes', () => {
    const [c] = parseWwwAuthenticate('Bearer realm="https://auth.example.test/token",service="x"');
    expect(challengeScopes(c!)).toEqual([]);
  });

  it('error="insufficient_scope" is a param like any other', () => {
    const [c] = parseWwwAuthenticate(
      'Bearer realm="https://auth.example.test/token",service="reg",scope="repository:a/b:pull,push",error="insufficient_scope"',
    );
    expect(c?.params.error).toBe('insufficient_scope');
    expect(c?.params.scope).toBe('repository:a/b:pull,push');
  });

  it('escaped quotes and backslashes inside a quoted value are unescaped', () => {
    const [c] = parseWwwAuthenticate('Bearer realm="say \\"hi\\", then \\\\ go",service="s"');
    expect(c?.params.realm).toBe('say "hi", then \\ go');
    expect(c?.params.service).toBe('s');
  });

  it('unquoted token values', () => {
    const [c] = parseWwwAuthenticate('Bearer realm=https://auth.example.test/token,service=reg.example.test,scope=repository:a/b:pull');
    expect(c?.params).toEqual({ realm: 'https://auth.example.test/token', service: 'reg.example.test', scope: 'repository:a/b:pull' });
  });

  it('scheme and param names are case-insensitive; values keep their case', () => {
    const [c] = parseWwwAuthenticate('BEARER Realm="https://Auth.Example.test/Token", SERVICE="Reg"');
    expect(c).toEqual({ scheme: 'bearer', params: { realm: 'https://Auth.Example.test/Token', service: 'Reg' } });
  });

  it('tolerates spaces around = and extra commas', () => {
    const [c] = parseWwwAuthenticate('  Bearer   realm = "r" ,,  service= "s" , ');
    expect(c?.params).toEqual({ realm: 'r', service: 's' });
  });

  it('an empty quoted value is an empty string', () => {
    expect(parseWwwAuthenticate('Bearer realm="",service="s"')[0]?.params).toEqual({ realm: '', service: 's' });
  });
});

describe('several challenges in one header', () => {
  it('Basic then Bearer', () => {
    const challenges = parseWwwAuthenticate(
      'Basic realm="Registry Realm", Bearer realm="https://auth.example.test/token",service="reg.example.test",scope="repository:a/b:pull,push"',
    );
    expect(challenges).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.example.test/token', service: 'reg.example.test', scope: 'repository:a/b:pull,push' },
      },
    ]);
  });

  it('Bearer then Basic with a charset param', () => {
    const challenges = parseWwwAuthenticate('Bearer realm="r", Basic realm="b", charset="UTF-8"');
    expect(challenges.map((c) => c.scheme)).toEqual(['bearer', 'basic']);
    expect(challenges[1]?.params).toEqual({ realm: 'b', charset: 'UTF-8' });
  });

  it('a bare scheme between others', () => {
    const challenges = parseWwwAuthenticate('Negotiate, Bearer realm="r"');
    expect(challenges).toEqual([
      { scheme: 'negotiate', params: {} },
      { scheme: 'bearer', params: { realm: 'r' } },
    ]);
  });
});

describe('token68', () => {
  it('Negotiate abc== is a token68, not a param', () => {
    expect(parseWwwAuthenticate('Negotiate abc==')).toEqual([{ scheme: 'negotiate', params: {}, token68: 'abc==' }]);
  });

  it('a token68 challenge followed by a Bearer challenge', () => {
    const challenges = parseWwwAuthenticate('Negotiate YII+abc/9==, Bearer realm="https://auth.example.test/token"');
    expect(challenges).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'YII+abc/9==' },
      { scheme: 'bearer', params: { realm: 'https://auth.example.test/token' } },
    ]);
  });

  it('a param whose name looks like a token68 prefix is still a param', () => {
    expect(parseWwwAuthenticate('Bearer realm=abc')).toEqual([{ scheme: 'bearer', params: { realm: 'abc' } }]);
  });
});

describe('junk tolerance', () => {
  it.each([null, undefined, '', '   ', ',,,'])('%j gives no challenges', (header) => {
    expect(parseWwwAuthenticate(header)).toEqual([]);
  });

  it('keeps what parsed before a malformed remainder', () => {
    expect(parseWwwAuthenticate('Bearer realm="https://auth.example.test/token", @@@ {junk} "x"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.example.test/token' } },
    ]);
  });

  it('an unterminated quote takes the rest as the value', () => {
    expect(parseWwwAuthenticate('Bearer realm="https://auth.example.test/token')[0]?.params.realm).toBe('https://auth.example.test/token');
  });

  it.each([
    '=',
    '="x"',
    'Bearer ===',
    'Bearer realm=',
    'Bearer realm="a\\',
    '"quoted" Bearer',
    'Bearer realm="r" service="s" scope',
    '\u0000\u0001 Bearer',
    'Basic ,= ,="',
  ])('never throws on %j', (header) => {
    expect(Array.isArray(parseWwwAuthenticate(header))).toBe(true);
  });
});
