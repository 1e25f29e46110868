// Image references: the Docker reference grammar (`nginx`, `nginx:1.27`, `docker.io/library/nginx`,
// `ghcr.io/o/r:tag`, `localhost:5000/x@sha256:…`), Docker Hub normalisation, and validation of
// every part before it is put into a URL.
import { ToolError } from '../http/errors.js';

const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
const HOST =
  /^(?:localhost|\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::\d{1,5})?$/;

export const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

export interface Registry {
  /** Origin used for requests, e.g. https://registry-1.docker.io or http://127.0.0.1:5000 */
  origin: string;
  /** host[:port] as users write it. */
  host: string;
  dockerHub: boolean;
}

export interface ImageRef {
  registry: Registry;
  /** Repository path inside the registry, e.g. library/nginx */
  repository: string;
  tag?: string;
  digest?: string;
}

export interface ReferenceDefaults {
  /** DOCKER_REGISTRY_URL: where references without a host go. */
  registryUrl: string;
}

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

export function validateDigest(value: string, field = 'digest'): string {
  if (!isDigest(value)) {
    const hint = /^sha256:/.test(value) ? 'sha256 needs 64 lowercase hex characters' : "use the form 'sha256:<64 hex>'";
    throw new ToolError('invalid_argument', `'${field}' is not a valid digest (${value.slice(0, 80)}): ${hint}`);
  }
  return value;
}

export function validateTag(value: string, field = 'reference'): string {
  if (!TAG.test(value)) {
    throw new ToolError(
      'invalid_argument',
      `'${field}' is not a valid tag (${value.slice(0, 80)}): up to 128 of [A-Za-z0-9_.-], not starting with '.' or '-'`,
    );
  }
  return value;
}

function validateRepository(path: string, input: string): string {
  if (path.length === 0 || path.length > 255)
    throw new ToolError('invalid_argument', `repository name '${input.slice(0, 80)}' must be 1..255 characters`);
  for (const component of path.split('/')) {
    if (!COMPONENT.test(component)) {
      throw new ToolError(
        'invalid_argument',
        `repository name '${input.slice(0, 120)}' is invalid at '${component.slice(0, 60)}': components are lowercase letters and digits separated by '.', '_', '__' or '-'`,
      );
    }
  }
  return path;
}

export function registryFromUrl(url: string): Registry {
  const parsed = new URL(url);
  const dockerHub = DOCKER_HUB_HOSTS.has(parsed.hostname);
  return { origin: parsed.origin, host: parsed.host, dockerHub };
}

/** The grammar allows any 1-5 digit port; a URL does not, so an out-of-range one is refused here. */
function checkPort(host: string): void {
  const port = /:(\d+)$/.exec(host)?.[1];
  if (port === undefined) return;
  const value = Number(port);
  if (value < 1 || value > 65535)
    throw new ToolError('invalid_argument', `registry host '${host.slice(0, 80)}': port ${port} is out of range 1–65535`);
}

/** The registry a host named in a reference stands for (docker.io → the configured Hub URL). */
export function registryForHost(host: string, defaults: ReferenceDefaults): Registry {
  if (!HOST.test(host)) throw new ToolError('invalid_argument', `registry host '${host.slice(0, 80)}' is not a valid host[:port]`);
  checkPort(host);
  const lower = host.toLowerCase();
  if (DOCKER_HUB_HOSTS.has(lower)) {
    const configured = registryFromUrl(defaults.registryUrl);
    return configured.dockerHub ? configured : registryFromUrl('https://registry-1.docker.io');
  }
  const configured = registryFromUrl(defaults.registryUrl);
  if (configured.host.toLowerCase() === lower) return configured;
  const bare = lower.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  // Plain http only for loopback: every other registry is reached over TLS.
  const loopback = bare === 'localhost' || bare === '::1' || /^127\./.test(bare);
  return { origin: `${loopback ? 'http' : 'https'}://${lower}`, host: lower, dockerHub: false };
}

/**
 * Parses `repo` (optionally with host, tag and digest) and an optional separate `reference`
 * (tag or digest). A tag or digest in both places must agree.
 */
export function parseImageRef(repo: string, reference: string | undefined, defaults: ReferenceDefaults): ImageRef {
  const input = repo.trim();
  if (input.length === 0) throw new ToolError('invalid_argument', "'repo' is empty");
  if (/[\s%\\?#]/.test(input) || input.includes('..') || input.startsWith('/') || input.endsWith('/') || input.includes('//')) {
    throw new ToolError(
      'invalid_argument',
      `'repo' '${input.slice(0, 120)}' contains characters or path tricks not allowed in an image name`,
    );
  }
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = validateDigest(rest.slice(at + 1), 'repo');
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    tag = validateTag(rest.slice(lastColon + 1), 'repo');
    rest = rest.slice(0, lastColon);
  }

  let registry: Registry;
  let path = rest;
  const firstSlash = rest.indexOf('/');
  const first = firstSlash >= 0 ? rest.slice(0, firstSlash) : '';
  if (firstSlash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))) {
    if (!HOST.test(first)) throw new ToolError('invalid_argument', `registry host '${first.slice(0, 80)}' is not a valid host[:port]`);
    checkPort(first);
    registry = registryForHost(first, defaults);
    path = rest.slice(firstSlash + 1);
  } else {
    registry = registryFromUrl(defaults.registryUrl);
  }
  if (registry.dockerHub && !path.includes('/')) path = `library/${path}`;
  validateRepository(path, input);

  if (reference !== undefined && reference.trim().length > 0) {
    const ref = reference.trim();
    if (ref.includes(':')) {
      const given = validateDigest(ref, 'reference');
      if (digest && digest !== given)
        throw new ToolError('invalid_argument', `'repo' names digest ${digest} but 'reference' names ${given}`);
      digest = given;
    } else {
      const given = validateTag(ref, 'reference');
      if (tag && tag !== given) throw new ToolError('invalid_argument', `'repo' names tag '${tag}' but 'reference' names '${given}'`);
      tag = given;
    }
  }
  const result: ImageRef = { registry, repository: path };
  if (tag !== undefined) result.tag = tag;
  if (digest !== undefined) result.digest = digest;
  return result;
}

/** The tag or digest to put in a manifest URL; a digest wins (it is exact). */
export function manifestReference(ref: ImageRef, fallbackTag = 'latest'): string {
  return ref.digest ?? ref.tag ?? fallbackTag;
}

/** `host/repository[:tag][@digest]`, the way users write it. */
export function formatRef(ref: ImageRef): string {
  const host = ref.registry.dockerHub ? 'docker.io' : ref.registry.host;
  return `${host}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The referrers tag-schema fallback: `sha256:abc…` → `sha256-abc…` (encoded part ≤ 64). */
export function referrersFallbackTag(digest: string): string {
  const [algorithm = '', encoded = ''] = digest.split(':');
  return `${algorithm.slice(0, 32)}-${encoded.slice(0, 64)}`.replace(/[^A-Za-z0-9_.-]/g, '-');
}
