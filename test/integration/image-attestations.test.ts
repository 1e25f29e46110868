// sbom and provenance against real `docker buildx build --sbom --provenance` output: the OCI
// layouts in the shared test data pushed byte for byte to a real registry, and the summaries
// checked against the in-toto statements read from the same layouts.
import { callRegistryTool, dataOf } from '../helpers/registry-tool.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createAppContext, type AppContext } from '../../src/context.js';
import { silentLogger } from '../../src/log.js';
import { pushLayout, TESTDATA, type PushedLayout } from '../helpers/image-meta/oci-layout.js';
import { REGISTRY_MISSING, registryAvailable, startRegistry, type RegistryHandle } from '../helpers/registry/launch.js';
import { Fixtures } from '../helpers/registry/fixtures.js';
import { PushClient } from '../helpers/registry/push-client.js';
import { testConfig } from '../helpers/unit/app.js';

const skip = !registryAvailable() && !process.env.CI;
if (skip) console.warn(`skipping image attestation tests: ${REGISTRY_MISSING}`);

const call = callRegistryTool;

const data = dataOf;

interface SpdxPredicate {
  spdxVersion: string;
  name: string;
  documentNamespace: string;
  creationInfo: { created: string };
  packages: unknown[];
  relationships: unknown[];
}

interface SlsaPredicate {
  builder: { id: string };
  buildType: string;
  materials: { uri: string; digest: { sha256: string } }[];
  invocation: { configSource: { entryPoint: string } };
  metadata: {
    buildStartedOn: string;
    buildFinishedOn: string;
    'https://mobyproject.org/buildkit@v1#metadata': { vcs: { source: string; revision: string } };
  };
}

interface Statement {
  predicateType: string;
  subject: { digest: { sha256: string } }[];
  predicate: SpdxPredicate & SlsaPredicate;
}

/** One summarised statement of an sbom / provenance answer. */
interface Read {
  predicate_type: string;
  source: string;
  subject_matches?: boolean;
  summary: Record<string, unknown> & { materials?: unknown[]; package_count?: number };
  document?: { lists: Record<string, number>; document: { materials: { uri: string }[] }; next_page?: number };
}

interface Other {
  predicate_type: string;
  source: string;
}

/** The statements an attestation manifest of the layout holds, read from disk. */
function statementsFor(layout: PushedLayout, indexDigest: string, imageDigest: string): Statement[] {
  const index = layout.manifests.get(indexDigest) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const att = index.manifests.find((m) => m.annotations?.['vnd.docker.reference.digest'] === imageDigest)!;
  const manifest = layout.manifests.get(att.digest) as { layers: { digest: string }[] };
  return manifest.layers.map((l) => JSON.parse(layout.blob(l.digest).toString('utf8')) as Statement);
}

