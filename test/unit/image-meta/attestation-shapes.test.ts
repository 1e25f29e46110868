// sbom / provenance on attestation shapes real registries hold besides BuildKit's happy path:
// statements missing fields, predicates we do not parse, bytes that are not JSON, signed (DSSE)
// statements, bare SBOM documents and in-toto referrers, and build arguments carrying secrets.
import { describe, expect, it } from 'vitest';
import { REDACTED } from '../../../src/redact.js';
import { putAttestedIndex, putImageWithReferrers } from '../../helpers/image-meta/attested.js';
import { callRegistry, exampleRegistry, failed, ok, registryApp, useRegistryMsw } from '../../helpers/unit-registry/fake-registry.js';

const msw = useRegistryMsw();
const REPO = 'reg.example.test/team/app:1.0';
const SPDX = 'https://spdx.dev/Document';
const SLSA1 = 'https://slsa.dev/provenance/v1';
const CUSTOM = 'https://example.com/custom-predicate/v1';

interface Answer {
  found: boolean;
  note?: string;
  sboms?: { digest: string; predicate_type: string; source: string; summary: Record<string, unknown> }[];
  provenance?: { summary: Record<string, unknown>; document?: { document: Record<string, unknown> } }[];
  other_attestations: { digest: string; predicate_type: string; source: string }[];
}

function serve(setup: (reg: ReturnType<typeof exampleRegistry>) => void): void {
  const reg = exampleRegistry();
  setup(reg);
  msw.server.use(...reg.handlers());
}

const statement = (predicateType: string | undefined, predicate: unknown): Record<string, unknown> => ({
  _type: 'https://in-toto.io/Statement/v0.1',
  ...(predicateType ? { predicateType } : {}),
  subject: [],
  ...(predicate !== undefined ? { predicate } : {}),
});

