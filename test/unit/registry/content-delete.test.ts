// delete_manifest of an artifact with a `subject`: the referrers fallback index is only touched
// where the registry has no referrers API, and only after the registry accepted the delete.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  callRegistry,
  descriptor,
  failed,
  jsonContent,
  MT,
  ok,
  REG_ORIGIN,
  registryApp,
  sha256,
  useRegistryMsw,
} from '../../helpers/unit-registry/fake-registry.js';

const msw = useRegistryMsw();
const REPO = 'reg.example.test/acme/app';
const subject = jsonContent(
  { schemaVersion: 2, mediaType: MT.ociManifest, config: { mediaType: MT.ociEmpty, digest: sha256('{}'), size: 2 }, layers: [] },
  MT.ociManifest,
);
const artifact = jsonContent(
  {
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    artifactType: 'application/spdx+json',
    config: { mediaType: MT.ociEmpty, digest: sha256('{}'), size: 2 },
    layers: [],
    subject: descriptor(subject),
  },
  MT.ociManifest,
);
const other = sha256('another referrer');
const fallbackTag = subject.digest.replace(':', '-');
const fallback = jsonContent(
  {
    schemaVersion: 2,
    mediaType: MT.ociIndex,
    manifests: [descriptor(artifact, { artifactType: 'application/spdx+json' }), { mediaType: MT.ociManifest, digest: other, size: 10 }],
  },
  MT.ociIndex,
);

function serve(options: { referrersApi: boolean; deleteStatus: number }) {
  const puts: { path: string; body: string }[] = [];
  const deletes: string[] = [];
  const manifestResponse = (c: typeof artifact, method: string) =>
    new HttpResponse(method === 'HEAD' ? null : c.bytes.toString(), {
      headers: { 'content-type': c.mediaType, 'docker-content-digest': c.digest },
    });
  msw.server.use(
    http.all(`${REG_ORIGIN}/v2/acme/app/manifests/:ref`, async ({ request, params }) => {
      const ref = String(params.ref);
      if (request.method === 'PUT') {
        puts.push({ path: ref, body: await request.text() });
        return new HttpResponse(null, { status: 201 });
      }
      if (request.method === 'DELETE') {
        deletes.push(ref);
        return options.deleteStatus < 300
          ? new HttpResponse(null, { status: options.deleteStatus })
          : HttpResponse.json({ errors: [{ code: 'UNSUPPORTED' }] }, { status: options.deleteStatus });
      }
      if (ref === artifact.digest) return manifestResponse(artifact, request.method);
      if (ref === fallbackTag) return manifestResponse(fallback, request.method);
      return new HttpResponse(null, { status: 404 });
    }),
    http.get(`${REG_ORIGIN}/v2/acme/app/tags/list`, () => HttpResponse.json({ name: 'acme/app', tags: [fallbackTag] })),
    http.get(`${REG_ORIGIN}/v2/acme/app/referrers/:digest`, () =>
      options.referrersApi
        ? HttpResponse.json({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [] })
        : new HttpResponse(null, { status: 404 }),
    ),
  );
  return { puts, deletes };
}

describe('delete_manifest of an artifact with a subject', () => {
  it('no referrers API: the fallback index is re-pushed without the artifact, the other referrer kept', async () => {
    const { puts, deletes } = serve({ referrersApi: false, deleteStatus: 202 });
    const out = ok<{ referrers_fallback: Record<string, unknown> }>(
      await callRegistry(registryApp({ DOCKERHUB_ALLOW_DESTRUCTIVE: 'true' }), {
        action: 'delete_manifest',
        repo: REPO,
        reference: artifact.digest,
      }),
    );
    expect(deletes).toEqual([artifact.digest]);
    expect(puts.map((p) => p.path)).toEqual([fallbackTag]);
    const pushed = JSON.parse(puts[0]!.body) as { manifests: { digest: string }[] };
    expect(pushed.manifests.map((m) => m.digest)).toEqual([other]);
    expect(out.data.referrers_fallback).toMatchObject({ tag: fallbackTag, action: 'remove', remaining: 1 });
  });

  it('a registry with the referrers API keeps its own index: nothing is pushed', async () => {
    const { puts } = serve({ referrersApi: true, deleteStatus: 202 });
    const out = ok<{ referrers_fallback: Record<string, unknown> }>(
      await callRegistry(registryApp({ DOCKERHUB_ALLOW_DESTRUCTIVE: 'true' }), {
        action: 'delete_manifest',
        repo: REPO,
        reference: artifact.digest,
      }),
    );
    expect(puts).toEqual([]);
    expect(out.data.referrers_fallback).toMatchObject({ action: 'none' });
  });

  it('a refused delete leaves the fallback index as it was', async () => {
    const { puts } = serve({ referrersApi: false, deleteStatus: 405 });
    const error = failed(
      await callRegistry(registryApp({ DOCKERHUB_ALLOW_DESTRUCTIVE: 'true' }), {
        action: 'delete_manifest',
        repo: REPO,
        reference: artifact.digest,
      }),
    );
    expect(error.type).toBe('unsupported');
    expect(puts).toEqual([]);
  });

  it('dry_run says what would happen and writes nothing', async () => {
    const { puts, deletes } = serve({ referrersApi: false, deleteStatus: 202 });
    const out = ok<{ referrers_fallback: Record<string, unknown> }>(
      await callRegistry(registryApp(), { action: 'delete_manifest', repo: REPO, reference: artifact.digest, dry_run: true }),
    );
    expect(out.data.referrers_fallback).toEqual({ subject: subject.digest, tag: fallbackTag, action: 'remove', remaining: 1 });
    expect(puts).toEqual([]);
    expect(deletes).toEqual([]);
  });
});
