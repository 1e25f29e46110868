// Content verification, directly: digests over exact bytes, and the check a bulk stream's gate
// runs (its stream behaviour is in test/unit/http/bulk-gate.test.ts).
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../../src/http/errors.js';
import { algorithmOf, digestCheck, digestOf, verifyBytes } from '../../../src/registry/digest.js';

describe('digests', () => {
  it('hashes with the digest algorithm named', () => {
    expect(algorithmOf('sha512:ab')).toBe('sha512');
    expect(algorithmOf('sha256:ab')).toBe('sha256');
    expect(digestOf(Buffer.from(''))).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('verifyBytes passes matching bytes and refuses others with integrity_error', () => {
    const bytes = Buffer.from('hello');
    expect(() => verifyBytes(bytes, digestOf(bytes), 'blob')).not.toThrow();
    expect(() => verifyBytes(Buffer.from('hellO'), digestOf(bytes), 'blob')).toThrow(ToolError);
  });

  it('digestCheck counts and hashes every chunk, and fails only on a mismatch', () => {
    const ok = digestCheck(digestOf(Buffer.from('hello')));
    ok.update(Buffer.from('hel'));
    ok.update(Buffer.from('lo'));
    expect(ok.finish()).toBeUndefined();
    expect(ok.size).toBe(5);
    expect(ok.failure).toBeUndefined();
    const bad = digestCheck(digestOf(Buffer.from('hello')));
    bad.update(Buffer.from('hellO'));
    const error = bad.finish();
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).type).toBe('integrity_error');
    expect(bad.failure).toBe(error);
  });

  it("digestCheck hashes with the digest's own algorithm", () => {
    const bytes = Buffer.from('sha512 content');
    const check = digestCheck(digestOf(bytes, 'sha512'));
    check.update(bytes);
    expect(check.finish()).toBeUndefined();
  });
});