describe('sbom / provenance on edge shapes', () => {
  it('summarises a statement missing fields, naming what is missing instead of guessing', async () => {
    serve((reg) => putAttestedIndex(reg, 'team/app', '1.0', [{ body: statement(SPDX, { name: 'partial' }), annotation: SPDX }]));
    const answer = ok<Answer>(await callRegistry(registryApp(), { action: 'sbom', repo: REPO })).data;
    expect(answer.sboms?.[0]?.summary).toEqual({
      format: 'SPDX',
      name: 'partial',
      generators: [],
      package_count: 0,
      missing: ['packages', 'creationInfo.creators'],
    });
  });

  it('says so when a statement has no predicate, and reads the type from the statement when the layer has no annotation', async () => {
    serve((reg) => putAttestedIndex(reg, 'team/app', '1.0', [{ body: statement(SPDX, undefined) }]));
    const answer = ok<Answer>(await callRegistry(registryApp(), { action: 'sbom', repo: REPO })).data;
    expect(answer.sboms?.[0]).toMatchObject({ predicate_type: SPDX, summary: { note: 'the statement has no predicate object' } });
  });

  it('lists a predicate it does not parse by type, and answers unsupported_content only when asked for it', async () => {
    let digest = '';
    serve((reg) => {
      const built = putAttestedIndex(reg, 'team/app', '1.0', [
        { body: statement(CUSTOM, { anything: true }), annotation: CUSTOM },
        { body: statement(SPDX, { packages: [{}, {}, {}] }), annotation: SPDX },
      ]);
      digest = built.statements[0]!.digest;
    });
    const app = registryApp();
    const answer = ok<Answer>(await callRegistry(app, { action: 'sbom', repo: REPO })).data;
    expect(answer.sboms?.[0]?.summary.package_count).toBe(3);
    expect(answer.other_attestations).toEqual([{ digest, predicate_type: CUSTOM, source: 'index' }]);
    // The custom statement was classified from its annotation: never downloaded.
    expect(msw.seen.some((s) => s.url.pathname.endsWith(`/blobs/${digest}`))).toBe(false);

    const asked = failed(await callRegistry(app, { action: 'sbom', repo: REPO, predicate_type: CUSTOM }));
    expect(asked.type).toBe('unsupported_content');
    expect(asked.message).toContain(CUSTOM);
    expect(asked.message).toContain(digest);
  });

  it('answers invalid_content for a statement that is not JSON', async () => {
    serve((reg) =>
      putAttestedIndex(reg, 'team/app', '1.0', [
        { body: Buffer.from('{"_type": "https://in-toto.io/Statement/v0.1", '), annotation: SPDX },
      ]),
    );
    const error = failed(await callRegistry(registryApp(), { action: 'sbom', repo: REPO }));
    expect(error.type).toBe('invalid_content');
    expect(error.message).toMatch(/^attestation sha256:[0-9a-f]{64} is not JSON$/);
  });

  it('answers invalid_content for a statement that is JSON but not an object', async () => {
    serve((reg) => putAttestedIndex(reg, 'team/app', '1.0', [{ body: [1, 2, 3], annotation: SPDX }]));
    expect(failed(await callRegistry(registryApp(), { action: 'sbom', repo: REPO })).type).toBe('invalid_content');
  });

  it('reads signed (DSSE) statements, CycloneDX included, counting nested components', async () => {
    const cdx = statement('https://cyclonedx.org/bom', {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      metadata: { tools: { components: [{ name: 'trivy', version: '0.50.0' }] }, component: { name: 'team/app' } },
      components: [{ name: 'a', components: [{ name: 'a1' }, { name: 'a2' }] }, { name: 'b' }],
    });
    const envelope = {
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(JSON.stringify(cdx)).toString('base64'),
      signatures: [],
    };
    serve((reg) => putAttestedIndex(reg, 'team/app', '1.0', [{ body: envelope, mediaType: 'application/vnd.in-toto.cyclonedx+dsse' }]));
    const answer = ok<Answer>(await callRegistry(registryApp(), { action: 'sbom', repo: REPO })).data;
    expect(answer.sboms?.[0]?.summary).toEqual({
      format: 'CycloneDX',
      version: '1.5',
      name: 'team/app',
      generators: ['trivy-0.50.0'],
      package_count: 4,
    });
  });

  it('finds in-toto referrers and bare SBOM documents of a single image through the fallback tag', async () => {
    serve((reg) =>
      putImageWithReferrers(reg, 'team/app', '1.0', [
        { body: statement(SPDX, { packages: [{}, {}] }), annotation: SPDX },
        { body: { spdxVersion: 'SPDX-2.3', name: 'bare', packages: [{}] }, mediaType: 'application/spdx+json' },
      ]),
    );
    const answer = ok<Answer>(await callRegistry(registryApp(), { action: 'sbom', repo: REPO })).data;
    expect(answer.sboms?.map((s) => [s.source, s.summary.package_count])).toEqual([
      ['referrers', 2],
      ['referrers', 1],
    ]);
  });

  it('redacts build arguments that look like secrets, in the summary and in the full document', async () => {
    const args = {
      'build-arg:VERSION': '1.2.3',
      'build-arg:GITHUB_TOKEN': 'ghp_example_value_1',
      'build-arg:DB_PASSWORD': 'hunter2-example',
      'build-arg:SIGNING_SECRET': 's3cret-example',
      'build-arg:NPM_AUTH': 'npm-auth-example',
      'build-arg:AWS_ACCESS_KEY_ID': 'AKIAEXAMPLE',
      target: 'release',
    };
    const v1 = statement(SLSA1, {
      buildDefinition: {
        buildType: 'https://mobyproject.org/buildkit@v1',
        externalParameters: {
          configSource: { uri: 'https://github.com/acme/app.git#main', digest: { sha1: 'abc123' }, path: 'build/Dockerfile' },
          request: { frontend: 'dockerfile.v0', args },
        },
        resolvedDependencies: [{ uri: 'pkg:docker/golang@1.22-alpine', digest: { sha256: 'f'.repeat(64) } }],
      },
      runDetails: {
        builder: { id: 'https://github.com/acme/app/actions/runs/1' },
        metadata: { invocationID: 'x', startedOn: '2024-01-01T00:00:00Z', finishedOn: '2024-01-01T00:01:00Z' },
      },
    });
    serve((reg) => putAttestedIndex(reg, 'team/app', '1.0', [{ body: v1, annotation: SLSA1 }]));
    const result = await callRegistry(registryApp(), { action: 'provenance', repo: REPO, include_document: true });
    const answer = ok<Answer>(result).data;
    expect(answer.provenance?.[0]?.summary).toEqual({
      slsa_version: 'v1',
      builder_id: 'https://github.com/acme/app/actions/runs/1',
      build_type: 'https://mobyproject.org/buildkit@v1',
      source: { commit: 'abc123', uri: 'https://github.com/acme/app.git#main' },
      dockerfile: 'build/Dockerfile',
      frontend: 'dockerfile.v0',
      target: 'release',
      build_args: {
        VERSION: '1.2.3',
        GITHUB_TOKEN: REDACTED,
        DB_PASSWORD: REDACTED,
        SIGNING_SECRET: REDACTED,
        NPM_AUTH: REDACTED,
        AWS_ACCESS_KEY_ID: REDACTED,
      },
      materials: [{ uri: 'pkg:docker/golang@1.22-alpine', digests: [`sha256:${'f'.repeat(64)}`] }],
      started: '2024-01-01T00:00:00Z',
      finished: '2024-01-01T00:01:00Z',
    });
    const text = JSON.stringify(result);
    for (const secret of ['ghp_example_value_1', 'hunter2-example', 's3cret-example', 'npm-auth-example', 'AKIAEXAMPLE'])
      expect(text).not.toContain(secret);
    expect(text).toContain('1.2.3');
  });
});

describe('platform of a single image', () => {
  it('refuses a platform the single image is not, as docker pull --platform does', async () => {
    serve((reg) => putImageWithReferrers(reg, 'team/app', '1.0', []));
    const error = failed(await callRegistry(registryApp(), { action: 'sbom', repo: REPO, platform: 'linux/arm64' }));
    expect(error.type).toBe('not_found');
    expect(error.message).toContain('single-platform linux/amd64 image');
  });

  it('names the platform from the config when one is asked for and matches', async () => {
    serve((reg) => putImageWithReferrers(reg, 'team/app', '1.0', []));
    const answer = ok<{ platform: string; found: boolean }>(
      await callRegistry(registryApp(), { action: 'sbom', repo: REPO, platform: 'linux/amd64' }),
    ).data;
    expect(answer).toMatchObject({ platform: 'linux/amd64', found: false });
  });
});
