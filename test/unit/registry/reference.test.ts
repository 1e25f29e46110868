// Image references: the grammar users type (`nginx`, `ghcr.io/o/r:tag`, `localhost:5000/x@sha256:…`),
// Docker Hub normalisation, the registry origin each one reaches, and refusal of anything that
// could smuggle a path or bad characters into a URL.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../../src/http/errors.js';
import {
  formatRef,
  manifestReference,
  parseImageRef,
  referrersFallbackTag,
  registryForHost,
  validateDigest,
  validateTag,
  type ImageRef,
} from '../../../src/registry/reference.js';

const HUB = { registryUrl: 'https://registry-1.docker.io' };
const LOCAL = { registryUrl: 'http://127.0.0.1:5000' };
const HUB_REGISTRY = { origin: 'https://registry-1.docker.io', host: 'registry-1.docker.io', dockerHub: true };

const hex = (seed: string): string => createHash('sha256').update(seed).digest('hex');
const D1 = `sha256:${hex('one')}`;
const D2 = `sha256:${hex('two')}`;

function invalid(fn: () => unknown): ToolError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).type).toBe('invalid_argument');
    return error as ToolError;
  }
  throw new Error('expected an invalid_argument ToolError');
}

describe('references on Docker Hub (the default registry)', () => {
  it('nginx is library/nginx on registry-1.docker.io with no tag (manifest reference falls back to latest)', () => {
    const ref = parseImageRef('nginx', undefined, HUB);
    expect(ref).toEqual({ registry: HUB_REGISTRY, repository: 'library/nginx' });
    expect(ref.tag).toBeUndefined();
    expect(ref.digest).toBeUndefined();
    expect(manifestReference(ref)).toBe('latest');
  });

  it('nginx:1.27 carries the tag', () => {
    expect(parseImageRef('nginx:1.27', undefined, HUB)).toEqual({ registry: HUB_REGISTRY, repository: 'library/nginx', tag: '1.27' });
  });

  it('library/nginx@sha256:<64 hex> carries the digest, which wins as the manifest reference', () => {
    const ref = parseImageRef(`library/nginx@${D1}`, undefined, HUB);
    expect(ref).toEqual({ registry: HUB_REGISTRY, repository: 'library/nginx', digest: D1 });
    expect(manifestReference(ref)).toBe(D1);
  });

  it('name:tag@digest keeps both; the digest is what gets fetched', () => {
    const ref = parseImageRef(`nginx:1.27@${D1}`, undefined, HUB);
    expect(ref).toMatchObject({ repository: 'library/nginx', tag: '1.27', digest: D1 });
    expect(manifestReference(ref)).toBe(D1);
  });

  it('a two-part name is a user repository, not library/', () => {
    expect(parseImageRef('bitnami/redis:7', undefined, HUB)).toEqual({ registry: HUB_REGISTRY, repository: 'bitnami/redis', tag: '7' });
  });

  it.each(['docker.io/x/y', 'index.docker.io/x/y', 'registry-1.docker.io/x/y', 'registry.hub.docker.com/x/y', 'DOCKER.IO/x/y'])(
    '%s goes to registry-1.docker.io as x/y',
    (input) => {
      expect(parseImageRef(input, undefined, HUB)).toEqual({ registry: HUB_REGISTRY, repository: 'x/y' });
    },
  );

  it('docker.io/nginx gets library/', () => {
    expect(parseImageRef('docker.io/nginx:alpine', undefined, HUB)).toEqual({
      registry: HUB_REGISTRY,
      repository: 'library/nginx',
      tag: 'alpine',
    });
  });

  it('formats back the way users write it', () => {
    expect(formatRef(parseImageRef('nginx:1.27', undefined, HUB))).toBe('docker.io/library/nginx:1.27');
    expect(formatRef(parseImageRef(`ghcr.io/o/r@${D1}`, undefined, HUB))).toBe(`ghcr.io/o/r@${D1}`);
  });
});

