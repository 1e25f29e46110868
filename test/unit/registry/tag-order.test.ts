// list_tags ordering and filters, directly: semver newest first with pre-releases before their
// release, names as-is, globs and substrings.
import { describe, expect, it } from 'vitest';
import { semverKey, sortTags, tagFilter } from '../../../src/registry/tag-order.js';

describe('semverKey', () => {
  it('reads 1, 1.2, v1.2.3 and pre-releases; refuses the rest', () => {
    expect(semverKey('1')).toEqual([1, 0, 0, 1, '']);
    expect(semverKey('v1.2.3')).toEqual([1, 2, 3, 1, '']);
    expect(semverKey('1.2.3-rc1')).toEqual([1, 2, 3, 0, 'rc1']);
    expect(semverKey('1.27-alpine')).toEqual([1, 27, 0, 0, 'alpine']);
    expect(semverKey('latest')).toBeUndefined();
    expect(semverKey('1.2.3.4')).toBeUndefined();
  });
});

describe('sortTags', () => {
  const tags = ['latest', '1.9.0', '1.10.0', '1.10.0-rc1', 'edge', 'v2.0.0', '1.2'];

  it('semver: newest first, a pre-release right after its release, non-versions last by name', () => {
    expect(sortTags(tags, 'semver')).toEqual(['v2.0.0', '1.10.0', '1.10.0-rc1', '1.9.0', '1.2', 'edge', 'latest']);
  });

  it('name: plain order; no sort: the registry order, not copied', () => {
    expect(sortTags(['b', 'a', 'c'], 'name')).toEqual(['a', 'b', 'c']);
    const original = ['b', 'a'];
    expect(sortTags(original, undefined)).toBe(original);
  });
});

describe('tagFilter', () => {
  it('a glob matches the whole tag; without a wildcard it is a substring', () => {
    expect(['1.2-alpine', '1.2', 'alpine-1'].filter(tagFilter('*-alpine'))).toEqual(['1.2-alpine']);
    expect(['1.2-alpine', '1.2', 'alpine-1'].filter(tagFilter('alpine'))).toEqual(['1.2-alpine', 'alpine-1']);
    expect(['v1', 'v12', 'x1'].filter(tagFilter('v?'))).toEqual(['v1']);
  });

  it('treats regex characters in a glob literally', () => {
    expect(['1.2', '1x2'].filter(tagFilter('1.*'))).toEqual(['1.2']);
    expect(['a+b', 'aab'].filter(tagFilter('a+*'))).toEqual(['a+b']);
  });
});
