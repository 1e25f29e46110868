// Upload session bookkeeping, directly: what a registry's Range header says was committed.
import { describe, expect, it } from 'vitest';
import { committedFrom, rangeEnd } from '../../../src/registry/upload-session.js';

describe('rangeEnd', () => {
  it('reads 0-<end> with or without bytes=, and nothing else', () => {
    expect(rangeEnd('0-99')).toBe(99);
    expect(rangeEnd('bytes=0-4')).toBe(4);
    expect(rangeEnd(null)).toBeUndefined();
    expect(rangeEnd('5-10')).toBeUndefined();
    expect(rangeEnd('garbage')).toBeUndefined();
  });
});

describe('committedFrom', () => {
  it('is end + 1 for a Range header', () => {
    expect(committedFrom('0-99', 0)).toBe(100);
  });

  it('reads the ambiguous 0-0 as nothing committed unless a byte is known to be', () => {
    expect(committedFrom('0-0', 0)).toBe(0);
    expect(committedFrom('0-0', 1)).toBe(1);
  });

  it('is undefined without a readable header', () => {
    expect(committedFrom(null, 10)).toBeUndefined();
  });
});
