// Image insight on a real registry (Debian's docker-registry) behind a counting proxy: images built
// by the test helpers from real tar streams (gzip, zstd and plain layers), answers checked against
// what the helpers wrote, and the blob requests each answer cost counted where the registry sees them.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingProxy, type CountingProxyHandle } from '../helpers/registry/counting-proxy.js';
import { Fixtures } from '../helpers/registry/fixtures.js';
import { REGISTRY_MISSING, registryAvailable, startRegistry, type RegistryHandle } from '../helpers/registry/launch.js';
import { callImage, dataOf, errorOf, imageApp, type Progress } from '../helpers/image/call.js';
import { apkInstalled, debianPackages, dpkgStatus, osRelease, REMOVED_STANZA, type FakePackage } from '../helpers/image/distros.js';
import { layerOf, pushLayers, type PushedLayers } from '../helpers/image/layers.js';

const skip = !registryAvailable() && !process.env.CI;
if (skip) console.warn(`skipping image insight integration tests: ${REGISTRY_MISSING}`);

const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

interface FileRow {
  path: string;
  type: string;
  size: number;
  mode: string;
  link?: string;
  layer?: number;
}

// The Debian-like image: base (gzip), an install layer (zstd), a config layer (plain tar).
const basePackages = debianPackages(30);
const status0 = dpkgStatus(basePackages, [REMOVED_STANZA]);
const added: FakePackage[] = ['curl', 'libcurl4', 'ca-certificates', 'openssl'].map((name) => ({
  name,
  version: '8.5.0-2',
  architecture: 'amd64',
}));
const upgraded = basePackages.map((p) => (p.name === 'debpkg03' ? { ...p, version: '2.0.0-1' } : p));
const status1 = dpkgStatus([...upgraded, ...added]);
const osText = osRelease('debian', '12', 'Debian GNU/Linux 12 (bookworm)');
const longDoc = `usr/share/doc/${'x'.repeat(120)}/copyright`;
const binary = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]), Buffer.alloc(300, 0xfe)]);
const debianLayers = [
  layerOf(
    [
      { path: 'bin', type: 'dir' },
      { path: 'bin/sh', body: binary, mode: 0o755 },
      { path: 'etc', type: 'dir' },
      { path: 'etc/os-release', link: '../usr/lib/os-release' },
      { path: 'etc/motd', body: 'x'.repeat(5000) },
      { path: 'etc/app', type: 'dir' },
      { path: 'etc/app/old.conf', body: 'old' },
      { path: 'lib', link: 'usr/lib' },
      { path: 'usr/lib', type: 'dir' },
      { path: 'usr/lib/os-release', body: osText },
      { path: 'var/cache/apt/pkgcache.bin', body: Buffer.alloc(20_000, 7) },
      { path: 'var/lib/dpkg/status', body: status0 },
    ],
    'gzip',
  ),
  layerOf(
    [
      { path: 'usr/bin/curl', body: 'curl binary v8\n', mode: 0o755 },
      { path: 'usr/bin/curl-hard', type: 'hardlink', link: 'usr/bin/curl' },
      { path: longDoc, body: 'MIT' },
      { path: 'var/lib/dpkg/status', body: status1 },
    ],
    'zstd',
  ),
  layerOf(
    [
      { path: 'var/cache/apt/.wh.pkgcache.bin' },
      { path: 'etc/app/.wh..wh..opq' },
      { path: 'etc/app/new.conf', body: 'new' },
      { path: 'etc/motd', body: 'welcome\n' },
      { path: 'loop/a', link: 'b' },
      { path: 'loop/b', link: '/loop/a' },
    ],
    'none',
  ),
];
const debianSteps = [
  '/bin/sh -c #(nop) ADD file:rootfs in / ',
  'RUN /bin/sh -c apt-get install -y curl # buildkit',
  'COPY app /etc/app # buildkit',
];

