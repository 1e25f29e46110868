// Unit-test content for image insight: an image whose index carries one BuildKit-style
// attestation manifest with the statement layers a test chooses (any bytes, any annotation), and
// referrer artifacts listed under the `sha256-<hex>` fallback tag, for the msw fake registry.
import {
  MT,
  buildImage,
  content,
  descriptor,
  jsonContent,
  sha256,
  type BuiltImage,
  type Content,
  type FakeRegistry,
} from '../unit-registry/fake-registry.js';

export interface StatementLayer {
  /** The statement: an object (serialised) or raw bytes (e.g. malformed JSON). */
  body: unknown;
  /** The `in-toto.io/predicate-type` annotation; omitted when undefined. */
  annotation?: string;
  mediaType?: string;
}

function layerContent(layer: StatementLayer): Content {
  const bytes = Buffer.isBuffer(layer.body) ? layer.body : Buffer.from(JSON.stringify(layer.body));
  return content(bytes, layer.mediaType ?? MT.inToto);
}

function attestationManifest(layers: Content[], annotations: (string | undefined)[], extra: Record<string, unknown> = {}): Content {
  return jsonContent(
    {
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      ...extra,
      config: { mediaType: MT.ociConfig, digest: sha256('{}'), size: 2 },
      layers: layers.map((l, i) => descriptor(l, annotations[i] ? { annotations: { 'in-toto.io/predicate-type': annotations[i] } } : {})),
    },
    MT.ociManifest,
  );
}

export interface AttestedImage {
  image: BuiltImage;
  index: Content;
  statements: Content[];
}

/** Pushes `repo:tag` = an index over one linux/amd64 image plus an attestation manifest holding `layers`. */
export function putAttestedIndex(reg: FakeRegistry, repo: string, tag: string, layers: StatementLayer[]): AttestedImage {
  const image = buildImage({ platform: { os: 'linux', architecture: 'amd64' } });
  const statements = layers.map(layerContent);
  const att = attestationManifest(
    statements,
    layers.map((l) => l.annotation),
  );
  const index = jsonContent(
    {
      schemaVersion: 2,
      mediaType: MT.ociIndex,
      manifests: [
        descriptor(image.manifest, { platform: image.platform }),
        descriptor(att, {
          platform: { os: 'unknown', architecture: 'unknown' },
          annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': image.manifest.digest },
        }),
      ],
    },
    MT.ociIndex,
  );
  reg.putImage(repo, image).putManifest(repo, att).putManifest(repo, index, tag);
  for (const s of statements) reg.putBlob(repo, s);
  return { image, index, statements };
}

/** Pushes a single image `repo:tag` with `layers` as referrer artifacts listed under its fallback tag. */
export function putImageWithReferrers(reg: FakeRegistry, repo: string, tag: string, layers: StatementLayer[]): AttestedImage {
  const image = buildImage({ platform: { os: 'linux', architecture: 'amd64' } });
  reg.putImage(repo, image, tag);
  const statements = layers.map(layerContent);
  const artifacts = statements.map((s, i) => {
    const artifact = attestationManifest([s], [layers[i]!.annotation], {
      artifactType: layers[i]!.mediaType ?? MT.inToto,
      subject: descriptor(image.manifest),
    });
    reg.putBlob(repo, s).putManifest(repo, artifact);
    return artifact;
  });
  const fallback = jsonContent(
    { schemaVersion: 2, mediaType: MT.ociIndex, manifests: artifacts.map((a) => descriptor(a, { artifactType: MT.inToto })) },
    MT.ociIndex,
  );
  reg.putManifest(repo, fallback, image.manifest.digest.replace(':', '-'));
  return { image, index: image.manifest, statements };
}
