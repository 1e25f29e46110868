// Content verification, directly: digests over exact bytes, and a pass-through stream that errors
// at its end when the bytes do not match.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../../src/http/errors.js';
import { algorithmOf, digestOf, hashingStream, verifyBytes } from '../../../src/registry/digest.js';

const streamOf = (...chunks: string[]): Readable => Readable.from(chunks.map((chunk) => Buffer.from(chunk)));

async function drain(stream: Readable): Promise<void> {
  for await (const chunk of stream) void chunk;
}

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

  it('hashingStream reports digest and size, and errors at the end on a mismatch', async () => {
    const ok = hashingStream(streamOf('hel', 'lo'), digestOf(Buffer.from('hello')));
    await drain(ok.stream);
    expect(await ok.done).toEqual({ digest: digestOf(Buffer.from('hello')), size: 5 });
    const bad = hashingStream(streamOf('hellO'), digestOf(Buffer.from('hello')));
    await expect(drain(bad.stream)).rejects.toThrow(/does not match/);
    bad.done.catch(() => undefined);
  });

  it('hashingStream passes an early end back to its source (a cancelled copy stops reading)', async () => {
    const source = streamOf('a', 'b', 'c');
    const { stream } = hashingStream(source);
    stream.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.destroyed).toBe(true);
  });

  it('hashingStream carries a source error to its reader', async () => {
    const source = new Readable({ read() {} });
    const { stream } = hashingStream(source, digestOf(Buffer.from('x')));
    source.destroy(new Error('connection reset'));
    await expect(drain(stream)).rejects.toThrow(/connection reset/);
  });
});