describe.skipIf(skip)('hub_registry image insight on a real registry', () => {
  let reg: RegistryHandle;
  let proxy: CountingProxyHandle;
  let debian: PushedLayers;
  let five: PushedLayers;
  const repo = (name: string): string => `${proxy.host}/${name}`;
  const blobReads = (digests: string[]): string[] =>
    proxy.filter({ kind: 'blob' }).flatMap((r) => digests.filter((d) => r.path.endsWith(d)).map((d) => `layer ${digests.indexOf(d)}`));

  beforeAll(async () => {
    reg = await startRegistry({ auth: 'none' });
    proxy = await startCountingProxy({ upstream: reg.url });
    const fx = Fixtures.for(reg);
    debian = await pushLayers(fx, 'insight/debian', 'bookworm', debianLayers, debianSteps);
    await pushLayers(fx, 'insight/alpine', '3.20', [
      layerOf(
        [
          { path: 'etc/os-release', body: osRelease('alpine', '3.20.0', 'Alpine Linux v3.20') },
          {
            path: 'lib/apk/db/installed',
            body: apkInstalled([
              { name: 'musl', version: '1.2.5-r0', architecture: 'x86_64' },
              { name: 'busybox', version: '1.36.1-r29', architecture: 'x86_64' },
              { name: 'libssl3', version: '3.3.1-r0', architecture: 'x86_64', source: 'openssl' },
            ]),
          },
        ],
        'gzip',
      ),
    ]);
    const statusD = (name: string, version: string): { path: string; body: string } => ({
      path: `var/lib/dpkg/status.d/${name}`,
      body: `Package: ${name}\nVersion: ${version}\nArchitecture: amd64\n`,
    });
    await pushLayers(fx, 'insight/distroless', 'static', [
      layerOf(
        [
          statusD('base-files', '12.4+deb12u5'),
          statusD('netbase', '6.4'),
          statusD('tzdata', '2024a-0+deb12u1'),
          { path: 'etc/os-release', body: osRelease('debian', '12', 'Distroless') },
        ],
        'gzip',
      ),
      layerOf([statusD('libssl3', '3.0.13-1~deb12u1')], 'gzip'),
    ]);
    five = await pushLayers(
      fx,
      'insight/five',
      'v1',
      Array.from({ length: 5 }, (_, i) =>
        layerOf(
          [
            { path: `layer-${i}.txt`, body: `only in layer ${i}\n` },
            { path: 'shared.txt', body: `layer ${i} wrote this\n` },
          ],
          'gzip',
        ),
      ),
    );
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await reg?.stop();
  });

  it('layers: digest, media type, size and build step per layer, from manifest and config only', async () => {
    const app = imageApp();
    proxy.reset();
    const result = dataOf<{ layer_count: number; total_size: number; layers: Array<Record<string, unknown>> }>(
      await callImage(app, { action: 'layers', repo: repo('insight/debian:bookworm') }),
    );
    expect(result.layer_count).toBe(3);
    expect(result.layers.map((l) => [l.index, l.media_type, l.size, l.instruction])).toEqual([
      [0, 'application/vnd.oci.image.layer.v1.tar+gzip', debianLayers[0]!.bytes.length, 'ADD file:rootfs in /'],
      [1, 'application/vnd.oci.image.layer.v1.tar+zstd', debianLayers[1]!.bytes.length, 'RUN apt-get install -y curl'],
      [2, 'application/vnd.oci.image.layer.v1.tar', debianLayers[2]!.bytes.length, 'COPY app /etc/app'],
    ]);
    expect(result.layers[0]).toMatchObject({ digest: debian.layers[0]!.digest, created: '2024-05-01T12:00:00Z' });
    expect(result.total_size).toBe(debianLayers.reduce((s, l) => s + l.bytes.length, 0));
    expect(blobReads(debian.layers.map((l) => l.digest))).toEqual([]);
    const bySize = dataOf<{ layers: Array<{ index: number }> }>(
      await callImage(app, { action: 'layers', repo: repo('insight/debian:bookworm'), sort: 'size' }),
    );
    const sizes = debianLayers.map((l, i) => [l.bytes.length, i] as const).sort((a, b) => b[0] - a[0]);
    expect(bySize.layers.map((l) => l.index)).toEqual(sizes.map(([, i]) => i));
  });

  it('files: the merged filesystem with whiteouts, opaque dirs, links and the layer of each; a second call reads no blob', async () => {
    const app = imageApp();
    const progress: Progress[] = [];
    proxy.reset();
    const merged = dataOf<{ view: string; files: FileRow[] }>(
      await callImage(app, { action: 'files', repo: repo('insight/debian:bookworm') }, progress),
    );
    expect(merged.view).toBe('merged');
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.every((p) => p.total === 3)).toBe(true);
    const byPath = new Map(merged.files.map((f) => [f.path, f]));
    expect(byPath.get('/etc/motd')).toEqual({ path: '/etc/motd', type: 'file', size: 8, mode: '0644', layer: 2 });
    expect(byPath.get('/bin/sh')).toMatchObject({ size: binary.length, mode: '0755', layer: 0 });
    expect(byPath.get('/etc/os-release')).toMatchObject({ type: 'symlink', link: '../usr/lib/os-release', layer: 0 });
    expect(byPath.get('/usr/bin/curl-hard')).toMatchObject({ type: 'hardlink', link: '/usr/bin/curl', layer: 1 });
    expect(byPath.get(`/${longDoc}`)).toMatchObject({ size: 3, layer: 1 });
    expect(byPath.get('/var/lib/dpkg/status')).toMatchObject({ size: Buffer.byteLength(status1), layer: 1 });
    expect(byPath.has('/var/cache/apt/pkgcache.bin')).toBe(false);
    expect(byPath.has('/etc/app/old.conf')).toBe(false);
    expect(byPath.get('/etc/app/new.conf')).toMatchObject({ layer: 2 });
    expect([...byPath.keys()].some((p) => p.includes('.wh.'))).toBe(false);
    expect(blobReads(debian.layers.map((l) => l.digest))).toEqual(['layer 0', 'layer 1', 'layer 2']);

    proxy.reset();
    const again = dataOf<{ files: FileRow[] }>(
      await callImage(app, { action: 'files', repo: repo('insight/debian:bookworm'), glob: '/etc/**', min_size: 1, sort: 'size' }),
    );
    expect(proxy.count({ kind: 'blob' })).toBe(0);
    expect(proxy.bytes().out).toBeLessThan(1024);
    expect(again.files.map((f) => f.path)).toEqual(['/etc/motd', '/etc/app/new.conf']);
  });

  it('files: wasted space names the shadowed and deleted lower-layer bytes', async () => {
    const app = imageApp();
    const result = dataOf<{ wasted: { wasted_bytes: number; worst: Array<{ path: string; bytes: number; layers: number[] }> } }>(
      await callImage(app, { action: 'files', repo: repo('insight/debian:bookworm'), wasted: true, max_items: 1 }),
    );
    expect(result.wasted.wasted_bytes).toBe(20_000 + 5000 + 3 + Buffer.byteLength(status0));
    const worst = [
      ['/var/cache/apt/pkgcache.bin', 20_000],
      ['/var/lib/dpkg/status', Buffer.byteLength(status0)],
      ['/etc/motd', 5000],
      ['/etc/app/old.conf', 3],
    ];
    expect(result.wasted.worst.map((w) => [w.path, w.bytes])).toEqual(worst);
    expect(result.wasted.worst[2]).toEqual({ path: '/etc/motd', bytes: 5000, layers: [0] });
  });

  it("files: one layer's own changes, whiteouts and opaque markers included, paged with a cursor", async () => {
    const app = imageApp();
    const first = await callImage(app, { action: 'files', repo: repo('insight/debian:bookworm'), layer: '2', max_items: 3 });
    const page1 = dataOf<{ view: string; layer: number; total: number; files: FileRow[] }>(first);
    expect([page1.view, page1.layer, page1.total]).toEqual(['layer', 2, 6]);
    const next = (first.structuredContent as { next: { cursor: string; reference: string } }).next;
    expect(next).toEqual({ cursor: '3', reference: debian.digest });
    const page2 = dataOf<{ files: FileRow[] }>(
      await callImage(app, { action: 'files', repo: repo('insight/debian'), layer: debian.layers[2]!.digest, max_items: 10, ...next }),
    );
    expect([...page1.files, ...page2.files].map((f) => [f.path, f.type])).toEqual([
      ['/etc/app', 'opaque'],
      ['/etc/app/new.conf', 'file'],
      ['/etc/motd', 'file'],
      ['/loop/a', 'symlink'],
      ['/loop/b', 'symlink'],
      ['/var/cache/apt/pkgcache.bin', 'whiteout'],
    ]);
    expect(errorOf(await callImage(app, { action: 'files', repo: repo('insight/debian:bookworm'), layer: '9' }))).toMatchObject({
      type: 'invalid_argument',
    });
  });

  it('read_file: follows symlinks (on the file and on a parent), hard links, honours whiteouts, shows binary as base64', async () => {
    const app = imageApp();
    const debianRepo = repo('insight/debian:bookworm');
    const os = dataOf<Record<string, unknown>>(await callImage(app, { action: 'read_file', repo: debianRepo, path: '/etc/os-release' }));
    expect(os).toMatchObject({
      path: '/etc/os-release',
      resolved_path: '/usr/lib/os-release',
      links: ['/etc/os-release → ../usr/lib/os-release'],
      layer: 0,
      layer_digest: debian.layers[0]!.digest,
      encoding: 'text',
      content: osText,
      size: Buffer.byteLength(osText),
      sha256: sha256(osText),
    });
    const viaParent = dataOf<Record<string, unknown>>(
      await callImage(app, { action: 'read_file', repo: debianRepo, path: '/lib/os-release' }),
    );
    expect(viaParent).toMatchObject({ resolved_path: '/usr/lib/os-release', content: osText });
    const motd = dataOf<Record<string, unknown>>(await callImage(app, { action: 'read_file', repo: debianRepo, path: 'etc/motd' }));
    expect(motd).toMatchObject({ layer: 2, content: 'welcome\n', size: 8 });
    const hard = dataOf<Record<string, unknown>>(
      await callImage(app, { action: 'read_file', repo: debianRepo, path: '/usr/bin/curl-hard' }),
    );
    expect(hard).toMatchObject({ resolved_path: '/usr/bin/curl', content: 'curl binary v8\n', mode: '0755' });
    const sh = dataOf<Record<string, unknown>>(
      await callImage(app, { action: 'read_file', repo: debianRepo, path: '/bin/sh', max_bytes: 4 }),
    );
    expect(sh).toMatchObject({
      encoding: 'base64',
      content: binary.subarray(0, 4).toString('base64'),
      size: binary.length,
      sha256: sha256(binary),
      truncated: true,
    });
    const old = errorOf(await callImage(app, { action: 'read_file', repo: debianRepo, path: '/etc/app/old.conf' }));
    expect(old).toMatchObject({ type: 'not_found', message: expect.stringContaining('deleted in layer 2') as unknown });
    expect(errorOf(await callImage(app, { action: 'read_file', repo: debianRepo, path: '/var/cache/apt/pkgcache.bin' })).type).toBe(
      'not_found',
    );
    expect(errorOf(await callImage(app, { action: 'read_file', repo: debianRepo, path: '/nope' })).type).toBe('not_found');
    expect(errorOf(await callImage(app, { action: 'read_file', repo: debianRepo, path: '/etc' })).type).toBe('invalid_argument');
    const loop = errorOf(await callImage(app, { action: 'read_file', repo: debianRepo, path: '/loop/a' }));
    expect(loop).toMatchObject({ type: 'invalid_content', message: expect.stringContaining('symbolic links') as unknown });
  });

  it('read_file of a top-layer file in a 5-layer image reads only the top layer; a lower file reads down to its layer', async () => {
    const app = imageApp();
    const digests = five.layers.map((l) => l.digest);
    proxy.reset();
    const top = dataOf<Record<string, unknown>>(
      await callImage(app, { action: 'read_file', repo: repo('insight/five:v1'), path: '/shared.txt' }),
    );
    expect(top).toMatchObject({ layer: 4, content: 'layer 4 wrote this\n' });
    expect(blobReads(digests)).toEqual(['layer 4']);
    proxy.reset();
    const low = dataOf<Record<string, unknown>>(
      await callImage(app, { action: 'read_file', repo: repo('insight/five:v1'), path: '/layer-2.txt' }),
    );
    expect(low).toMatchObject({ layer: 2, content: 'only in layer 2\n' });
    expect(blobReads(digests)).toEqual(['layer 3', 'layer 2']);
  });

  it('packages: Debian-like dpkg status, with the layer that installed each version', async () => {
    const app = imageApp();
    const result = dataOf<{
      os: Record<string, string>;
      package_managers: string[];
      counts: Record<string, number>;
      packages: Array<{ name: string; version: string; architecture: string; source?: string; type: string; layer: number }>;
    }>(await callImage(app, { action: 'packages', repo: repo('insight/debian:bookworm') }));
    expect(result.os).toMatchObject({ ID: 'debian', VERSION_ID: '12', PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)' });
    expect(result.package_managers).toEqual(['dpkg']);
    expect(result.counts).toEqual({ total: 34, deb: 34 });
    const by = new Map(result.packages.map((p) => [p.name, p]));
    expect(by.get('debpkg00')).toEqual({
      name: 'debpkg00',
      version: '1.0.0-1',
      architecture: 'all',
      source: 'debsrc0',
      type: 'deb',
      layer: 0,
    });
    expect(by.get('debpkg03')).toMatchObject({ version: '2.0.0-1', layer: 1 });
    expect(by.get('curl')).toMatchObject({ version: '8.5.0-2', layer: 1 });
    expect(by.has('oldpkg')).toBe(false);
    const filtered = dataOf<{ matching: number; packages: Array<{ name: string }> }>(
      await callImage(app, { action: 'packages', repo: repo('insight/debian:bookworm'), name: 'CURL' }),
    );
    expect(filtered.packages.map((p) => p.name)).toEqual(['curl', 'libcurl4']);
  });

  it('packages: Alpine-like apk database and distroless status.d files', async () => {
    const app = imageApp();
    const apk = dataOf<{
      os: Record<string, string>;
      package_managers: string[];
      counts: Record<string, number>;
      packages: Array<Record<string, unknown>>;
    }>(await callImage(app, { action: 'packages', repo: repo('insight/alpine:3.20') }));
    expect([apk.os.ID, apk.package_managers, apk.counts]).toEqual(['alpine', ['apk'], { total: 3, apk: 3 }]);
    expect(apk.packages).toContainEqual({
      name: 'libssl3',
      version: '3.3.1-r0',
      architecture: 'x86_64',
      source: 'openssl',
      type: 'apk',
      layer: 0,
    });
    const dl = dataOf<{
      os: Record<string, string>;
      package_managers: string[];
      counts: Record<string, number>;
      packages: Array<{ name: string; layer: number }>;
    }>(await callImage(app, { action: 'packages', repo: repo('insight/distroless:static') }));
    expect([dl.os.PRETTY_NAME, dl.package_managers, dl.counts]).toEqual(['Distroless', ['dpkg'], { total: 4, deb: 4 }]);
    expect(dl.packages.map((p) => [p.name, p.layer])).toEqual([
      ['base-files', 0],
      ['libssl3', 1],
      ['netbase', 0],
      ['tzdata', 0],
    ]);
  });

  it('stops at DOCKERHUB_MAX_SCAN_BYTES with a clear error; layers still answers', async () => {
    const fx = Fixtures.for(reg);
    const big = await pushLayers(fx, 'insight/big', 'v1', [layerOf([{ path: 'zeros', body: Buffer.alloc(3 * 1024 * 1024) }], 'gzip')]);
    const app = imageApp({ DOCKERHUB_MAX_SCAN_BYTES: String(1024 * 1024) });
    const error = errorOf(await callImage(app, { action: 'files', repo: repo('insight/big:v1') }));
    expect(error.type).toBe('unsupported_content');
    expect(error.message).toContain('DOCKERHUB_MAX_SCAN_BYTES');
    expect(error.message).toContain(big.layers[0]!.digest);
    expect(dataOf<{ layer_count: number }>(await callImage(app, { action: 'layers', repo: repo('insight/big:v1') })).layer_count).toBe(1);
  });

  it('packages with language: npm and Python packages the merged filesystem still holds, off unless asked', async () => {
    const fx = Fixtures.for(reg);
    const pkg = (name: string, version: string): string => JSON.stringify({ name, version, main: 'index.js' });
    await pushLayers(fx, 'insight/node', 'v1', [
      layerOf([
        { path: 'usr/local/lib/node_modules/npm/package.json', body: pkg('npm', '10.8.1') },
        { path: 'app/node_modules/left-pad/package.json', body: pkg('left-pad', '1.3.0') },
        { path: 'app/package.json', body: pkg('my-app', '0.0.1') },
      ]),
      layerOf(
        [
          { path: 'app/node_modules/@scope/util/package.json', body: pkg('@scope/util', '2.0.0') },
          { path: 'app/node_modules/.wh.left-pad' },
          {
            path: 'usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA',
            body: 'Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n\nbody\n',
          },
        ],
        'zstd',
      ),
    ]);
    const app = imageApp();
    const plain = dataOf<{ counts: Record<string, number> }>(await callImage(app, { action: 'packages', repo: repo('insight/node:v1') }));
    expect(plain.counts).toEqual({ total: 0 });
    const withLanguage = dataOf<{ counts: Record<string, number>; packages: Array<Record<string, unknown>> }>(
      await callImage(app, { action: 'packages', repo: repo('insight/node:v1'), language: true }),
    );
    expect(withLanguage.counts).toEqual({ total: 3, npm: 2, pypi: 1 });
    expect(withLanguage.packages).toEqual([
      { name: '@scope/util', version: '2.0.0', type: 'npm', layer: 1, path: '/app/node_modules/@scope/util/package.json' },
      { name: 'npm', version: '10.8.1', type: 'npm', layer: 0, path: '/usr/local/lib/node_modules/npm/package.json' },
      {
        name: 'requests',
        version: '2.31.0',
        type: 'pypi',
        layer: 1,
        path: '/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA',
      },
    ]);
  });
});
