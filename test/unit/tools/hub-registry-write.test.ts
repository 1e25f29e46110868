// hub_registry write actions against msw: the exact requests each action sends (paths, query,
// Content-Type, Content-Range, body bytes), upload Locations held to the registry's origin, the
// manifest digest check on PUT, the referrers fallback tag, and the destructive gate.
import { createHash } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../../src/context.js';
import { DEFAULT_CAPS } from '../../../src/tools/caps.js';
import { callTool, type CallResult, type ToolSpec } from '../../../src/tools/framework.js';
import { payloadOf, registryWriteActions } from '../../../src/tools/hub-registry-write.js';
import { testApp, testConfig, toolCtx } from '../../helpers/unit/app.js';
import { useMsw } from '../../helpers/unit/msw.js';

const REG = 'https://reg.test';
const OTHER = 'https://other.test';
const msw = useMsw();

const sha = (data: string | Uint8Array): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

interface Seen {
  method: string;
  url: URL;
  headers: Headers;
  body: Buffer;
}

/** Records every request with its body (msw handlers call this first). */
function recorder() {
  const log: Seen[] = [];
  const record = async (request: Request): Promise<Seen> => {
    const body = Buffer.from(await request.clone().arrayBuffer());
    const seen = { method: request.method, url: new URL(request.url), headers: request.headers, body };
    log.push(seen);
    return seen;
  };
  return { log, record, lines: () => log.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`) };
}

function setup(env: Record<string, string> = { DOCKERHUB_ALLOW_DESTRUCTIVE: 'true' }, chunkSize = 10) {
  const app = testApp(testConfig({ DOCKER_REGISTRY_URL: REG, ...env }));
  const progress: [number, number | undefined, string | undefined][] = [];
  const spec: ToolSpec<AppContext> = {
    name: 'hub_registry',
    title: 'registry',
    description: 'test',
    openWorld: true,
    actions: registryWriteActions({ chunkSize }),
  };
  const ctx = {
    ...toolCtx(app),
    progress: async (done: number, total?: number, message?: string) => {
      progress.push([done, total, message]);
    },
  };
  const call = (args: Record<string, unknown>): Promise<CallResult> =>
    callTool(spec, args, { ctx, config: app.config, caps: DEFAULT_CAPS });
  return { app, call, progress };
}

const ok = (result: CallResult): Record<string, unknown> => {
  if (result.isError) throw new Error(`unexpected error: ${JSON.stringify(result.structuredContent)}`);
  return result.structuredContent;
};
const dataOf = (result: CallResult): Record<string, unknown> => ok(result).data as Record<string, unknown>;
const errorOf = (result: CallResult): { type: string; message: string; status?: number; hint?: string } => {
  expect(result.isError).toBe(true);
  return (result.structuredContent as { error: { type: string; message: string } }).error;
};

const UPLOAD = `${REG}/v2/acme/app/blobs/uploads/`;

describe('manual upload steps', () => {
  it('start_upload POSTs to /blobs/uploads/ and returns the absolute Location', async () => {
    const { log, record } = recorder();
    msw.server.use(
      http.post(UPLOAD, async ({ request }) => {
        await record(request);
        return new HttpResponse(null, {
          status: 202,
          headers: { location: '/v2/acme/app/blobs/uploads/u1?_state=s1', 'docker-upload-uuid': 'u1', 'oci-chunk-min-length': '5' },
        });
      }),
    );
    const { call } = setup();
    const out = ok(await call({ action: 'start_upload', repo: 'acme/app' }));
    expect(log).toHaveLength(1);
    expect(log[0]!.body.byteLength).toBe(0);
    expect(out.status_code).toBe(202);
    expect(out.data).toEqual({ location: `${REG}/v2/acme/app/blobs/uploads/u1?_state=s1`, upload_uuid: 'u1', chunk_min_length: 5 });
    expect(out.headers).toMatchObject({ location: '/v2/acme/app/blobs/uploads/u1?_state=s1', 'docker-upload-uuid': 'u1' });
  });

  it('upload_chunk PATCHes the bytes with Content-Range and octet-stream; complete_upload PUTs ?digest= keeping the query', async () => {
    const { log, record } = recorder();
    msw.server.use(
      http.patch(`${UPLOAD}u1`, async ({ request }) => {
        await record(request);
        return new HttpResponse(null, { status: 202, headers: { location: `${UPLOAD}u1?_state=s2`, range: '0-4' } });
      }),
      http.put(`${UPLOAD}u1`, async ({ request }) => {
        await record(request);
        return new HttpResponse(null, {
          status: 201,
          headers: { location: `/v2/acme/app/blobs/${sha('hello world')}`, 'docker-content-digest': sha('hello world') },
        });
      }),
    );
    const { call } = setup();
    const chunk = dataOf(
      await call({
        action: 'upload_chunk',
        repo: 'acme/app',
        location: `${UPLOAD}u1?_state=s1`,
        data_base64: Buffer.from('hello').toString('base64'),
        content_range: '0-4',
      }),
    );
    expect(chunk).toMatchObject({ location: `${UPLOAD}u1?_state=s2`, range: '0-4', bytes: 5 });
    const done = dataOf(
      await call({
        action: 'complete_upload',
        repo: 'acme/app',
        location: `${UPLOAD}u1?_state=s2`,
        digest: sha('hello world'),
        final_chunk: ' world',
        content_range: '5-10',
      }),
    );
    expect(done).toMatchObject({ digest: sha('hello world') });

    const [patch, put] = log;
    expect(patch!.method).toBe('PATCH');
    expect(patch!.url.searchParams.get('_state')).toBe('s1');
    expect(patch!.headers.get('content-range')).toBe('0-4');
    expect(patch!.headers.get('content-type')).toBe('application/octet-stream');
    expect(patch!.body.toString()).toBe('hello');
    expect(put!.method).toBe('PUT');
    expect(put!.url.searchParams.get('_state')).toBe('s2');
    expect(put!.url.searchParams.get('digest')).toBe(sha('hello world'));
    expect(put!.headers.get('content-range')).toBe('5-10');
    expect(put!.body.toString()).toBe(' world');
  });

  it('refuses a content_range that does not match the bytes, before any request', async () => {
    const { call } = setup();
    const err = errorOf(
      await call({ action: 'upload_chunk', repo: 'acme/app', location: `${UPLOAD}u1`, data: 'hello', content_range: '0-9' }),
    );
    expect(err.type).toBe('invalid_argument');
    expect(msw.seen).toHaveLength(0);
  });

  it('mount_blob POSTs ?mount=&from= asking one token for push on the target and pull on the source', async () => {
    const digest = sha('layer');
    const { log, record } = recorder();
    msw.server.use(
      http.post(UPLOAD, async ({ request }) => {
        await record(request);
        return new HttpResponse(null, {
          status: 201,
          headers: { location: `/v2/acme/app/blobs/${digest}`, 'docker-content-digest': digest },
        });
      }),
    );
    const { call } = setup();
    expect(dataOf(await call({ action: 'mount_blob', repo: 'acme/app', digest, from_repo: 'acme/base' }))).toEqual({
      mounted: true,
      digest,
    });
    expect(log[0]!.url.searchParams.get('mount')).toBe(digest);
    expect(log[0]!.url.searchParams.get('from')).toBe('acme/base');
  });

  it('mount_blob refuses a from_repo on another registry', async () => {
    const { call } = setup();
    const err = errorOf(await call({ action: 'mount_blob', repo: 'acme/app', digest: sha('x'), from_repo: 'other.test/acme/base' }));
    expect(err.type).toBe('invalid_argument');
    expect(msw.seen).toHaveLength(0);
  });
});

describe('upload Locations stay on the registry origin', () => {
  it('a foreign Location from the upload POST is refused; nothing is sent there', async () => {
    const foreign: string[] = [];
    msw.server.use(
      http.head(`${REG}/v2/acme/app/blobs/:digest`, () => new HttpResponse(null, { status: 404 })),
      http.post(UPLOAD, () => new HttpResponse(null, { status: 202, headers: { location: 'https://evil.test/steal?x=1' } })),
      http.all('https://evil.test/*', ({ request }) => {
        foreign.push(request.url);
        return new HttpResponse(null, { status: 201 });
      }),
    );
    const { call } = setup();
    const err = errorOf(await call({ action: 'push_blob', repo: 'acme/app', data: 'secret layer' }));
    expect(err.type).toBe('forbidden');
    expect(err.message).toContain('https://evil.test');
    expect(foreign).toEqual([]);
    expect(msw.seen.map((r) => r.url.host)).not.toContain('evil.test');
  });

  it('a foreign location passed to upload_chunk / complete_upload is refused with no request', async () => {
    const { call } = setup();
    for (const action of ['upload_chunk', 'complete_upload']) {
      const extra = action === 'complete_upload' ? { digest: sha('x') } : {};
      const err = errorOf(
        await call({ action, repo: 'acme/app', location: 'https://evil.test/v2/acme/app/blobs/uploads/u1', data: 'x', ...extra }),
      );
      expect(err.type).toBe('forbidden');
    }
    expect(msw.seen).toHaveLength(0);
  });
});

describe('push_blob', () => {
  it('small data: HEAD (absent), POST, one PUT ?digest= with the exact bytes', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const digest = sha(bytes);
    const { log, record, lines } = recorder();
    msw.server.use(
      http.head(`${REG}/v2/acme/app/blobs/:digest`, async ({ request }) => {
        await record(request);
        return new HttpResponse(null, { status: 404 });
      }),
      http.post(UPLOAD, async ({ request }) => {
        await record(request);
        return new HttpResponse(null, { status: 202, headers: { location: `${UPLOAD}u1?_state=a` } });
      }),
      http.put(`${UPLOAD}u1`, async ({ request }) => {
        await record(request);
        return new HttpResponse(null, {
          status: 201,
          headers: { 'docker-content-digest': digest, location: `/v2/acme/app/blobs/${digest}` },
        });
      }),
    );
    const { call } = setup();
    const out = ok(await call({ action: 'push_blob', repo: 'acme/app', data_base64: bytes.toString('base64') }));
    expect(lines()).toEqual([
      `HEAD /v2/acme/app/blobs/${digest}`,
      'POST /v2/acme/app/blobs/uploads/',
      `PUT /v2/acme/app/blobs/uploads/u1?_state=a&digest=${digest}`,
    ]);
    expect(log[2]!.body.equals(bytes)).toBe(true);
    expect(log[2]!.headers.get('content-type')).toBe('application/octet-stream');
    expect(out.data).toMatchObject({ digest, size: 5, action: 'uploaded', mode: 'monolithic' });
    expect(out.headers).toMatchObject({ 'docker-content-digest': digest });
  });

  it('larger than a chunk: PATCHes of chunk size with Content-Range, then an empty PUT; a failed chunk resumes from the Range the registry reports', async () => {
    const text = 'abcdefghijklmnopqrstuvwxy'; // 25 bytes, chunk size 10
    const digest = sha(text);
    const { log, record, lines } = recorder();
    let held = 0;
    let failOnce = true;
    msw.server.use(
      http.head(`${REG}/v2/acme/app/blobs/:digest`, () => new HttpResponse(null, { status: 404 })),
      http.post(UPLOAD, () => new HttpResponse(null, { status: 202, headers: { location: `${UPLOAD}u1?o=0` } })),
      http.patch(`${UPLOAD}u1`, async ({ request }) => {
        const seen = await record(request);
        if (held === 10 && failOnce) {
          failOnce = false;
          return HttpResponse.json({ errors: [{ code: 'UNKNOWN', message: 'boom' }] }, { status: 500 });
        }
        held += seen.body.byteLength;
        return new HttpResponse(null, { status: 202, headers: { location: `${UPLOAD}u1?o=${held}`, range: `0-${held - 1}` } });
      }),
      http.get(`${UPLOAD}u1`, async ({ request }) => {
        await record(request);
        return new HttpResponse(null, { status: 204, headers: { location: `${UPLOAD}u1?o=${held}`, range: `0-${held - 1}` } });
      }),
      http.put(`${UPLOAD}u1`, async ({ request }) => {
        await record(request);
        return new HttpResponse(null, { status: 201, headers: { 'docker-content-digest': digest } });
      }),
    );
    const { call } = setup();
    const data = dataOf(await call({ action: 'push_blob', repo: 'acme/app', data: text, digest }));
    expect(data).toMatchObject({ action: 'uploaded', mode: 'chunked', chunks: 3, recoveries: 1 });
    expect(lines()).toEqual([
      'PATCH /v2/acme/app/blobs/uploads/u1?o=0',
      'PATCH /v2/acme/app/blobs/uploads/u1?o=10',
      'GET /v2/acme/app/blobs/uploads/u1?o=10',
      'PATCH /v2/acme/app/blobs/uploads/u1?o=10',
      'PATCH /v2/acme/app/blobs/uploads/u1?o=20',
      `PUT /v2/acme/app/blobs/uploads/u1?o=25&digest=${digest}`,
    ]);
    const patches = log.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.headers.get('content-range'))).toEqual(['0-9', '10-19', '10-19', '20-24']);
    expect(patches.map((r) => r.body.toString())).toEqual(['abcdefghij', 'klmnopqrst', 'klmnopqrst', 'uvwxy']);
    expect(log.at(-1)!.body.byteLength).toBe(0);
  });

  it('an abandoned chunked upload is cancelled with DELETE on the upload URL', async () => {
    const deleted: string[] = [];
    msw.server.use(
      http.head(`${REG}/v2/acme/app/blobs/:digest`, () => new HttpResponse(null, { status: 404 })),
      http.post(UPLOAD, () => new HttpResponse(null, { status: 202, headers: { location: `${UPLOAD}u9?s=1` } })),
      http.patch(`${UPLOAD}u9`, () => HttpResponse.json({ errors: [{ code: 'DENIED', message: 'quota' }] }, { status: 403 })),
      http.delete(`${UPLOAD}u9`, ({ request }) => {
        deleted.push(request.url);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { call } = setup();
    const err = errorOf(await call({ action: 'push_blob', repo: 'acme/app', data: 'x'.repeat(25) }));
    expect(err.status).toBe(403);
    expect(deleted).toEqual([`${UPLOAD}u9?s=1`]);
  });

  it('skips the upload when the blob exists (one HEAD)', async () => {
    msw.server.use(
      http.head(`${REG}/v2/acme/app/blobs/:digest`, () => new HttpResponse(null, { status: 200, headers: { 'content-length': '3' } })),
    );
    const { call } = setup();
    expect(dataOf(await call({ action: 'push_blob', repo: 'acme/app', data: 'abc' }))).toMatchObject({
      digest: sha('abc'),
      action: 'exists',
    });
    expect(msw.seen.map((r) => r.method)).toEqual(['HEAD']);
  });

  it('mounts from from_repo; a wrong digest is refused before any request', async () => {
    const digest = sha('abc');
    msw.server.use(
      http.head(`${REG}/v2/acme/app/blobs/:digest`, () => new HttpResponse(null, { status: 404 })),
      http.post(UPLOAD, ({ request }) => {
        const url = new URL(request.url);
        expect(url.searchParams.get('mount')).toBe(digest);
        return new HttpResponse(null, { status: 201, headers: { 'docker-content-digest': digest } });
      }),
    );
    const { call } = setup();
    expect(dataOf(await call({ action: 'push_blob', repo: 'acme/app', data: 'abc', from_repo: 'acme/base' }))).toMatchObject({
      action: 'mounted',
    });
    msw.seen.length = 0;
    const err = errorOf(await call({ action: 'push_blob', repo: 'acme/app', data: 'abc', digest: sha('abd') }));
    expect(err.type).toBe('invalid_argument');
    expect(msw.seen).toHaveLength(0);
  });
});

const CONFIG = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha('{}'), size: 2 };

describe('put_manifest', () => {
  const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: CONFIG, layers: [] };
  const text = JSON.stringify(manifest);

  it('PUTs the exact bytes with Content-Type = the media type, and checks Docker-Content-Digest', async () => {
    const spaced = JSON.stringify(manifest, null, 2); // a string is sent verbatim
    const { log, record } = recorder();
    msw.server.use(
      http.put(`${REG}/v2/acme/app/manifests/v1`, async ({ request }) => {
        const seen = await record(request);
        return new HttpResponse(null, { status: 201, headers: { 'docker-content-digest': sha(seen.body) } });
      }),
    );
    const { call } = setup();
    const out = ok(await call({ action: 'put_manifest', repo: 'acme/app', reference: 'v1', manifest: spaced }));
    expect(log[0]!.headers.get('content-type')).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(log[0]!.body.toString()).toBe(spaced);
    expect(out.data).toMatchObject({ digest: sha(spaced), reference: 'v1', size: spaced.length });
    expect(out.headers).toMatchObject({ 'docker-content-digest': sha(spaced) });
    ok(await call({ action: 'put_manifest', repo: 'acme/app', reference: 'v1', manifest }));
    expect(log[1]!.body.toString()).toBe(text);
  });

  it('a registry digest that differs from the bytes sent is an integrity error', async () => {
    msw.server.use(
      http.put(
        `${REG}/v2/acme/app/manifests/v1`,
        () => new HttpResponse(null, { status: 201, headers: { 'docker-content-digest': sha('something else') } }),
      ),
    );
    const { call } = setup();
    const err = errorOf(await call({ action: 'put_manifest', repo: 'acme/app', reference: 'v1', manifest: text }));
    expect(err.type).toBe('integrity_error');
  });

  it('refuses a digest reference that is not the digest of the bytes, and a media_type that contradicts the manifest', async () => {
    const { call } = setup();
    expect(errorOf(await call({ action: 'put_manifest', repo: 'acme/app', reference: sha('nope'), manifest: text })).type).toBe(
      'invalid_argument',
    );
    expect(
      errorOf(
        await call({
          action: 'put_manifest',
          repo: 'acme/app',
          reference: 'v1',
          manifest: text,
          media_type: 'application/vnd.oci.image.index.v1+json',
        }),
      ).type,
    ).toBe('invalid_argument');
    expect(msw.seen).toHaveLength(0);
  });

  it('with subject and no OCI-Subject in the answer: appends the descriptor to the sha256-<hex> fallback index', async () => {
    const subject = sha('subject');
    const artifact = {
      ...manifest,
      artifactType: 'application/vnd.example.sbom',
      subject: { mediaType: manifest.mediaType, digest: subject, size: 100 },
      annotations: { a: 'b' },
    };
    const body = JSON.stringify(artifact);
    const tag = `sha256-${subject.slice(7)}`;
    const { log, record } = recorder();
    msw.server.use(
      http.put(`${REG}/v2/acme/app/manifests/:ref`, async ({ request }) => {
        const seen = await record(request);
        return new HttpResponse(null, { status: 201, headers: { 'docker-content-digest': sha(seen.body) } });
      }),
      http.get(`${REG}/v2/acme/app/manifests/${tag}`, () => HttpResponse.json({ errors: [{ code: 'MANIFEST_UNKNOWN' }] }, { status: 404 })),
    );
    const { call } = setup();
    const data = dataOf(await call({ action: 'put_manifest', repo: 'acme/app', reference: sha(body), manifest: body }));
    expect(data.referrers_fallback).toMatchObject({ tag, updated: true });
    expect(log.map((r) => r.url.pathname)).toEqual([`/v2/acme/app/manifests/${sha(body)}`, `/v2/acme/app/manifests/${tag}`]);
    expect(log[1]!.headers.get('content-type')).toBe('application/vnd.oci.image.index.v1+json');
    expect(JSON.parse(log[1]!.body.toString())).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: manifest.mediaType,
          digest: sha(body),
          size: body.length,
          artifactType: 'application/vnd.example.sbom',
          annotations: { a: 'b' },
        },
      ],
    });
  });

  it('with OCI-Subject in the answer: no fallback tag traffic', async () => {
    const artifact = { ...manifest, subject: { mediaType: manifest.mediaType, digest: sha('subject'), size: 1 } };
    msw.server.use(
      http.put(
        `${REG}/v2/acme/app/manifests/v2`,
        () => new HttpResponse(null, { status: 201, headers: { 'oci-subject': sha('subject') } }),
      ),
    );
    const { call } = setup();
    const data = dataOf(await call({ action: 'put_manifest', repo: 'acme/app', reference: 'v2', manifest: artifact }));
    expect(data.referrers_fallback).toBeUndefined();
    expect(msw.seen).toHaveLength(1);
  });
});

const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: CONFIG,
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha('L'), size: 1 }],
});
const MANIFEST_DIGEST = sha(MANIFEST);
const manifestHeaders = { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': MANIFEST_DIGEST };

describe('delete_manifest, delete_blob, delete_tag', () => {
  it('delete_manifest by tag: HEAD resolves the digest, DELETE goes to the digest', async () => {
    const { lines, record } = recorder();
    msw.server.use(
      http.head(`${REG}/v2/acme/app/manifests/v1`, async ({ request }) => {
        await record(request);
        return new HttpResponse(null, { status: 200, headers: manifestHeaders });
      }),
      // Read once before the delete: an artifact's `subject` decides whether a fallback index needs care.
      http.get(`${REG}/v2/acme/app/manifests/${MANIFEST_DIGEST}`, async ({ request }) => {
        await record(request);
        return new HttpResponse(MANIFEST, { headers: manifestHeaders });
      }),
      http.delete(`${REG}/v2/acme/app/manifests/:ref`, async ({ request }) => {
        await record(request);
        return new HttpResponse(null, { status: 202 });
      }),
    );
    const { call } = setup();
    const out = ok(await call({ action: 'delete_manifest', repo: 'acme/app', reference: 'v1' }));
    expect(lines()).toEqual([
      'HEAD /v2/acme/app/manifests/v1',
      `GET /v2/acme/app/manifests/${MANIFEST_DIGEST}`,
      `DELETE /v2/acme/app/manifests/${MANIFEST_DIGEST}`,
    ]);
    expect(out.status_code).toBe(202);
    expect(out.data).toMatchObject({ digest: MANIFEST_DIGEST, resolved_from: 'v1', deleted: true });
  });

  it('dry_run lists the digest and the tags on it, and sends no DELETE', async () => {
    msw.server.use(
      http.get(`${REG}/v2/acme/app/tags/list`, () => HttpResponse.json({ name: 'acme/app', tags: ['v1', 'latest', 'old'] })),
      http.head(`${REG}/v2/acme/app/manifests/:ref`, ({ params }) =>
        params.ref === 'old'
          ? new HttpResponse(null, { status: 200, headers: { ...manifestHeaders, 'docker-content-digest': sha('old') } })
          : new HttpResponse(null, { status: 200, headers: manifestHeaders }),
      ),
      http.get(`${REG}/v2/acme/app/manifests/${MANIFEST_DIGEST}`, () => new HttpResponse(MANIFEST, { headers: manifestHeaders })),
    );
    const { call } = setup();
    const data = dataOf(await call({ action: 'delete_manifest', repo: 'acme/app', reference: 'v1', dry_run: true }));
    expect(data).toMatchObject({
      digest: MANIFEST_DIGEST,
      deleted: false,
      dry_run: true,
      tags: { tags: ['v1', 'latest'], tags_checked: 3, complete: true },
    });
    expect(msw.seen.some((r) => r.method === 'DELETE')).toBe(false);
  });

  it('delete_blob sends DELETE /blobs/<digest>; a 405 becomes a clear unsupported error', async () => {
    const digest = sha('blob');
    let status = 202;
    msw.server.use(
      http.delete(`${REG}/v2/acme/app/blobs/:digest`, () =>
        status === 202 ? new HttpResponse(null, { status }) : HttpResponse.json({ errors: [{ code: 'UNSUPPORTED' }] }, { status }),
      ),
    );
    const { call } = setup();
    expect(dataOf(await call({ action: 'delete_blob', repo: 'acme/app', digest }))).toMatchObject({ digest, deleted: true });
    expect(msw.seen[0]!.url.pathname).toBe(`/v2/acme/app/blobs/${digest}`);
    status = 405;
    const err = errorOf(await call({ action: 'delete_blob', repo: 'acme/app', digest }));
    expect(err).toMatchObject({ type: 'unsupported', status: 405 });
  });

  it('delete_tag sends DELETE /manifests/<tag>; 400 or 405 says deletion is by digest here', async () => {
    let status = 202;
    msw.server.use(
      http.delete(`${REG}/v2/acme/app/manifests/v1`, () =>
        status === 202 ? new HttpResponse(null, { status }) : HttpResponse.json({ errors: [{ code: 'DIGEST_INVALID' }] }, { status }),
      ),
    );
    const { call } = setup();
    expect(dataOf(await call({ action: 'delete_tag', repo: 'acme/app', reference: 'v1' }))).toMatchObject({ tag: 'v1', exists: true });
    for (const code of [400, 405]) {
      status = code;
      const err = errorOf(await call({ action: 'delete_tag', repo: 'acme/app', reference: 'v1' }));
      expect(err.type).toBe('unsupported');
      expect(err.message).toContain('deletion is by digest on this registry');
      expect(err.hint).toContain('delete_manifest');
    }
    expect(errorOf(await call({ action: 'delete_tag', repo: 'acme/app', reference: MANIFEST_DIGEST })).type).toBe('invalid_argument');
  });
});

/** The destination of a cross-registry copy: the config present, other blobs missing, one upload session `z`. */
function destination(onPut: (request: Request) => Promise<Response>) {
  return [
    http.head(
      `${OTHER}/v2/team/app/blobs/:digest`,
      ({ params }) => new HttpResponse(null, { status: params.digest === CONFIG.digest ? 200 : 404 }),
    ),
    http.post(
      `${OTHER}/v2/team/app/blobs/uploads/`,
      () => new HttpResponse(null, { status: 202, headers: { location: '/v2/team/app/blobs/uploads/z' } }),
    ),
    http.put(`${OTHER}/v2/team/app/blobs/uploads/z`, ({ request }) => onPut(request)),
  ];
}

describe('tag and copy', () => {
  it('tag: GET the manifest, PUT the same bytes under the new tag; no blob requests', async () => {
    const { log, record, lines } = recorder();
    msw.server.use(
      http.get(`${REG}/v2/acme/app/manifests/v1`, () => new HttpResponse(MANIFEST, { headers: manifestHeaders })),
      http.put(`${REG}/v2/acme/app/manifests/stable`, async ({ request }) => {
        await record(request);
        return new HttpResponse(null, { status: 201, headers: { 'docker-content-digest': MANIFEST_DIGEST } });
      }),
    );
    const { call } = setup();
    expect(dataOf(await call({ action: 'tag', repo: 'acme/app:v1', target_reference: 'stable' }))).toMatchObject({
      digest: MANIFEST_DIGEST,
      tag: 'stable',
    });
    expect(lines()).toEqual(['PUT /v2/acme/app/manifests/stable']);
    expect(log[0]!.body.toString()).toBe(MANIFEST);
    expect(log[0]!.headers.get('content-type')).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(msw.seen.filter((r) => r.url.pathname.includes('/blobs/'))).toHaveLength(0);
  });

  it('copy to another registry streams missing blobs (verified), skips present ones, pushes the exact manifest bytes', async () => {
    const { log, record } = recorder();
    msw.server.use(
      http.get(`${REG}/v2/acme/app/manifests/v1`, () => new HttpResponse(MANIFEST, { headers: manifestHeaders })),
      http.get(`${REG}/v2/acme/app/blobs/${sha('L')}`, () => new HttpResponse('L', { headers: { 'content-length': '1' } })),
      ...destination(async (request) => {
        await record(request);
        return new HttpResponse(null, { status: 201, headers: { 'docker-content-digest': sha('L') } });
      }),
      http.put(`${OTHER}/v2/team/app/manifests/v1`, async ({ request }) => {
        const seen = await record(request);
        return new HttpResponse(null, { status: 201, headers: { 'docker-content-digest': sha(seen.body) } });
      }),
    );
    const { call, progress } = setup();
    const data = dataOf(await call({ action: 'copy', repo: 'acme/app:v1', target_repo: 'other.test/team/app' }));
    expect(data).toMatchObject({
      digest: MANIFEST_DIGEST,
      reference: 'v1',
      stats: { blobs: 2, skipped: 1, streamed: 1, mounted: 0, bytes_streamed: 1 },
    });
    expect(log[0]!.body.toString()).toBe('L');
    expect(log[0]!.url.searchParams.get('digest')).toBe(sha('L'));
    expect(log[1]!.body.toString()).toBe(MANIFEST);
    expect(progress.length).toBeGreaterThan(0);
  });

  it('copy refuses a source blob whose bytes do not match its digest and cancels the upload', async () => {
    const deleted: string[] = [];
    msw.server.use(
      http.get(`${REG}/v2/acme/app/manifests/v1`, () => new HttpResponse(MANIFEST, { headers: manifestHeaders })),
      http.get(`${REG}/v2/acme/app/blobs/:digest`, () => new HttpResponse('X', { headers: { 'content-length': '1' } })),
      ...destination(async () => new HttpResponse(null, { status: 201 })),
      http.delete(`${OTHER}/v2/team/app/blobs/uploads/z`, ({ request }) => {
        deleted.push(request.url);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { call } = setup();
    const err = errorOf(await call({ action: 'copy', repo: 'acme/app:v1', target_repo: 'other.test/team/app' }));
    expect(err.type).toBe('integrity_error');
    expect(deleted).toHaveLength(1);
    expect(msw.seen.some((r) => r.method === 'PUT')).toBe(false);
  });

  it('a streamed layer with other bytes fails as integrity_error without retries, and its upload is cancelled', async () => {
    // Big enough for the streamed path (one PUT body, no read-ahead): the wrong byte is the last.
    const size = 2 * 1024 * 1024 + 1;
    const good = Buffer.alloc(size, 7);
    const bad = Buffer.from(good);
    bad[size - 1] = 8;
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: CONFIG,
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(good), size }],
    });
    /** Bodies the destination read to their end, and would have stored (it checks no digest). */
    const stored: number[] = [];
    msw.server.use(
      http.get(
        `${REG}/v2/acme/app/manifests/v1`,
        () => new HttpResponse(manifest, { headers: { ...manifestHeaders, 'docker-content-digest': sha(manifest) } }),
      ),
      http.get(`${REG}/v2/acme/app/blobs/${sha(good)}`, () => new HttpResponse(bad, { headers: { 'content-length': String(size) } })),
      ...destination(async (request) => {
        stored.push((await request.arrayBuffer()).byteLength);
        return new HttpResponse(null, { status: 201 });
      }),
      http.delete(`${OTHER}/v2/team/app/blobs/uploads/z`, () => new HttpResponse(null, { status: 204 })),
    );
    const { call } = setup();
    const err = errorOf(await call({ action: 'copy', repo: 'acme/app:v1', target_repo: 'other.test/team/app' }));
    // The cause is named (not the broken upload it led to), with no retry of the upload, and the session is cancelled.
    expect(err.type).toBe('integrity_error');
    expect(msw.seen.filter((r) => r.method === 'GET' && r.url.pathname.includes('/uploads/'))).toHaveLength(0);
    expect(msw.seen.some((r) => r.method === 'DELETE' && r.url.pathname.endsWith('/uploads/z'))).toBe(true);
    expect(stored.filter((bytes) => bytes === size)).toEqual([]);
    expect(msw.seen.some((r) => r.method === 'PUT' && r.url.pathname.includes('/manifests/'))).toBe(false);
  });
});

describe('the destructive gate', () => {
  const actions: Record<string, Record<string, unknown>> = {
    delete_manifest: { repo: 'acme/app', reference: 'v1' },
    delete_blob: { repo: 'acme/app', digest: sha('x') },
    start_upload: { repo: 'acme/app' },
    upload_chunk: { repo: 'acme/app', location: `${UPLOAD}u1`, data: 'x' },
    complete_upload: { repo: 'acme/app', location: `${UPLOAD}u1`, digest: sha('x') },
    mount_blob: { repo: 'acme/app', digest: sha('x'), from_repo: 'acme/base' },
    put_manifest: { repo: 'acme/app', reference: 'v1', manifest: MANIFEST },
    push_blob: { repo: 'acme/app', data: 'x' },
    copy: { repo: 'acme/app:v1', target_repo: 'acme/other' },
    tag: { repo: 'acme/app:v1', target_reference: 'stable' },
    delete_tag: { repo: 'acme/app', reference: 'v1' },
  };

  it('every write action is destructive; with DOCKERHUB_ALLOW_DESTRUCTIVE unset none sends a request', async () => {
    const { call } = setup({});
    expect(Object.keys(registryWriteActions()).sort()).toEqual(Object.keys(actions).sort());
    for (const [action, args] of Object.entries(actions)) {
      const err = errorOf(await call({ action, ...args }));
      expect(err.type, action).toBe('gate_closed');
    }
    expect(msw.seen).toHaveLength(0);
  });

  it('dry_run works with the gate closed, resolves the target and changes nothing', async () => {
    msw.server.use(
      http.head(`${REG}/v2/acme/app/manifests/:ref`, () => new HttpResponse(null, { status: 200, headers: manifestHeaders })),
      http.get(`${REG}/v2/acme/app/tags/list`, () => HttpResponse.json({ name: 'acme/app', tags: ['v1'] })),
      http.get(`${REG}/v2/acme/app/manifests/:ref`, () => new HttpResponse(MANIFEST, { headers: manifestHeaders })),
      http.head(`${REG}/v2/acme/:name/blobs/:digest`, () => new HttpResponse(null, { status: 404 })),
      http.head(`${REG}/v2/acme/other/manifests/v1`, () => new HttpResponse(null, { status: 404 })),
    );
    const { call } = setup({});
    for (const [action, args] of Object.entries(actions)) {
      const result = await call({ action, ...args, dry_run: true });
      if (action === 'delete_blob') {
        expect(errorOf(result).type).toBe('not_found'); // the HEAD says it is not there
        continue;
      }
      expect(ok(result).data, action).toMatchObject({ dry_run: true });
    }
    expect(msw.seen.filter((r) => !['GET', 'HEAD'].includes(r.method))).toEqual([]);
    const data = dataOf(await call({ action: 'delete_manifest', repo: 'acme/app', reference: 'v1', dry_run: true }));
    expect(data).toMatchObject({ digest: MANIFEST_DIGEST, tags: { tags: ['v1'] } });
  });
});

describe('payloadOf', () => {
  it('decodes base64 (and base64url), takes text as UTF-8, and refuses two payloads or bad base64', () => {
    expect(payloadOf({ data_base64: Buffer.from([255, 0, 1]).toString('base64') })).toEqual(Buffer.from([255, 0, 1]));
    expect(payloadOf({ data_base64: Buffer.from([251, 255]).toString('base64url') })).toEqual(Buffer.from([251, 255]));
    expect(payloadOf({ chunk: 'é' })).toEqual(Buffer.from('é', 'utf8'));
    expect(payloadOf({})).toBeUndefined();
    expect(() => payloadOf({ data: 'a', data_base64: 'YQ==' })).toThrow(/once/);
    expect(() => payloadOf({ data_base64: 'not base64!' })).toThrow(/base64/);
  });
});
