// The count of writes not yet handed to the OS, which shutdown waits on before process.exit.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TrackedWrites } from '../../../src/server/tracked-writes.js';

/** A stream whose writes complete only when `release` is called (or fail with `error`). */
function slowStream(error?: Error): { stream: Writable; release: () => void } {
  const pending: ((error?: Error | null) => void)[] = [];
  const stream = new Writable({
    write(_chunk, _encoding, callback) {
      pending.push(callback);
    },
  });
  stream.on('error', () => undefined);
  return { stream, release: () => pending.splice(0).forEach((done) => done(error ?? null)) };
}

describe('TrackedWrites', () => {
  it('is flushed at once with nothing written, and only after the OS took every write', async () => {
    const { stream, release } = slowStream();
    const writes = new TrackedWrites(stream);
    await writes.flushed();
    void writes.write('a\n');
    let flushed = false;
    void writes.flushed().then(() => (flushed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toBe(true);
  });

  it('reports a failed write and still counts it done', async () => {
    const failure = new Error('EPIPE');
    const { stream, release } = slowStream(failure);
    const seen: Error[] = [];
    const writes = new TrackedWrites(stream, (error) => seen.push(error));
    const written = writes.write('a\n');
    release();
    await written;
    await writes.flushed();
    expect(seen).toEqual([failure]);
  });
});
