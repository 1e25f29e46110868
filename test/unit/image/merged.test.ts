// The merged filesystem: whiteouts, opaque directories, replacement, and the bytes they waste.
import { describe, expect, it } from 'vitest';
import { listFiles, wastedReport } from '../../../src/image/file-list.js';
import { FileTable } from '../../../src/image/file-table.js';
import type { IndexEntry, LayerIndex } from '../../../src/image/layer-index.js';
import { globMatcher, mergeLayers } from '../../../src/image/merged.js';

function layer(digest: string, entries: IndexEntry[]): LayerIndex {
  return { digest, table: FileTable.of(entries), metadata: new Map(), language: [], tarBytes: 0, weight: 0 };
}

const file = (path: string, size: number): IndexEntry => ({ path, type: 'file', size, mode: 0o644 });
const dir = (path: string): IndexEntry => ({ path, type: 'dir', size: 0, mode: 0o755 });

describe('mergeLayers', () => {
  const base = layer('sha256:0', [
    dir('etc'),
    file('etc/a', 10),
    file('etc/b', 20),
    dir('cache'),
    file('cache/x', 100),
    file('cache/y', 50),
    file('big', 1000),
  ]);
  const upper = layer('sha256:1', [
    { path: 'etc/b', type: 'whiteout', size: 0, mode: 0 },
    { path: 'cache', type: 'opaque', size: 0, mode: 0 },
    file('cache/z', 5),
    file('big', 1),
    { path: 'etc/alias', type: 'symlink', size: 0, mode: 0o777, link: 'a' },
  ]);
  const view = mergeLayers([base, upper]);

  it('applies whiteouts and opaque directories and keeps the layer that last wrote each path', () => {
    const page = listFiles(view, { maxItems: 100, offset: 0 });
    expect(page.files.map((f) => [f.path, f.layer])).toEqual([
      ['/big', 1],
      ['/cache', 0],
      ['/cache/z', 1],
      ['/etc', 0],
      ['/etc/a', 0],
      ['/etc/alias', 1],
    ]);
    expect(page.files.find((f) => f.path === '/etc/alias')).toMatchObject({ type: 'symlink', link: 'a', mode: '0777' });
  });

  it('counts shadowed and deleted lower-layer bytes as wasted, worst first', () => {
    expect(wastedReport(view, 2)).toEqual({
      wasted_bytes: 1000 + 20 + 100 + 50,
      worst: [
        { path: '/big', bytes: 1000, layers: [0] },
        { path: '/cache/x', bytes: 100, layers: [0] },
      ],
    });
  });

  it('filters by prefix, glob and size, sorts by size and pages with an offset', () => {
    const all = view;
    expect(listFiles(all, { path: '/etc/', maxItems: 10, offset: 0 }).files.map((f) => f.path)).toEqual(['/etc', '/etc/a', '/etc/alias']);
    expect(listFiles(all, { glob: '**/a*', maxItems: 10, offset: 0 }).files.map((f) => f.path)).toEqual(['/etc/a', '/etc/alias']);
    const bySize = listFiles(all, { minSize: 1, sort: 'size', maxItems: 2, offset: 0 });
    expect(bySize).toMatchObject({ total: 3, total_bytes: 16, next: 2 });
    expect(bySize.files.map((f) => f.path)).toEqual(['/etc/a', '/cache/z']);
    const last = listFiles(all, { minSize: 1, sort: 'size', maxItems: 2, offset: 2 });
    expect(last.files.map((f) => f.path)).toEqual(['/big']);
    expect(last.next).toBeUndefined();
  });

  it('globs: * stays within a directory, ** crosses them', () => {
    expect(globMatcher('/usr/*/x')('usr/lib/x')).toBe(true);
    expect(globMatcher('usr/*/x')('usr/lib/y/x')).toBe(false);
    expect(globMatcher('**/*.so')('lib.so')).toBe(true);
    expect(globMatcher('**/*.so')('usr/lib/a/b.so')).toBe(true);
    expect(globMatcher('**/x.so')('usr/libx.so')).toBe(false);
  });
});

describe('mergeLayers: what hides what', () => {
  const link = (path: string, target: string): IndexEntry => ({ path, type: 'symlink', size: 0, mode: 0o777, link: target });
  const paths = (view: ReturnType<typeof mergeLayers>): Array<[string, number]> =>
    Array.from({ length: view.count }, (_, i) => [view.path(i), view.layer(i)]);

  it('a non-directory over a directory hides what lower layers hold below it, not what its own layer holds', () => {
    const view = mergeLayers([
      layer('sha256:0', [dir('opt'), file('opt/a', 7), dir('opt/sub'), file('opt/sub/b', 3), file('opt-x', 1)]),
      layer('sha256:1', [link('opt', '/srv'), file('opt/mine', 2)]),
    ]);
    expect(paths(view)).toEqual([
      ['opt', 1],
      ['opt-x', 0],
      ['opt/mine', 1],
    ]);
    expect(view.wastedBytes).toBe(10);
    expect(view.get('opt')).toMatchObject({ type: 'symlink', link: '/srv', layer: 1 });
  });

  it('a whiteout and an entry at one path in one layer: the entry stands; a layer written twice: the last copy', () => {
    const view = mergeLayers([
      layer('sha256:0', [file('f', 5), dir('d'), file('d/x', 4)]),
      layer('sha256:1', [{ path: 'd', type: 'whiteout', size: 0, mode: 0 }, dir('d'), file('f', 1), file('f', 2)]),
    ]);
    expect(paths(view)).toEqual([
      ['d', 1],
      ['f', 1],
    ]);
    expect(view.get('f')?.size).toBe(2);
    expect(view.worst).toEqual([
      { path: 'f', bytes: 5, layers: [0] },
      { path: 'd/x', bytes: 4, layers: [0] },
    ]);
  });

  it('a file shadowed in two layers wastes both copies; deeper deletions reach every lower layer', () => {
    const view = mergeLayers([
      layer('sha256:0', [dir('a'), dir('a/b'), file('a/b/c', 10), file('keep', 1)]),
      layer('sha256:1', [file('a/b/c', 20)]),
      layer('sha256:2', [file('a/b/c', 30), { path: 'a', type: 'opaque', size: 0, mode: 0 }]),
      layer('sha256:3', [{ path: 'a/b', type: 'whiteout', size: 0, mode: 0 }]),
    ]);
    expect(paths(view)).toEqual([
      ['a', 0],
      ['keep', 0],
    ]);
    expect(view.wastedBytes).toBe(60);
    expect(view.worst).toEqual([{ path: 'a/b/c', bytes: 60, layers: [0, 1, 2] }]);
  });

  it('builds only the entries of the page it answers, whatever the offset or order', () => {
    const many = Array.from({ length: 5000 }, (_, i) => file(`data/f${String(i).padStart(5, '0')}`, i));
    const view = mergeLayers([layer('sha256:0', many)]);
    let built = 0;
    const counted = Object.assign(Object.create(view) as typeof view, {
      entry: (i: number) => {
        built++;
        return view.entry(i);
      },
    });
    const page = listFiles(counted, { maxItems: 3, offset: 4000 });
    expect(page.files.map((f) => f.path)).toEqual(['/data/f04000', '/data/f04001', '/data/f04002']);
    expect(page).toMatchObject({ total: 5000, next: 4003 });
    expect(built).toBe(3);
    const bySize = listFiles(counted, { sort: 'size', maxItems: 2, offset: 0 });
    expect(bySize.files.map((f) => f.size)).toEqual([4999, 4998]);
    expect(built).toBe(5);
    expect(view.count).toBe(5000);
  });
});