describe.skipIf(skip)('sbom and provenance from BuildKit attestations', () => {
  let registry: RegistryHandle;
  let app: AppContext;
  const layouts: Record<string, PushedLayout> = {};

  beforeAll(async () => {
    registry = await startRegistry();
    const client = PushClient.for(registry);
    for (const name of ['unsigned-index', 'no-provenance-index', 'unsigned-image', 'containerd-subject-layout'])
      layouts[name] = await pushLayout(client, join(TESTDATA, name), `buildkit/${name}`, 'test');
    app = createAppContext(testConfig({ DOCKER_CONFIG: '/nonexistent' }), silentLogger, 'test');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await registry?.stop();
  });

  const repo = (name: string): string => `${registry.host}/buildkit/${name}:test`;

  it('summarises the SPDX SBOM of each platform as the statement says', async () => {
    const layout = layouts['unsigned-index']!;
    const index = layout.manifests.get(layout.digest) as { manifests: { digest: string; platform: { architecture: string } }[] };
    for (const arch of ['amd64', 'arm64']) {
      const imageDigest = index.manifests.find((m) => m.platform.architecture === arch)!.digest;
      const spdx = statementsFor(layout, layout.digest, imageDigest).find((s) => s.predicateType === 'https://spdx.dev/Document')!;
      const answer = data<{ found: boolean; image_digest: string; platform: string; sboms: Read[]; other_attestations: Other[] }>(
        await call(app, { action: 'sbom', repo: repo('unsigned-index'), platform: `linux/${arch}` }),
      );
      expect(answer.found).toBe(true);
      expect(answer.image_digest).toBe(imageDigest);
      expect(answer.platform).toBe(`linux/${arch}`);
      expect(answer.sboms).toHaveLength(1);
      const sbom = answer.sboms[0]!;
      expect(sbom.predicate_type).toBe('https://spdx.dev/Document');
      expect(sbom.source).toBe('index');
      expect(sbom.subject_matches).toBe(true);
      expect(sbom.summary).toEqual({
        format: 'SPDX',
        version: spdx.predicate.spdxVersion,
        name: spdx.predicate.name,
        namespace: spdx.predicate.documentNamespace,
        created: spdx.predicate.creationInfo.created,
        generators: ['syft-v0.105.0', 'buildkit-v0.12.4'],
        package_count: spdx.predicate.packages.length,
        relationship_count: spdx.predicate.relationships.length,
      });
      // The provenance statement is there too, listed by type but not read for an sbom call.
      expect(answer.other_attestations).toEqual([
        expect.objectContaining({ predicate_type: 'https://slsa.dev/provenance/v0.2', source: 'index' }),
      ]);
    }
  });

  it('summarises the SLSA provenance: builder, build type, source, Dockerfile, materials with digests', async () => {
    const layout = layouts['unsigned-index']!;
    const index = layout.manifests.get(layout.digest) as { manifests: { digest: string; platform: { architecture: string } }[] };
    const imageDigest = index.manifests.find((m) => m.platform.architecture === 'amd64')!.digest;
    const slsa = statementsFor(layout, layout.digest, imageDigest).find((s) => s.predicateType === 'https://slsa.dev/provenance/v0.2')!;
    // Default platform: linux/amd64.
    const answer = data<{ found: boolean; image_digest: string; provenance: Read[] }>(
      await call(app, { action: 'provenance', repo: repo('unsigned-index') }),
    );
    expect(answer.image_digest).toBe(imageDigest);
    const summary = answer.provenance[0]!.summary;
    const vcs = slsa.predicate.metadata['https://mobyproject.org/buildkit@v1#metadata'].vcs;
    expect(summary).toMatchObject({
      slsa_version: 'v0.2',
      builder_id: slsa.predicate.builder.id,
      build_type: slsa.predicate.buildType,
      source: { repository: vcs.source, commit: vcs.revision },
      dockerfile: slsa.predicate.invocation.configSource.entryPoint,
      frontend: 'dockerfile.v0',
      started: slsa.predicate.metadata.buildStartedOn,
      finished: slsa.predicate.metadata.buildFinishedOn,
    });
    expect(summary.materials).toEqual(
      slsa.predicate.materials.map((m) => ({
        uri: m.uri,
        digests: [`sha256:${m.digest.sha256}`],
      })),
    );
  });

  it('pages the full document under the item cap', async () => {
    const answer = await call(app, { action: 'provenance', repo: repo('unsigned-index'), include_document: true, page_size: 1 });
    const doc = data<{ provenance: Read[] }>(answer).provenance[0]!.document!;
    expect(doc.lists.materials).toBe(2);
    expect(doc.document.materials).toHaveLength(1);
    expect(doc.next_page).toBe(1);
    expect((answer.structuredContent as { next?: unknown }).next).toEqual({ page: 1, include_document: true });
    const second = data<{ provenance: Read[] }>(
      await call(app, { action: 'provenance', repo: repo('unsigned-index'), include_document: true, page_size: 1, page: 1 }),
    );
    expect(second.provenance[0]!.document!.document.materials[0]?.uri).toBe('pkg:docker/alpine@latest?platform=linux%2Famd64');
    // Every list is paged the same way; the build definition's four LLB steps have two more pages.
    expect(second.provenance[0]!.document!.lists).toEqual({
      materials: 2,
      'invocation.parameters.locals': 2,
      'buildConfig.llbDefinition': 4,
    });
    expect(second.provenance[0]!.document!.next_page).toBe(2);
  });

  it('says plainly when an index has an SBOM and no provenance', async () => {
    const answer = data<{ found: boolean; provenance: unknown[]; note: string; other_attestations: Other[] }>(
      await call(app, { action: 'provenance', repo: repo('no-provenance-index') }),
    );
    expect(answer.found).toBe(false);
    expect(answer.provenance).toEqual([]);
    expect(answer.note).toMatch(
      /^no provenance attestation for the linux\/amd64 image sha256:[0-9a-f]{64}; attestations present: https:\/\/spdx\.dev\/Document$/,
    );
    const sbom = data<{ found: boolean; sboms: Read[] }>(await call(app, { action: 'sbom', repo: repo('no-provenance-index') }));
    expect(sbom.found).toBe(true);
    expect(sbom.sboms[0]!.summary.package_count).toBe(1);
  });

  it('says a single image without an index or referrers has no attestations', async () => {
    for (const action of ['sbom', 'provenance']) {
      const answer = data<{ found: boolean; note: string; referrers_lookup: string }>(
        await call(app, { action, repo: repo('unsigned-image') }),
      );
      expect(answer.found).toBe(false);
      expect(answer.referrers_lookup).toBe('fallback_tag');
      expect(answer.note).toContain('the image has no attestations');
    }
  });

  it('finds an in-toto statement pushed as an OCI referrer (through the sha256-<hex> fallback tag)', async () => {
    // The no-provenance build's linux/amd64 image is this very manifest (same digest); its SBOM
    // statement is attached to it as a referrer.
    const statement = layouts['no-provenance-index']!.blob('sha256:618f1e2f903648dde23cc38dc0ed7eed83d5394a6902bb7bfae8fa707c2e5c33');
    const image = layouts['unsigned-image']!;
    await Fixtures.for(registry).pushReferrer(
      'buildkit/unsigned-image',
      { mediaType: image.mediaType, digest: image.digest, size: image.blob(image.digest).length },
      'application/vnd.in-toto+json',
      { content: statement, layerMediaType: 'application/vnd.in-toto+json' },
    );
    const answer = data<{ found: boolean; referrers_lookup: string; sboms: Read[] }>(
      await call(app, { action: 'sbom', repo: repo('unsigned-image') }),
    );
    expect(answer.found).toBe(true);
    expect(answer.referrers_lookup).toBe('fallback_tag');
    expect(answer.sboms).toHaveLength(1);
    expect(answer.sboms[0]!.source).toBe('referrers');
    expect(answer.sboms[0]!.summary).toMatchObject({ format: 'SPDX', package_count: 1 });
    expect(answer.sboms[0]!.subject_matches).toBe(true);
  });

  it('reads the containerd layout (arm64 only: the default falls back to the first platform)', async () => {
    const answer = data<{ found: boolean; platform: string; image_digest: string; sboms: Read[] }>(
      await call(app, { action: 'sbom', repo: repo('containerd-subject-layout') }),
    );
    expect(answer.platform).toBe('linux/arm64');
    expect(answer.image_digest).toBe('sha256:e44a73ec811b0442dfcdd13a0eb035746d0569662684dafe2f3e8abe644871ec');
    expect(answer.sboms[0]!.summary).toMatchObject({ format: 'SPDX', package_count: 1, generators: ['syft-v0.105.0'] });
  });
});
