// Unit-test fixtures for the registry client: content with real sha256 digests (images, OCI
// indexes with buildx-style attestations), an msw harness that logs every request, a fake
// registry (manifests, blobs, tags, Bearer token auth) served by msw handlers, and an AppContext
// whose every upstream request goes through globalThis.fetch so msw sees it.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse, type RequestHandler } from 'msw';
import { setupServer, type SetupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { loadConfig, type Config } from '../../../src/config.js';
import { createAppContext, type AppContext } from '../../../src/context.js';
import { silentLogger } from '../../../src/log.js';
import { callTool, type CallResult, type ToolSpec } from '../../../src/tools/framework.js';
import { createHubAdminTool } from '../../../src/tools/hub-admin.js';
import { createHubRegistryTool } from '../../../src/tools/hub-registry.js';
import type { Descriptor, Platform as PlatformSpec } from '../../../src/registry/platform.js';
import { checkedOutput } from '../output-check.js';

export const MT = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  inToto: 'application/vnd.in-toto+json',
} as const;

export const HUB_ORIGIN = 'https://registry-1.docker.io';
export const HUB_REALM = 'https://auth.docker.io/token';
export const HUB_SERVICE = 'registry.docker.io';
export const REG_ORIGIN = 'https://reg.example.test';
export const REG_HOST = 'reg.example.test';
export const REG_REALM = 'https://auth.example.test/token';
export const REG_SERVICE = 'reg.example.test';

// ---------------------------------------------------------------------------------------------
// Content

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Some bytes with their digest and media type. */
export interface Content {
  bytes: Buffer;
  digest: string;
  size: number;
  mediaType: string;
}

export function content(data: Buffer | string, mediaType: string): Content {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
  return { bytes, digest: sha256(bytes), size: bytes.byteLength, mediaType };
}

export function jsonContent(value: unknown, mediaType: string): Content {
  return content(JSON.stringify(value), mediaType);
}

// One shape for descriptors and platforms: the server's own (test helpers never redeclare them).
export type { Descriptor, PlatformSpec };

export function descriptor(c: Content, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType: c.mediaType, digest: c.digest, size: c.size, ...extra };
}

export interface ImageSpec {
  platform: PlatformSpec;
  created?: string;
  env?: string[];
  entrypoint?: string[] | null;
  cmd?: string[] | null;
  user?: string;
  labels?: Record<string, string>;
  exposedPorts?: string[];
  history?: number;
  /** Layer contents (default two small text layers unique to the platform). */
  layers?: (string | Buffer)[];
}

export interface BuiltImage {
  platform: PlatformSpec;
  config: Content;
  configJson: Record<string, unknown>;
  layers: Content[];
  manifest: Content;
}

