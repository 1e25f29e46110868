// The test side's own minimal registry client, independent of src/registry, used to push fixtures
// and read them back: blob upload (POST, then PUT ?digest=, streaming large blobs with a fixed
// Content-Length), manifest PUT/GET, tag listing. Auth is proactive (no challenge round trip per
// request): an AuthProvider returns the Authorization value for a repository.
import { request as httpRequest } from 'node:http';
import type { RegistryHandle } from './launch.js';
import { sha256Digest, type StreamBlob } from './blob-stream.js';

/** Returns the Authorization header value for requests on `repo` (null = registry-wide, e.g. /v2/ or the catalog). */
export type AuthProvider = (repo: string | null) => Promise<string | undefined>;

export function basicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export function basicAuth(user: string, password: string): AuthProvider {
  const header = basicHeader(user, password);
  return async () => header;
}

export interface TokenAuthOptions {
  realm: string;
  service: string;
  /** Omit for anonymous tokens. */
  user?: string;
  password?: string;
  /** Actions asked for on each repository. Default ['pull', 'push', 'delete']. */
  actions?: string[];
}

/** Bearer tokens from a distribution token service, one per repository, cached until 10 s before expiry. */
export function tokenAuth(opts: TokenAuthOptions): AuthProvider {
  const cache = new Map<string, { header: string; until: number }>();
  const actions = (opts.actions ?? ['pull', 'push', 'delete']).join(',');
  return async (repo) => {
    const scope = repo === null ? 'registry:catalog:*' : `repository:${repo}:${actions}`;
    const hit = cache.get(scope);
    if (hit && hit.until > Date.now()) return hit.header;
    const url = new URL(opts.realm);
    url.searchParams.set('service', opts.service);
    url.searchParams.append('scope', scope);
    const res = await fetch(url, {
      headers: opts.user !== undefined ? { authorization: basicHeader(opts.user, opts.password ?? '') } : {},
    });
    if (res.status !== 200) throw new Error(`token service answered ${res.status} for ${scope}: ${await res.text()}`);
    const body = (await res.json()) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error('token service answered without a token');
    const header = `Bearer ${token}`;
    cache.set(scope, { header, until: Date.now() + ((body.expires_in ?? 60) - 10) * 1000 });
    return header;
  };
}

/**
 * The right provider for a started registry: none → undefined; htpasswd → Basic; token → bearer
 * tokens from its token service. `user` defaults to the first configured user; null = anonymous.
 */
export function authFor(handle: RegistryHandle, user?: string | null): AuthProvider | undefined {
  const name = user === undefined ? Object.keys(handle.users)[0] : user;
  if (handle.auth === 'none') return undefined;
  if (handle.auth === 'htpasswd') return name === null || name === undefined ? undefined : basicAuth(name, handle.users[name] ?? '');
  const ts = handle.tokenService!;
  return tokenAuth({
    realm: ts.realm,
    service: ts.service,
    ...(name !== null && name !== undefined ? { user: name, password: handle.users[name] ?? '' } : {}),
  });
}

export interface PushedBlob {
  digest: string;
  size: number;
}

