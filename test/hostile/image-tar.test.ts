// Hostile layers on a real registry: archives that climb out of the root, lie about sizes, expand
// a thousandfold, stop halfway, are not tars at all, or link in circles. Each answer is a listed
// entry or a typed error (never internal_error, never a crash), the server answers a normal call
// right after, and nothing in src/image can write a file: it imports no file-system module.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { Fixtures } from '../helpers/registry/fixtures.js';
import { MT, type LayerContent } from '../helpers/registry/content.js';
import { sha256Digest } from '../helpers/registry/blob-stream.js';
import { REGISTRY_MISSING, registryAvailable, startRegistry, type RegistryHandle } from '../helpers/registry/launch.js';
import { callImage, dataOf, errorOf, imageApp } from '../helpers/image/call.js';
import { layerOf, pushLayers } from '../helpers/image/layers.js';
import { tarEntry, tarOf } from '../helpers/image/tar-build.js';

const skip = !registryAvailable() && !process.env.CI;
if (skip) console.warn(`skipping hostile image tests: ${REGISTRY_MISSING}`);

/** A gzip of a tar holding `size` zero bytes, compressed as it is generated (never held whole). */
async function gzipBomb(size: number): Promise<LayerContent> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => gzip.on('end', resolve));
  for (const block of tarEntry({ path: 'zeros', headerSize: size })) gzip.write(block);
  const zeros = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < size; written += zeros.length) {
    if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end(Buffer.alloc(1024));
  await ended;
  return { bytes: Buffer.concat(out), mediaType: MT.ociLayerGzip, diffId: sha256Digest('unknown') };
}