export function platformString(p: PlatformSpec): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export function buildImage(spec: ImageSpec): BuiltImage {
  const p = spec.platform;
  const layers = (spec.layers ?? [`${platformString(p)} base layer`, `${platformString(p)} app layer, a little longer`]).map((l) =>
    content(l, MT.ociLayerGzip),
  );
  const configJson: Record<string, unknown> = {
    created: spec.created ?? '2024-05-01T12:00:00Z',
    architecture: p.architecture,
    os: p.os,
    ...(p.variant ? { variant: p.variant } : {}),
    config: {
      Env: spec.env ?? ['PATH=/usr/local/bin:/usr/bin:/bin'],
      Entrypoint: spec.entrypoint === undefined ? ['/docker-entrypoint.sh'] : spec.entrypoint,
      Cmd: spec.cmd === undefined ? ['nginx', '-g', 'daemon off;'] : spec.cmd,
      User: spec.user ?? '',
      WorkingDir: '/app',
      Labels: spec.labels ?? {},
      ExposedPorts: Object.fromEntries((spec.exposedPorts ?? []).map((port) => [port, {}])),
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    history: Array.from({ length: spec.history ?? layers.length }, (_, i) => ({
      created: '2024-05-01T12:00:00Z',
      created_by: `step ${i}`,
    })),
  };
  const config = jsonContent(configJson, MT.ociConfig);
  const manifest = jsonContent(
    { schemaVersion: 2, mediaType: MT.ociManifest, config: descriptor(config), layers: layers.map((l) => descriptor(l)) },
    MT.ociManifest,
  );
  return { platform: p, config, configJson, layers, manifest };
}

export interface BuiltIndex {
  index: Content;
  images: BuiltImage[];
  /** buildx-style attestation manifests (one per image), not served by default. */
  attestations: Content[];
}

/** An OCI index over `images`, plus one buildx attestation manifest per image when `attest`. */
export function buildIndex(images: BuiltImage[], attest = true): BuiltIndex {
  const attestations: Content[] = [];
  const manifests: Descriptor[] = images.map((image) => descriptor(image.manifest, { platform: image.platform }));
  if (attest) {
    for (const image of images) {
      const statement = content(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', for: image.manifest.digest }), MT.inToto);
      const att = jsonContent(
        {
          schemaVersion: 2,
          mediaType: MT.ociManifest,
          config: { mediaType: MT.ociConfig, digest: sha256('{}'), size: 2 },
          layers: [descriptor(statement, { annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' } })],
        },
        MT.ociManifest,
      );
      attestations.push(att);
      manifests.push(
        descriptor(att, {
          platform: { os: 'unknown', architecture: 'unknown' },
          annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': image.manifest.digest },
        }),
      );
    }
  }
  const index = jsonContent({ schemaVersion: 2, mediaType: MT.ociIndex, manifests }, MT.ociIndex);
  return { index, images, attestations };
}

export function twoPlatformIndex(): BuiltIndex {
  return buildIndex([
    buildImage({
      platform: { os: 'linux', architecture: 'amd64' },
      created: '2024-06-01T10:00:00Z',
      env: ['PATH=/usr/bin', 'APP_MODE=prod'],
      entrypoint: ['/entry.sh'],
      cmd: ['serve', '--port', '8080'],
      user: 'app',
      labels: { 'org.opencontainers.image.title': 'demo' },
      exposedPorts: ['8080/tcp', '9090/udp'],
      history: 5,
    }),
    buildImage({
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      created: '2024-06-02T11:00:00Z',
      layers: ['arm one', 'arm two', 'arm three'],
    }),
  ]);
}

// ---------------------------------------------------------------------------------------------
// msw harness

export interface Seen {
  method: string;
  url: URL;
  headers: Headers;
}

export interface Harness {
  server: SetupServer;
  seen: Seen[];
  /** Requests to `origin` (optionally only `method`). */
  to(origin: string, method?: string): Seen[];
}

/** One msw server for the file; no request escapes; the log and handlers reset after each test. */
export function useRegistryMsw(): Harness {
  const server = setupServer();
  const seen: Seen[] = [];
  server.events.on('request:start', ({ request }) => {
    seen.push({ method: request.method, url: new URL(request.url), headers: new Headers(request.headers) });
  });
  // msw hands listeners a tee'd clone of every mocked response; an unread clone would keep the
  // client's own `body.cancel()` (a capped blob read) pending forever, which no real fetch does.
  server.events.on('response:mocked', ({ response }) => {
    response.body?.cancel().catch(() => undefined);
  });
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    seen.length = 0;
  });
  afterAll(() => server.close());
  return {
    server,
    seen,
    to: (origin, method) => seen.filter((s) => s.url.origin === origin && (method === undefined || s.method === method)),
  };
}

// ---------------------------------------------------------------------------------------------
// Fake registry

export interface FakeRegistryOptions {
  origin: string;
  /** Bearer token auth through `realm` (default), or an open registry. */
  auth?: 'bearer' | 'none';
  realm?: string;
  service?: string;
  token?: string;
  /** Extra headers on every manifest response (e.g. Docker Hub's pull-limit headers). */
  manifestHeaders?: Record<string, string>;
}

export interface TokenRequest {
  url: URL;
  authorization: string | null;
}

function body(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

const ROUTE = /^\/v2\/(.+)\/(manifests|blobs|referrers)\/([^/]+)$/;
const TAGS = /^\/v2\/(.+)\/tags\/list$/;

export class FakeRegistry {
  readonly origin: string;
  readonly realm: string;
  readonly service: string;
  readonly token: string;
  readonly tokenRequests: TokenRequest[] = [];
  private readonly manifests = new Map<string, Content>();
  private readonly tags = new Map<string, string>();
  private readonly blobs = new Map<string, Content>();

  constructor(private readonly options: FakeRegistryOptions) {
    this.origin = options.origin;
    this.realm = options.realm ?? REG_REALM;
    this.service = options.service ?? REG_SERVICE;
    this.token = options.token ?? `registry-token-for-${new URL(options.origin).hostname}`;
  }

  putManifest(repo: string, c: Content, tag?: string): this {
    this.manifests.set(`${repo}@${c.digest}`, c);
    if (tag) this.tags.set(`${repo}:${tag}`, c.digest);
    return this;
  }

  putBlob(repo: string, c: Content): this {
    this.blobs.set(`${repo}@${c.digest}`, c);
    return this;
  }

  putImage(repo: string, image: BuiltImage, tag?: string): this {
    this.putBlob(repo, image.config);
    for (const layer of image.layers) this.putBlob(repo, layer);
    return this.putManifest(repo, image.manifest, tag);
  }

  putIndex(repo: string, built: BuiltIndex, tag?: string): this {
    for (const image of built.images) this.putImage(repo, image);
    for (const att of built.attestations) this.putManifest(repo, att);
    return this.putManifest(repo, built.index, tag);
  }

  tagsOf(repo: string): string[] {
    return [...this.tags.keys()]
      .filter((k) => k.startsWith(`${repo}:`))
      .map((k) => k.slice(repo.length + 1))
      .sort();
  }

  challenge(repo: string): string {
    return `Bearer realm="${this.realm}",service="${this.service}",scope="repository:${repo}:pull"`;
  }

  private authorized(request: Request): boolean {
    return this.options.auth === 'none' || request.headers.get('authorization') === `Bearer ${this.token}`;
  }

  handlers(): RequestHandler[] {
    const out: RequestHandler[] = [
      http.all(`${this.origin}/v2/*`, ({ request }) => {
        const url = new URL(request.url);
        const route = ROUTE.exec(url.pathname);
        const tags = TAGS.exec(url.pathname);
        const repo = route?.[1] ?? tags?.[1] ?? '';
        if (!this.authorized(request)) {
          return new HttpResponse(
            request.method === 'HEAD' ? null : JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }),
            {
              status: 401,
              headers: { 'www-authenticate': this.challenge(repo), 'content-type': 'application/json' },
            },
          );
        }
        if (tags) return HttpResponse.json({ name: repo, tags: this.tagsOf(repo) });
        if (!route) return HttpResponse.json({ errors: [{ code: 'NOT_FOUND' }] }, { status: 404 });
        const [, , kind, ref = ''] = route;
        if (kind === 'referrers')
          return HttpResponse.json({ errors: [{ code: 'NOT_FOUND', message: 'no referrers API' }] }, { status: 404 });
        let found: Content | undefined;
        if (kind === 'manifests') {
          const digest = ref.includes(':') ? ref : this.tags.get(`${repo}:${ref}`);
          found = digest ? this.manifests.get(`${repo}@${digest}`) : undefined;
        } else {
          found = this.blobs.get(`${repo}@${ref}`);
        }
        if (!found) {
          const code = kind === 'manifests' ? 'MANIFEST_UNKNOWN' : 'BLOB_UNKNOWN';
          return new HttpResponse(request.method === 'HEAD' ? null : JSON.stringify({ errors: [{ code, message: 'unknown' }] }), {
            status: 404,
            headers: { 'content-type': 'application/json' },
          });
        }
        const headers: Record<string, string> = {
          'content-type': kind === 'manifests' ? found.mediaType : 'application/octet-stream',
          'docker-content-digest': found.digest,
          'content-length': String(found.size),
          ...(kind === 'manifests' ? this.options.manifestHeaders : {}),
        };
        return new HttpResponse(request.method === 'HEAD' ? null : body(found.bytes), { status: 200, headers });
      }),
    ];
    if (this.options.auth !== 'none') {
      out.push(
        http.get(this.realm, ({ request }) => {
          this.tokenRequests.push({ url: new URL(request.url), authorization: request.headers.get('authorization') });
          return HttpResponse.json({ token: this.token, access_token: this.token, expires_in: 300, issued_at: new Date().toISOString() });
        }),
      );
    }
    return out;
  }
}

export function hubRegistry(options: Partial<FakeRegistryOptions> = {}): FakeRegistry {
  return new FakeRegistry({ origin: HUB_ORIGIN, realm: HUB_REALM, service: HUB_SERVICE, ...options });
}

export function exampleRegistry(options: Partial<FakeRegistryOptions> = {}): FakeRegistry {
  return new FakeRegistry({ origin: REG_ORIGIN, realm: REG_REALM, service: REG_SERVICE, ...options });
}

// ---------------------------------------------------------------------------------------------
// App and tool calls

const tempDirs: string[] = [];

/** A fresh temp dir (removed when the file's tests end). */
export function tempDir(prefix = 'dockerhub-mcp-unit-'): string {
  if (tempDirs.length === 0) {
    afterAll(() => {
      for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });
  }
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Config from a plain env map; DOCKER_CONFIG defaults to an empty dir so no real credentials leak in. */
export function registryConfig(env: Record<string, string> = {}): Config {
  const outcome = loadConfig({ argv: [], env: { HOME: '/nonexistent-home', DOCKER_CONFIG: '/nonexistent-docker-config', ...env } });
  if (outcome.kind !== 'config') throw new Error(`expected a config, got ${outcome.kind}`);
  return outcome.config;
}

export function registryApp(env: Record<string, string> = {}): AppContext {
  return createAppContext(registryConfig(env), silentLogger, 'test', { fetch: (u, i) => globalThis.fetch(u, i), close: async () => {} });
}

const registryTool = createHubRegistryTool();
const adminTool = createHubAdminTool(() => [registryTool, adminTool]);

async function call(spec: ToolSpec<AppContext>, app: AppContext, args: Record<string, unknown>): Promise<CallResult> {
  const result = await callTool(spec, args, {
    ctx: { app, signal: new AbortController().signal, log: silentLogger, progress: async () => {} },
    config: app.config,
    caps: { maxBytes: 200000, maxItems: 500 },
  });
  return checkedOutput(spec.name, result);
}

export function callRegistry(app: AppContext, args: Record<string, unknown>): Promise<CallResult> {
  return call(registryTool, app, args);
}

export function callAdmin(app: AppContext, args: Record<string, unknown>): Promise<CallResult> {
  return call(adminTool, app, args);
}

export interface Ok<T> {
  status_code: number;
  data: T;
  rate_limit: Record<string, unknown> | null;
  truncated?: boolean;
  next?: unknown;
}

/** The envelope of a successful result (fails the test on an error result). */
export function ok<T = Record<string, unknown>>(result: CallResult): Ok<T> {
  if (result.isError) throw new Error(`expected success, got ${JSON.stringify(result.structuredContent)}`);
  return result.structuredContent as unknown as Ok<T>;
}

export interface ErrorShape {
  type: string;
  message: string;
  status?: number;
  hint?: string;
}

/** The error of an isError result (fails the test on success). */
export function failed(result: CallResult): ErrorShape {
  expect(result.isError, JSON.stringify(result.structuredContent).slice(0, 500)).toBe(true);
  expect(result.structuredContent).not.toHaveProperty('data');
  return (result.structuredContent as { error: ErrorShape }).error;
}