describe('references naming another registry', () => {
  it('ghcr.io/o/r:tag goes to https://ghcr.io', () => {
    expect(parseImageRef('ghcr.io/o/r:tag', undefined, HUB)).toEqual({
      registry: { origin: 'https://ghcr.io', host: 'ghcr.io', dockerHub: false },
      repository: 'o/r',
      tag: 'tag',
    });
  });

  it('a single-name repository on another registry is not prefixed with library/', () => {
    expect(parseImageRef('quay.io/prometheus', undefined, HUB).repository).toBe('prometheus');
  });

  it('localhost:5000/x is reached over plain http (loopback), with no tag', () => {
    const ref = parseImageRef('localhost:5000/x', undefined, HUB);
    expect(ref).toEqual({ registry: { origin: 'http://localhost:5000', host: 'localhost:5000', dockerHub: false }, repository: 'x' });
  });

  it('localhost:5000/x:1 separates port from tag', () => {
    expect(parseImageRef('localhost:5000/x:1', undefined, HUB)).toMatchObject({
      registry: { origin: 'http://localhost:5000' },
      repository: 'x',
      tag: '1',
    });
  });

  it('127.0.0.1:5000/a/b@sha256:… is loopback http with a digest', () => {
    expect(parseImageRef(`127.0.0.1:5000/a/b@${D1}`, undefined, HUB)).toEqual({
      registry: { origin: 'http://127.0.0.1:5000', host: '127.0.0.1:5000', dockerHub: false },
      repository: 'a/b',
      digest: D1,
    });
  });

  it('[::1]:5000/x is IPv6 loopback over http', () => {
    expect(parseImageRef('[::1]:5000/x:v1', undefined, HUB)).toEqual({
      registry: { origin: 'http://[::1]:5000', host: '[::1]:5000', dockerHub: false },
      repository: 'x',
      tag: 'v1',
    });
  });

  it('a non-loopback host with a port is reached over https', () => {
    expect(parseImageRef('reg.example.test:8443/team/app', undefined, HUB).registry).toEqual({
      origin: 'https://reg.example.test:8443',
      host: 'reg.example.test:8443',
      dockerHub: false,
    });
  });

  it('registryForHost: plain http only for loopback hosts', () => {
    expect(registryForHost('reg.example.test', HUB).origin).toBe('https://reg.example.test');
    expect(registryForHost('10.0.0.5:5000', HUB).origin).toBe('https://10.0.0.5:5000');
    expect(registryForHost('127.0.0.2:5000', HUB).origin).toBe('http://127.0.0.2:5000');
    expect(registryForHost('localhost', HUB).origin).toBe('http://localhost');
    expect(registryForHost('docker.io', HUB)).toEqual(HUB_REGISTRY);
  });
});

describe('repo plus a separate reference', () => {
  it('reference as a tag', () => {
    expect(parseImageRef('nginx', '1.27', HUB)).toMatchObject({ repository: 'library/nginx', tag: '1.27' });
  });

  it('reference as a digest', () => {
    const ref = parseImageRef('nginx', D1, HUB);
    expect(ref.digest).toBe(D1);
    expect(ref.tag).toBeUndefined();
  });

  it('agreeing tag or digest in both places is fine', () => {
    expect(parseImageRef('nginx:1.27', '1.27', HUB).tag).toBe('1.27');
    expect(parseImageRef(`nginx@${D1}`, D1, HUB).digest).toBe(D1);
  });

  it('a tag in repo and a digest in reference combine', () => {
    expect(parseImageRef('nginx:1.27', D1, HUB)).toMatchObject({ tag: '1.27', digest: D1 });
  });

  it('a conflicting tag is refused, naming both', () => {
    const error = invalid(() => parseImageRef('nginx:1.27', '1.28', HUB));
    expect(error.message).toContain('1.27');
    expect(error.message).toContain('1.28');
  });

  it('a conflicting digest is refused', () => {
    invalid(() => parseImageRef(`nginx@${D1}`, D2, HUB));
  });

  it('a blank reference is ignored', () => {
    expect(parseImageRef('nginx:1.27', '  ', HUB).tag).toBe('1.27');
  });

  it.each(['sha256:abc', 'latest tag', '-x', '.hidden', `sha256:${hex('x').toUpperCase()}`])(
    'a bad reference %j is refused',
    (reference) => {
      invalid(() => parseImageRef('nginx', reference, HUB));
    },
  );
});

