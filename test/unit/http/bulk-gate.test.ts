// The one stage a bulk stream passes through (src/http/bulk-gate.ts): a failed check withholds
// the last chunk, so a receiver never gets all the bytes of corrupt content; errors and early
// ends travel both ways; a gated stream is not gated again.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { bulkGate, isGated, type StreamCheck } from '../../../src/http/bulk-gate.js';
import { ToolError } from '../../../src/http/errors.js';
import { digestCheck, digestOf } from '../../../src/registry/digest.js';

const chunksOf = (...parts: string[]): Buffer[] => parts.map((part) => Buffer.from(part));

/** Everything a flowing consumer (an upload socket) received before the stream ended or failed. */
function receive(stream: Readable): Promise<{ bytes: string; error?: unknown }> {
  const got: Buffer[] = [];
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer) => got.push(chunk));
    stream.once('end', () => resolve({ bytes: Buffer.concat(got).toString() }));
    stream.once('error', (error) => resolve({ bytes: Buffer.concat(got).toString(), error }));
  });
}

describe('bulkGate with a digest check', () => {
  it('passes matching content whole and in order', async () => {
    const check = digestCheck(digestOf(Buffer.from('hello world')));
    const result = await receive(bulkGate(Readable.from(chunksOf('hel', 'lo ', 'wor', 'ld')), { what: 'GET blob', check }));
    expect(result).toEqual({ bytes: 'hello world' });
    expect(check.size).toBe(11);
  });

  it('withholds the last chunk of content that fails its digest, and fails with the integrity error', async () => {
    const check = digestCheck(digestOf(Buffer.from('hello world')));
    const result = await receive(bulkGate(Readable.from(chunksOf('hel', 'lo ', 'wor', 'lD')), { what: 'GET blob', check }));
    expect(result.error).toBeInstanceOf(ToolError);
    expect((result.error as ToolError).type).toBe('integrity_error');
    // All but the last chunk went on; the receiver is short of the declared length.
    expect(result.bytes).toBe('hello wor');
    expect(check.failure).toBe(result.error);
  });

  it('withholds a one-chunk body entirely when it fails', async () => {
    const check = digestCheck(digestOf(Buffer.from('right')));
    const result = await receive(bulkGate(Readable.from(chunksOf('wrong')), { what: 'GET blob', check }));
    expect(result.bytes).toBe('');
    expect(result.error).toBeInstanceOf(ToolError);
  });

  it('asks the check only after the last chunk', async () => {
    const seen: string[] = [];
    const check: StreamCheck = {
      update: (chunk) => seen.push(`update ${chunk.toString()}`),
      finish: () => {
        seen.push('finish');
        return undefined;
      },
    };
    await receive(bulkGate(Readable.from(chunksOf('a', 'b')), { what: 'x', check }));
    expect(seen).toEqual(['update a', 'update b', 'finish']);
  });

  it('passes an early end back to its source (a cancelled copy stops reading)', async () => {
    const source = Readable.from(chunksOf('a', 'b', 'c'));
    const gate = bulkGate(source, { what: 'x', check: digestCheck(digestOf(Buffer.from('abc'))) });
    gate.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.destroyed).toBe(true);
  });

  it('carries a source error to its reader', async () => {
    const source = new Readable({ read() {} });
    const gate = bulkGate(source, { what: 'x', check: digestCheck(digestOf(Buffer.from('x'))) });
    source.destroy(new Error('connection reset'));
    expect((await receive(gate)).error).toMatchObject({ message: 'connection reset' });
  });
});

describe('bulkGate without a check', () => {
  it('returns the source itself when there is neither floor nor check', () => {
    const source = Readable.from(chunksOf('a'));
    expect(bulkGate(source, { what: 'x' })).toBe(source);
    expect(isGated(source)).toBe(false);
  });

  it('marks what it returns as gated, so an upload of it adds no second stage', () => {
    const gate = bulkGate(Readable.from(chunksOf('a')), { what: 'x', floor: { bytesPerSecond: 1024, windowMs: 1_000 } });
    expect(isGated(gate)).toBe(true);
    gate.destroy();
  });
});
