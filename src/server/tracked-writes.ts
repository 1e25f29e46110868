// Writes to an output stream, counting those not yet handed to the OS, so a shutdown can wait for
// its answers to be delivered: process.exit drops queued writes. The stdio front door and the
// full server's LineTransport write to the same stdout, each through one of these.
import type { Writable } from 'node:stream';

export class TrackedWrites {
  private writing = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly output: Writable,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  /** Resolves once the text was handed to the OS (or the stream failed, reported to onError). */
  write(text: string): Promise<void> {
    this.writing++;
    return new Promise((resolve) => {
      this.output.write(text, (error) => {
        if (error) this.onError(error);
        this.writing--;
        if (this.writing === 0) for (const wake of this.waiters.splice(0)) wake();
        resolve();
      });
    });
  }

  /** Resolves when every write so far has reached the OS. */
  flushed(): Promise<void> {
    if (this.writing === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
