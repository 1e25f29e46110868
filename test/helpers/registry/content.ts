// Content for registry fixtures, built in memory without pushing anything: media types, platform
// parsing, real tar+gzip layers, realistic image configs, buildx-style in-toto attestations.
// Everything is deterministic (fixed timestamps, seeded bytes) unless told otherwise, so pushing
// the same fixture twice gives the same digests.
import { gzipSync } from 'node:zlib';
import { sha256Digest } from './blob-stream.js';
import type { Descriptor, Platform } from '../../../src/registry/platform.js';

export const MT = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  inToto: 'application/vnd.in-toto+json',
} as const;

/** The OCI empty descriptor's content `{}`. */
export const EMPTY_JSON = Buffer.from('{}');
export const EMPTY_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

export const DEFAULT_CREATED = '2024-05-01T12:00:00Z';

// One shape for descriptors and platforms: the server's own (test helpers never redeclare them).
export type { Descriptor, Platform };

/** 'linux/arm64/v8' → {os: 'linux', architecture: 'arm64', variant: 'v8'}. */
export function parsePlatform(platform: string | Platform): Platform {
  if (typeof platform !== 'string') return platform;
  const [os, architecture, variant] = platform.split('/');
  if (!os || !architecture) throw new Error(`bad platform ${platform}; expected os/arch[/variant]`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function platformString(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** A ustar archive of regular files (names relative, no leading '/'), mtime fixed. */
export function tarFiles(files: Record<string, string | Buffer>): Buffer {
  const blocks: Buffer[] = [];
  for (const [rawName, content] of Object.entries(files)) {
    const name = rawName.replace(/^\/+/, '');
    if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const header = Buffer.alloc(512);
    const put = (text: string, offset: number, length: number): void => {
      header.write(text.slice(0, length), offset, length, 'utf8');
    };
    const octal = (value: number, length: number): string => value.toString(8).padStart(length - 1, '0') + '\0';
    put(name, 0, 100);
    put(octal(0o644, 8), 100, 8);
    put(octal(0, 8), 108, 8);
    put(octal(0, 8), 116, 8);
    put(octal(data.length, 12), 124, 12);
    put(octal(1714564800, 12), 136, 12);
    put('        ', 148, 8);
    put('0', 156, 1);
    put('ustar\0', 257, 6);
    put('00', 263, 2);
    put('root', 265, 32);
    put('root', 297, 32);
    let sum = 0;
    for (const byte of header) sum += byte;
    put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export interface LayerContent {
  /** The blob as pushed. */
  bytes: Buffer;
  mediaType: string;
  /** Digest of the uncompressed tar (config rootfs.diff_ids). */
  diffId: string;
  annotations?: Record<string, string>;
}

/** A real gzip-compressed tar layer of the given files. */
export function tarGzLayer(files: Record<string, string | Buffer>, format: 'oci' | 'docker' = 'oci'): LayerContent {
  const tar = tarFiles(files);
  return {
    bytes: gzipSync(tar, { level: 6 }),
    mediaType: format === 'oci' ? MT.ociLayerGzip : MT.dockerLayerGzip,
    diffId: sha256Digest(tar),
  };
}

export interface ImageConfigOptions {
  platform: Platform;
  diffIds: string[];
  created?: string;
  /** Merged into the `config` section. */
  config?: Record<string, unknown>;
  history?: Array<Record<string, unknown>>;
}

/** A realistic image config (what `docker build` writes), as a plain object. */
export function imageConfig(o: ImageConfigOptions): Record<string, unknown> {
  const created = o.created ?? DEFAULT_CREATED;
  const config: Record<string, unknown> = {
    User: 'app',
    ExposedPorts: { '8080/tcp': {} },
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'APP_ENV=test'],
    Entrypoint: ['/usr/local/bin/app'],
    Cmd: ['--serve'],
    WorkingDir: '/srv',
    Labels: { 'org.opencontainers.image.source': 'https://example.com/fixtures', 'org.opencontainers.image.version': '1.0.0' },
    ...o.config,
  };
  const history: Array<Record<string, unknown>> =
    o.history ??
    o.diffIds.map((_, i) => ({
      created,
      created_by: i === 0 ? '/bin/sh -c #(nop) ADD file:rootfs in / ' : `RUN /bin/sh -c step-${i} # buildkit`,
      comment: 'buildkit.dockerfile.v0',
    }));
  if (!o.history) {
    history.push({ created, created_by: 'ENTRYPOINT ["/usr/local/bin/app"]', comment: 'buildkit.dockerfile.v0', empty_layer: true });
  }
  return {
    created,
    architecture: o.platform.architecture,
    os: o.platform.os,
    ...(o.platform.variant ? { variant: o.platform.variant } : {}),
    config,
    rootfs: { type: 'layers', diff_ids: o.diffIds },
    history,
  };
}

/** The default layers of a fixture image: two small, real tar.gz layers specific to repo and platform. */
export function defaultLayers(repo: string, platform: Platform, format: 'oci' | 'docker'): LayerContent[] {
  const p = platformString(platform);
  return [
    tarGzLayer({ 'etc/os-release': `NAME="Fixture Linux"\nID=fixture\nPLATFORM=${p}\n`, 'etc/hostname': 'fixture\n' }, format),
    tarGzLayer({ 'usr/local/bin/app': `#!/bin/sh\necho ${repo} on ${p}\n`, 'srv/README': `fixture image for ${repo}\n` }, format),
  ];
}

export interface Statement {
  predicateType: string;
  bytes: Buffer;
}

/** An SPDX SBOM and a SLSA provenance statement about one image, as buildx attaches them. */
export function attestationStatements(repo: string, imageDigest: string, platform: Platform): Statement[] {
  const subject = [
    { name: `pkg:docker/${repo}?platform=${encodeURIComponent(platformString(platform))}`, digest: { sha256: imageDigest.slice(7) } },
  ];
  const sbom = {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://spdx.dev/Document',
    subject,
    predicate: {
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: `sbom-${repo}`,
      creationInfo: { created: DEFAULT_CREATED, creators: ['Tool: fixtures'] },
      packages: [{ name: 'app', SPDXID: 'SPDXRef-Package-app', versionInfo: '1.0.0', downloadLocation: 'NOASSERTION' }],
    },
  };
  const provenance = {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject,
    predicate: {
      builder: { id: 'https://example.com/fixtures/builder' },
      buildType: 'https://mobyproject.org/buildkit@v1',
      metadata: { buildStartedOn: DEFAULT_CREATED, buildFinishedOn: DEFAULT_CREATED, completeness: { parameters: true } },
      invocation: { configSource: { entryPoint: 'Dockerfile' }, parameters: { frontend: 'dockerfile.v0' } },
    },
  };
  return [sbom, provenance].map((s) => ({ predicateType: s.predicateType, bytes: Buffer.from(JSON.stringify(s)) }));
}

/** The referrers fallback tag for a subject digest: `sha256:abc` → `sha256-abc` (encoded part ≤ 64 chars). */
export function referrersTag(digest: string): string {
  const [alg = '', encoded = ''] = digest.split(':');
  return `${alg.slice(0, 32)}-${encoded.slice(0, 64)}`.replace(/[^a-zA-Z0-9._-]/g, '-');
}
