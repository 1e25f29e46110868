// Layer blobs for image-insight tests (gzip, zstd, uncompressed) and a pusher for images whose
// layers and history the test chooses. Node 20's zlib cannot write zstd and fzstd only reads it,
// so zstd layers are written by hand as RFC 8878 frames of "raw" (stored) blocks: a valid zstd
// stream any decoder must accept, with no compression in it.
import { gzipSync } from 'node:zlib';
import { imageConfig, MT, type Descriptor, type LayerContent } from '../registry/content.js';
import { sha256Digest } from '../registry/blob-stream.js';
import type { Fixtures } from '../registry/fixtures.js';
import { tarOf, type TarSpec } from './tar-build.js';

export const ZSTD_LAYER = 'application/vnd.oci.image.layer.v1.tar+zstd';

/** One zstd frame holding `data` in raw blocks (RFC 8878 §3.1.1): no window, 8-byte content size. */
export function zstdRawFrame(data: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd])];
  // Frame header descriptor: Frame_Content_Size_flag = 3 (8 bytes), Single_Segment_flag = 1.
  const fcs = Buffer.alloc(8);
  fcs.writeBigUInt64LE(BigInt(data.length));
  parts.push(Buffer.from([0xe0]), fcs);
  const MAX_BLOCK = 128 * 1024;
  let at = 0;
  do {
    const size = Math.min(MAX_BLOCK, data.length - at);
    const last = at + size >= data.length ? 1 : 0;
    const value = last | (0 << 1) | (size << 3); // Block_Type 0 = Raw_Block
    parts.push(Buffer.from([value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff]), data.subarray(at, at + size));
    at += size;
  } while (at < data.length);
  return Buffer.concat(parts);
}

export type Compression = 'gzip' | 'zstd' | 'none';

export function layerOf(specs: readonly TarSpec[] | Buffer, compression: Compression = 'gzip'): LayerContent {
  const tar = Buffer.isBuffer(specs) ? specs : tarOf(specs);
  const diffId = sha256Digest(tar);
  if (compression === 'gzip') return { bytes: gzipSync(tar), mediaType: MT.ociLayerGzip, diffId };
  if (compression === 'zstd') return { bytes: zstdRawFrame(tar), mediaType: ZSTD_LAYER, diffId };
  return { bytes: tar, mediaType: MT.ociLayerTar, diffId };
}

export interface PushedLayers {
  digest: string;
  layers: Descriptor[];
}

/** Pushes `layers` as an OCI image with one history step per layer (`steps`, or `RUN step-i`). */
export async function pushLayers(fx: Fixtures, repo: string, tag: string, layers: LayerContent[], steps?: string[]): Promise<PushedLayers> {
  const pushed: Descriptor[] = [];
  for (const layer of layers) {
    const blob = await fx.client.pushBlob(repo, layer.bytes);
    pushed.push({ mediaType: layer.mediaType, digest: blob.digest, size: blob.size });
  }
  const history: Array<Record<string, unknown>> = layers.map((_, i) => ({
    created: '2024-05-01T12:00:00Z',
    created_by: steps?.[i] ?? `RUN /bin/sh -c step-${i} # buildkit`,
    comment: 'buildkit.dockerfile.v0',
  }));
  // An instruction that made no layer, as the classic builder records one: skipped when aligning.
  history.splice(1, 0, { created: '2024-05-01T12:00:00Z', created_by: '/bin/sh -c #(nop)  ENV A=1', empty_layer: true });
  const config = Buffer.from(
    JSON.stringify(imageConfig({ platform: { os: 'linux', architecture: 'amd64' }, diffIds: layers.map((l) => l.diffId), history })),
  );
  const configBlob = await fx.client.pushBlob(repo, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      config: { mediaType: MT.ociConfig, digest: configBlob.digest, size: configBlob.size },
      layers: pushed,
    }),
  );
  const { digest } = await fx.client.pushManifest(repo, tag, manifest, MT.ociManifest);
  return { digest, layers: pushed };
}