describe.skipIf(skip)('hostile image layers', () => {
  let reg: RegistryHandle;
  let fx: Fixtures;
  let app: AppContext;
  const repo = (name: string): string => `${reg.host}/${name}`;

  beforeAll(async () => {
    reg = await startRegistry({ auth: 'none' });
    fx = Fixtures.for(reg);
    app = imageApp({ DOCKERHUB_MAX_SCAN_BYTES: String(16 * 1024 * 1024) });
    await pushLayers(fx, 'hostile/good', 'v1', [layerOf([{ path: 'ok.txt', body: 'fine\n' }])]);
  }, 60_000);

  afterAll(async () => {
    await reg?.stop();
  });

  async function stillServes(): Promise<void> {
    const ok = dataOf<{ content: string }>(await callImage(app, { action: 'read_file', repo: repo('hostile/good:v1'), path: '/ok.txt' }));
    expect(ok.content).toBe('fine\n');
  }

  it('lists ../ and absolute paths clamped inside the image root, flagged as escaped', async () => {
    await pushLayers(fx, 'hostile/escape', 'v1', [
      layerOf([
        { path: '../../../../tmp/pwned', body: 'x' },
        { path: '/etc/absolute', body: 'y' },
        { path: 'a/../../b', link: '../../../../etc/shadow' },
      ]),
    ]);
    const files = dataOf<{ files: Array<Record<string, unknown>> }>(
      await callImage(app, { action: 'files', repo: repo('hostile/escape:v1') }),
    );
    expect(files.files).toEqual([
      { path: '/b', type: 'symlink', size: 0, mode: '0644', link: '../../../../etc/shadow', layer: 0, escaped: true },
      { path: '/etc/absolute', type: 'file', size: 1, mode: '0644', layer: 0 },
      { path: '/tmp/pwned', type: 'file', size: 1, mode: '0644', layer: 0, escaped: true },
    ]);
    // The link resolves inside the image, where /etc/shadow does not exist.
    expect(errorOf(await callImage(app, { action: 'read_file', repo: repo('hostile/escape:v1'), path: '/b' })).type).toBe('not_found');
    await stillServes();
  });

  it('a 10 GB size header over a few bytes is invalid_content, not a 10 GB read', async () => {
    const tar = tarOf([{ path: 'sparse', body: 'tiny', headerSize: 10 * 1024 ** 3 }], { end: false });
    await pushLayers(fx, 'hostile/huge', 'v1', [layerOf(tar, 'gzip')]);
    const error = errorOf(await callImage(app, { action: 'files', repo: repo('hostile/huge:v1') }));
    expect(error.type).toBe('invalid_content');
    expect(error.message).toContain('10737418240 bytes declared');
    await stillServes();
  });

  it('a gzip bomb (256 MiB of zeros in ~256 KiB) stops at the scan limit', async () => {
    const bomb = await gzipBomb(256 * 1024 * 1024);
    expect(bomb.bytes.length).toBeLessThan(1024 * 1024);
    await pushLayers(fx, 'hostile/bomb', 'v1', [bomb]);
    const before = process.memoryUsage().rss;
    const error = errorOf(await callImage(app, { action: 'files', repo: repo('hostile/bomb:v1') }));
    expect(error.type).toBe('unsupported_content');
    expect(error.message).toContain('DOCKERHUB_MAX_SCAN_BYTES');
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    await stillServes();
  });

  it('a truncated layer (gzip cut halfway, or a tar cut inside a body) is invalid_content', async () => {
    const whole = layerOf(
      [
        { path: 'f', body: Buffer.alloc(50_000, 3) },
        { path: 'g', body: 'after' },
      ],
      'gzip',
    );
    await pushLayers(fx, 'hostile/cut-gzip', 'v1', [{ ...whole, bytes: whole.bytes.subarray(0, whole.bytes.length >> 1) }]);
    const gz = errorOf(await callImage(app, { action: 'files', repo: repo('hostile/cut-gzip:v1') }));
    expect(gz).toMatchObject({ type: 'invalid_content', message: expect.stringContaining('gzip layer does not decompress') as unknown });
    const tar = tarOf([{ path: 'f', body: Buffer.alloc(50_000, 3) }]);
    await pushLayers(fx, 'hostile/cut-tar', 'v1', [layerOf(tar.subarray(0, 20_000), 'none')]);
    const cut = errorOf(await callImage(app, { action: 'files', repo: repo('hostile/cut-tar:v1') }));
    expect(cut).toMatchObject({ type: 'invalid_content', message: expect.stringContaining('ends inside the body of f') as unknown });
    await stillServes();
  });

  it('random bytes, an oversized PAX header and a non-filesystem layer are typed errors', async () => {
    await pushLayers(fx, 'hostile/noise', 'v1', [layerOf(Buffer.alloc(4096, 0x5a), 'none')]);
    expect(errorOf(await callImage(app, { action: 'files', repo: repo('hostile/noise:v1') })).type).toBe('invalid_content');
    const pax = Buffer.concat([...tarEntry({ path: 'PaxHeaders/x', body: Buffer.alloc(10), headerSize: 2 * 1024 * 1024 }).slice(0, 1)]);
    pax[156] = 'x'.charCodeAt(0);
    let sum = 0;
    pax.fill(0x20, 148, 156);
    for (const byte of pax) sum += byte;
    pax.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    await pushLayers(fx, 'hostile/pax', 'v1', [layerOf(Buffer.concat([pax, Buffer.alloc(4096)]), 'none')]);
    expect(errorOf(await callImage(app, { action: 'files', repo: repo('hostile/pax:v1') }))).toMatchObject({
      type: 'invalid_content',
      message: expect.stringContaining('x header of 2097152 bytes') as unknown,
    });
    const chart = {
      bytes: Buffer.from('not a tar'),
      mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
      diffId: sha256Digest('x'),
    };
    await pushLayers(fx, 'hostile/chart', 'v1', [chart]);
    expect(errorOf(await callImage(app, { action: 'files', repo: repo('hostile/chart:v1') })).type).toBe('unsupported_content');
    await stillServes();
  });

  it('symlink loops (self, pair, through a parent directory) end with invalid_content', async () => {
    await pushLayers(fx, 'hostile/loops', 'v1', [
      layerOf([
        { path: 'self', link: 'self' },
        { path: 'a', link: '/b' },
        { path: 'b', link: 'a' },
        { path: 'dir', link: 'dir/sub' },
      ]),
    ]);
    for (const path of ['/self', '/a', '/dir/file']) {
      const error = errorOf(await callImage(app, { action: 'read_file', repo: repo('hostile/loops:v1'), path }));
      expect(error.type, path).toBe('invalid_content');
      expect(error.message).toContain('symbolic links');
    }
    await stillServes();
  });
});

describe('image insight writes nothing', () => {
  it('no module under src/image imports a file-system or process module', () => {
    const dir = join(import.meta.dirname, '../../src/image');
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const source = readFileSync(join(file.parentPath, file.name), 'utf8');
      expect(source, file.name).not.toMatch(/from '(node:)?(fs|fs\/promises|child_process)'/);
    }
  });
});