export interface ManifestResponse {
  status: number;
  bytes: Buffer;
  mediaType: string | null;
  /** Docker-Content-Digest header, if sent. */
  digest: string | null;
  headers: Headers;
}

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export class PushClient {
  readonly baseUrl: string;
  readonly auth: AuthProvider | undefined;

  constructor(baseUrl: string, auth?: AuthProvider) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.auth = auth;
  }

  /** A client for a started registry, optionally going through a proxy (`via` = the proxy's url). */
  static for(handle: RegistryHandle, opts: { user?: string | null; via?: string } = {}): PushClient {
    return new PushClient(opts.via ?? handle.url, authFor(handle, opts.user));
  }

  private async headers(repo: string | null, extra: Record<string, string> = {}): Promise<Record<string, string>> {
    const authorization = await this.auth?.(repo);
    return authorization ? { ...extra, authorization } : extra;
  }

  /** A request on `pathOrUrl` (relative to the base URL) with auth for `repo`. */
  async request(
    method: string,
    pathOrUrl: string,
    repo: string | null,
    init: { headers?: Record<string, string>; body?: Buffer | string } = {},
  ): Promise<Response> {
    const url = new URL(pathOrUrl, `${this.baseUrl}/`);
    return fetch(url, {
      method,
      headers: await this.headers(repo, init.headers),
      ...(init.body !== undefined ? { body: init.body } : {}),
      redirect: 'manual',
    });
  }

  async blobExists(repo: string, digest: string): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${repo}/blobs/${digest}`, repo);
    return res.status === 200;
  }

  /** Uploads a blob (monolithic POST + PUT). Buffers go in one PUT; StreamBlobs stream with a fixed Content-Length. */
  async pushBlob(repo: string, data: Buffer | StreamBlob, opts: { skipExisting?: boolean } = {}): Promise<PushedBlob> {
    const digest = Buffer.isBuffer(data) ? sha256Digest(data) : data.digest;
    const size = Buffer.isBuffer(data) ? data.length : data.size;
    if (opts.skipExisting !== false && (await this.blobExists(repo, digest))) return { digest, size };
    const start = await this.request('POST', `/v2/${repo}/blobs/uploads/`, repo, { headers: { 'content-length': '0' } });
    await start.arrayBuffer();
    const location = start.headers.get('location');
    if (start.status !== 202 || !location) throw new Error(`upload start on ${repo} answered ${start.status}`);
    const put = new URL(location, `${this.baseUrl}/`);
    put.searchParams.set('digest', digest);
    if (Buffer.isBuffer(data)) {
      const res = await fetch(put, {
        method: 'PUT',
        headers: await this.headers(repo, { 'content-type': 'application/octet-stream' }),
        body: data,
      });
      const text = await res.text();
      if (res.status !== 201) throw new Error(`blob PUT ${digest} on ${repo} answered ${res.status}: ${text}`);
    } else {
      await this.putStream(put, repo, data);
    }
    return { digest, size };
  }

  private async putStream(url: URL, repo: string, blob: StreamBlob): Promise<void> {
    const headers = await this.headers(repo, { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) });
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(url, { method: 'PUT', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.once('end', () =>
          res.statusCode === 201 ? resolve() : reject(new Error(`blob PUT ${blob.digest} answered ${res.statusCode}: ${text}`)),
        );
      });
      req.once('error', reject);
      const source = blob.open();
      source.once('error', (err) => req.destroy(err));
      source.pipe(req);
    });
  }

  /** PUTs manifest bytes exactly as given; returns the digest of those bytes and the response headers. */
  async pushManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<{ digest: string; headers: Headers }> {
    const res = await this.request('PUT', `/v2/${repo}/manifests/${reference}`, repo, {
      headers: { 'content-type': mediaType },
      body: bytes,
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`manifest PUT ${repo}:${reference} answered ${res.status}: ${text}`);
    const digest = sha256Digest(bytes);
    const sent = res.headers.get('docker-content-digest');
    if (sent && sent !== digest) throw new Error(`registry stored ${sent}, expected ${digest}`);
    return { digest, headers: res.headers };
  }

  async getManifest(repo: string, reference: string, accept = MANIFEST_ACCEPT): Promise<ManifestResponse> {
    const res = await this.request('GET', `/v2/${repo}/manifests/${reference}`, repo, { headers: { accept } });
    return {
      status: res.status,
      bytes: Buffer.from(await res.arrayBuffer()),
      mediaType: res.headers.get('content-type'),
      digest: res.headers.get('docker-content-digest'),
      headers: res.headers,
    };
  }

  async getBlob(repo: string, digest: string): Promise<Buffer> {
    const res = await this.request('GET', `/v2/${repo}/blobs/${digest}`, repo);
    if (res.status !== 200) throw new Error(`blob GET ${digest} on ${repo} answered ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }

  /** Every tag of `repo`, following Link headers. */
  async listTags(repo: string, pageSize?: number): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = `/v2/${repo}/tags/list${pageSize ? `?n=${pageSize}` : ''}`;
    while (next) {
      const res = await this.request('GET', next, repo);
      if (res.status !== 200) throw new Error(`tags/list on ${repo} answered ${res.status}`);
      tags.push(...(((await res.json()) as { tags?: string[] | null }).tags ?? []));
      next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.headers.get('link') ?? '')?.[1];
    }
    return tags;
  }
}
