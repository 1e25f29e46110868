// The index cache counts what a layer's index really holds: a layer of thousands of small files
// costs its compact table (~31 bytes a file plus the path), so the 128 MiB bound keeps what it says.
import { describe, expect, it } from 'vitest';
import { indexCacheFor } from '../../../src/image/index-cache.js';
import {
  buildImage,
  callRegistry,
  content,
  exampleRegistry,
  ok,
  REG_HOST,
  registryApp,
  useRegistryMsw,
} from '../../helpers/unit-registry/fake-registry.js';
import { layerOf } from '../../helpers/image/layers.js';

const msw = useRegistryMsw();

describe('layer index weight', () => {
  it('a layer of 5,000 files is cached at its compact size, and listed whole from it', async () => {
    const specs = Array.from({ length: 5000 }, (_, i) => ({ path: `usr/share/app/d${i % 50}/file-${i}.txt`, body: 'x' }));
    const pathBytes = specs.reduce((sum, s) => sum + Buffer.byteLength(s.path), 0);
    const built = buildImage({ platform: { os: 'linux', architecture: 'amd64' }, layers: [] });
    const blob = content(layerOf(specs).bytes, 'application/vnd.oci.image.layer.v1.tar+gzip');
    built.layers.push(blob);
    const manifest = JSON.parse(built.manifest.bytes.toString()) as { layers: unknown[] };
    manifest.layers = [{ mediaType: blob.mediaType, digest: blob.digest, size: blob.bytes.length }];
    built.manifest = content(Buffer.from(JSON.stringify(manifest)), built.manifest.mediaType);
    msw.server.use(...exampleRegistry({ auth: 'none' }).putImage('t/many', built, 'v1').handlers());
    const app = registryApp();
    const page = ok<{ total: number; files: Array<{ path: string }> }>(
      await callRegistry(app, { action: 'files', repo: `${REG_HOST}/t/many:v1`, max_items: 2 }),
    ).data;
    expect(page.total).toBe(5000);
    expect(page.files.map((f) => f.path)).toEqual(['/usr/share/app/d0/file-0.txt', '/usr/share/app/d0/file-100.txt']);
    const { entries, bytes } = indexCacheFor(app.registry).size;
    expect(entries).toBe(1);
    // The table (31 bytes a file plus its path) and a fixed overhead; no object per file.
    expect(bytes).toBeGreaterThanOrEqual(pathBytes + 5000 * 31);
    expect(bytes).toBeLessThan(pathBytes + 5000 * 31 + 8 * 1024);
  });
});