describe('malformed input is an invalid_argument before any URL is built', () => {
  it.each([
    ['digest too short', 'nginx@sha256:abc'],
    ['digest 63 hex', `nginx@sha256:${hex('a').slice(1)}`],
    ['digest 65 hex', `nginx@sha256:${hex('a')}0`],
    ['digest uppercase hex', `nginx@sha256:${hex('a').toUpperCase()}`],
    ['md5 digest', `nginx@md5:${hex('a').slice(0, 32)}`],
    ['empty digest', 'nginx@'],
    ['empty tag', 'nginx:'],
    ['tag starting with -', 'nginx:-bad'],
    ['tag starting with .', 'nginx:.bad'],
    ['tag with a bad character', 'nginx:a+b'],
    ['tag over 128 characters', `nginx:${'a'.repeat(129)}`],
    ['uppercase name', 'Nginx'],
    ['uppercase path', 'library/NGINX'],
    ['uppercase path on another host', 'ghcr.io/Owner/repo'],
    ['dot-dot', '../etc/passwd'],
    ['dot-dot in the middle', 'a/../b'],
    ['encoded slash', 'a%2fb'],
    ['encoded slash segment', 'ghcr.io/o/%2f/r'],
    ['space inside', 'ngi nx'],
    ['space before the tag', 'nginx :1'],
    ['leading slash', '/nginx'],
    ['trailing slash', 'nginx/'],
    ['double slash', 'a//b'],
    ['query', 'nginx?x=1'],
    ['fragment', 'nginx#x'],
    ['backslash', 'a\\b'],
    ['empty', ''],
    ['blank', '   '],
    ['separator at the end of a component', 'nginx-'],
    ['bad host', 'bad_host.example:99999999/x'],
  ])('%s: %j', (_why, input) => {
    invalid(() => parseImageRef(input, undefined, HUB));
  });

  it('the tag limit is 128 characters, inclusive', () => {
    expect(parseImageRef(`nginx:${'a'.repeat(128)}`, undefined, HUB).tag).toHaveLength(128);
  });

  it('a sha512 digest (128 hex) is accepted', () => {
    const digest = `sha512:${createHash('sha512').update('x').digest('hex')}`;
    expect(parseImageRef(`nginx@${digest}`, undefined, HUB).digest).toBe(digest);
  });

  it('validateDigest explains the sha256 form', () => {
    expect(invalid(() => validateDigest('sha256:abc')).message).toContain('64 lowercase hex');
    expect(validateDigest(D1)).toBe(D1);
  });

  it('validateTag accepts the tag grammar and refuses the rest', () => {
    expect(validateTag('v1.2.3-rc_1')).toBe('v1.2.3-rc_1');
    invalid(() => validateTag('a/b'));
  });
});

describe('DOCKER_REGISTRY_URL pointing at a local registry', () => {
  const LOCAL_REGISTRY = { origin: 'http://127.0.0.1:5000', host: '127.0.0.1:5000', dockerHub: false };

  it('a single name goes to the local registry and is NOT prefixed with library/', () => {
    expect(parseImageRef('nginx:1', undefined, LOCAL)).toEqual({ registry: LOCAL_REGISTRY, repository: 'nginx', tag: '1' });
  });

  it('a two-part name goes there too', () => {
    expect(parseImageRef('team/app', undefined, LOCAL)).toEqual({ registry: LOCAL_REGISTRY, repository: 'team/app' });
  });

  it('naming its host explicitly reaches the same registry', () => {
    expect(parseImageRef('127.0.0.1:5000/nginx', undefined, LOCAL)).toEqual({ registry: LOCAL_REGISTRY, repository: 'nginx' });
  });

  it('docker.io still means Docker Hub, with library/', () => {
    expect(parseImageRef('docker.io/nginx', undefined, LOCAL)).toEqual({ registry: HUB_REGISTRY, repository: 'library/nginx' });
  });

  it('an https mirror as default keeps https and no library/ prefix', () => {
    const ref: ImageRef = parseImageRef('alpine', undefined, { registryUrl: 'https://mirror.example.test' });
    expect(ref).toEqual({
      registry: { origin: 'https://mirror.example.test', host: 'mirror.example.test', dockerHub: false },
      repository: 'alpine',
    });
  });
});

describe('referrersFallbackTag', () => {
  it('sha256:<hex> becomes sha256-<hex>, a valid tag', () => {
    const tag = referrersFallbackTag(D1);
    expect(tag).toBe(`sha256-${hex('one')}`);
    expect(validateTag(tag)).toBe(tag);
  });

  it('sha512 keeps the first 64 hex characters', () => {
    const encoded = createHash('sha512').update('x').digest('hex');
    expect(referrersFallbackTag(`sha512:${encoded}`)).toBe(`sha512-${encoded.slice(0, 64)}`);
  });
});
