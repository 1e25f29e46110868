// The compact layer table: every entry comes back exactly as it went in (unicode, long names,
// links, whiteouts, sizes past 4 GiB), lookups find what the archive wrote last, and the structure
// costs bytes per entry, not objects.
import { describe, expect, it } from 'vitest';
import { FileTable, FileTableBuilder, lowerBound, subtree, type IndexEntry } from '../../../src/image/file-table.js';

const file = (path: string, size = 1): IndexEntry => ({ path, type: 'file', size, mode: 0o644 });

describe('FileTable', () => {
  const longName = `${'deep/'.repeat(1000)}leaf.txt`;
  // Longer than one 1 MiB names chunk: it gets a chunk of its own.
  const hugeName = `x/${'é'.repeat(600_000)}`;
  const entries: IndexEntry[] = [
    { path: 'etc', type: 'dir', size: 0, mode: 0o755 },
    file('etc/motd', 12),
    { path: 'usr/share/doc/日本語/readme', type: 'file', size: 5, mode: 0o600 },
    { path: 'emoji/🐳.txt', type: 'file', size: 2 ** 33 + 7, mode: 0o4755 },
    { path: 'usr/bin/sh', type: 'symlink', size: 0, mode: 0o777, link: '/bin/büsybox' },
    { path: 'usr/bin/ash', type: 'hardlink', size: 0, mode: 0o755, link: 'bin/busybox' },
    { path: 'etc/gone', type: 'whiteout', size: 0, mode: 0 },
    { path: 'var/cache', type: 'opaque', size: 0, mode: 0 },
    { path: 'etc', type: 'opaque', size: 0, mode: 0 },
    { path: 'outside', type: 'file', size: 3, mode: 0o644, escaped: true },
    file(longName, 9),
    file(hugeName, 1),
    file('etc/motd', 99), // written again later in the archive
  ];
  const table = FileTable.of(entries);

  it('gives back every entry, field for field, in archive order by id', () => {
    expect(table.count).toBe(entries.length);
    expect(entries.map((_, id) => table.entry(id))).toEqual(entries);
  });

  it('orders by UTF-8 bytes (code points), archive order among equal paths', () => {
    const paths = [...table.order].map((id) => table.path(id));
    const expected = entries.map((e, id) => ({ path: e.path, id, key: Buffer.from(e.path) }));
    expected.sort((a, b) => Buffer.compare(a.key, b.key) || a.id - b.id);
    expect(paths).toEqual(expected.map((e) => e.path));
    expect([...table.order].filter((id) => table.path(id) === 'etc/motd')).toEqual([1, 12]);
  });

  it('looks up the last entry written at a path, and whiteouts and opaque markers apart from entries', () => {
    expect(table.entry(table.lookup('etc/motd')).size).toBe(99);
    expect(table.lookup('etc/gone')).toBe(-1);
    expect(table.whitedOut('etc/gone')).toBe(true);
    expect(table.whitedOut('etc/motd')).toBe(false);
    expect([table.opaque('var/cache'), table.opaque('etc'), table.opaque('var')]).toEqual([true, true, false]);
    expect(table.entry(table.lookup('etc')).type).toBe('dir'); // the directory and its opaque marker both stand
    expect(table.lookup(hugeName)).toBe(11);
    expect(table.lookup('emoji/🐳.txt')).toBe(3);
    expect(table.lookup('emoji')).toBe(-1);
  });

  it("finds a directory's subtree without the siblings that sort between it and its children", () => {
    const t = FileTable.of(['a', 'a-b', 'a.txt', 'a/x', 'a/y/z', 'a0', 'ab'].map((p) => file(p)));
    const picked = subtree(t, 'a').flatMap(([from, to]) => [...t.order.subarray(from, to)].map((id) => t.path(id)));
    expect(picked).toEqual(['a', 'a/x', 'a/y/z']);
    expect(subtree(t, 'nothing').flatMap(([from, to]) => [...t.order.subarray(from, to)])).toEqual([]);
    expect(lowerBound(t, Buffer.from('a/'))).toBe(3);
  });

  it('costs about 31 bytes an entry plus its UTF-8 path, in a few buffers', () => {
    const builder = new FileTableBuilder();
    let pathBytes = 0;
    for (let i = 0; i < 50_000; i++) {
      const path = `usr/lib/python3/dist-packages/pkg${i % 97}/module_${i}.py`;
      pathBytes += Buffer.byteLength(path);
      builder.add(file(path, i));
    }
    const big = builder.finish();
    expect(big.bytes).toBeGreaterThanOrEqual(pathBytes + 50_000 * 31);
    // Slack: the unused tail of each names chunk and a fixed cost per chunk.
    expect(big.bytes).toBeLessThan(pathBytes + 50_000 * 31 + 64 * 1024);
    expect(big.entry(big.lookup('usr/lib/python3/dist-packages/pkg2/module_49860.py')).size).toBe(49_860);
    // An empty layer, or one of a few files, costs next to nothing in the cache.
    expect(FileTable.of([]).bytes).toBe(0);
    expect(FileTable.of([file('a'), file('b')]).bytes).toBeLessThan(256);
  });

  it('refuses a layer whose names pass the byte cap, as a typed error, instead of holding them', () => {
    const builder = new FileTableBuilder(1000);
    for (let i = 0; i < 9; i++) builder.add(file(`${'n'.repeat(99)}${i}`));
    expect(() => builder.add(file('x'.repeat(200)))).toThrow(expect.objectContaining({ type: 'unsupported_content' }));
  });
});
