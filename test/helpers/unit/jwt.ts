// Unsigned, well-formed JWTs for tests: three base64url segments, decodable by jose's decodeJwt.
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

export function fakeJwt(payload: Record<string, unknown>): string {
  return `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(payload)}.${Buffer.from('not-a-real-signature').toString('base64url')}`;
}

/** A Hub-shaped JWT: standard claims plus Hub's own nested under its URL-named key. */
export function hubJwt(options: { username: string; exp: number; iat?: number; email?: string }): string {
  return fakeJwt({
    sub: `uuid-of-${options.username}`,
    iss: 'https://login.docker.com/',
    exp: options.exp,
    iat: options.iat ?? options.exp - 3600,
    'https://hub.docker.com': {
      username: options.username,
      email: options.email ?? `${options.username}@example.com`,
      uuid: `uuid-of-${options.username}`,
    },
  });
}
