// Paging pieces, directly: the `Link: <…>; rel="next"` reader and the window over index children.
import { describe, expect, it } from 'vitest';
import { platformWindow } from '../../../src/registry/inspect.js';
import { nextLink } from '../../../src/registry/paging.js';

describe('nextLink', () => {
  it('finds rel="next" among several links, quoted or not', () => {
    expect(nextLink('</v2/x/tags/list?n=2&last=b>; rel="next"')).toBe('/v2/x/tags/list?n=2&last=b');
    expect(nextLink('</a>; rel="prev", </b>; rel=next')).toBe('/b');
    expect(nextLink('</a>; rel="prev"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });
});

describe('platformWindow', () => {
  it('pages children with an offset and says where the next page starts', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(platformWindow(items, 0, 4)).toEqual({ page: [0, 1, 2, 3], next: 4 });
    expect(platformWindow(items, 8, 4)).toEqual({ page: [8, 9] });
  });
});
