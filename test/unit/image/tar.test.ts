// The streaming tar reader over archives written byte by byte by the test helper, fed in awkward
// chunk sizes so headers and bodies straddle chunk boundaries.
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../../src/http/errors.js';
import { normalisePath, tarEntries, type TarEntry } from '../../../src/image/tar.js';
import { tarOf } from '../../helpers/image/tar-build.js';

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function read(bytes: Buffer, size = 7, bodies: string[] = []): Promise<Array<TarEntry & { body?: string }>> {
  const out: Array<TarEntry & { body?: string }> = [];
  for await (const { entry, body } of tarEntries(chunked(bytes, size))) {
    if (bodies.includes(entry.path)) {
      const parts: Buffer[] = [];
      for await (const part of body()) parts.push(Buffer.from(part));
      out.push({ ...entry, body: Buffer.concat(parts).toString() });
    } else out.push(entry);
  }
  return out;
}

async function failure(bytes: Buffer): Promise<ToolError> {
  try {
    await read(bytes, 4096);
  } catch (error) {
    return error as ToolError;
  }
  throw new Error('no error');
}

describe('tarEntries', () => {
  it('reads files, directories, links and bodies across chunk boundaries', async () => {
    const tar = tarOf([
      { path: './', type: 'dir' },
      { path: './etc/', type: 'dir' },
      { path: './etc/hosts', body: '127.0.0.1 localhost\n', mode: 0o600 },
      { path: 'usr/bin/tool', body: Buffer.alloc(1500, 1), mode: 0o755 },
      { path: 'usr/bin/alias', link: 'tool' },
      { path: 'usr/bin/hard', type: 'hardlink', link: 'usr/bin/tool' },
      { path: 'run/fifo', type: 'fifo' },
    ]);
    for (const size of [1, 7, 512, 100_000]) {
      const entries = await read(tar, size, ['etc/hosts']);
      expect(entries).toEqual([
        { path: 'etc', type: 'dir', size: 0, mode: 0o755 },
        { path: 'etc/hosts', type: 'file', size: 20, mode: 0o600, body: '127.0.0.1 localhost\n' },
        { path: 'usr/bin/tool', type: 'file', size: 1500, mode: 0o755 },
        { path: 'usr/bin/alias', type: 'symlink', size: 0, mode: 0o644, link: 'tool' },
        { path: 'usr/bin/hard', type: 'hardlink', size: 0, mode: 0o644, link: 'usr/bin/tool' },
        { path: 'run/fifo', type: 'fifo', size: 0, mode: 0o644 },
      ]);
    }
  });

  it('takes long names and links from GNU L/K entries and from PAX records', async () => {
    const longDir = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
    const tar = tarOf([
      { path: `${longDir}/gnu-file`, body: 'gnu' },
      { path: `${longDir}/gnu-link`, link: `/${longDir}/gnu-file` },
      { path: `${longDir}/pax-file`, body: 'pax', long: 'pax' },
      { path: `${longDir}/pax-link`, link: `/${longDir}/pax-file`, long: 'pax' },
      { path: 'short', body: 'after' },
    ]);
    const entries = await read(tar, 33, [`${longDir}/pax-file`, 'short']);
    expect(entries.map((e) => [e.path, e.link ?? e.body ?? ''])).toEqual([
      [`${longDir}/gnu-file`, ''],
      [`${longDir}/gnu-link`, `/${longDir}/gnu-file`],
      [`${longDir}/pax-file`, 'pax'],
      [`${longDir}/pax-link`, `/${longDir}/pax-file`],
      ['short', 'after'],
    ]);
  });

  it('keeps paths inside the root: absolute paths made relative, ../ clamped and flagged', async () => {
    const entries = await read(
      tarOf([
        { path: '/etc/abs', body: 'a' },
        { path: '../../escape', body: 'b' },
        { path: 'a/../b/./c', body: 'c' },
      ]),
    );
    expect(entries.map((e) => [e.path, e.escaped ?? false])).toEqual([
      ['etc/abs', false],
      ['escape', true],
      ['b/c', false],
    ]);
    expect(normalisePath('/../x/..//y/')).toEqual({ path: 'y', escaped: true });
  });

  it('reports a truncated archive, a lying size header and garbage as invalid_content', async () => {
    const good = tarOf([{ path: 'f', body: 'x'.repeat(2000) }]);
    const cut = await failure(good.subarray(0, 1200));
    expect([cut.type, cut.message]).toEqual(['invalid_content', expect.stringContaining('ends inside the body of f')]);
    const huge = await failure(tarOf([{ path: 'sparse', body: 'tiny', headerSize: 10 * 1024 ** 3 }], { end: false }));
    expect(huge.type).toBe('invalid_content');
    expect(huge.message).toContain('10737418240 bytes declared');
    const half = await failure(good.subarray(0, 300));
    expect(half.message).toContain('ends inside a header');
    const junk = await failure(Buffer.alloc(1024, 0x41));
    expect([junk.type, junk.message]).toEqual(['invalid_content', expect.stringContaining('checksum')]);
  });
});
