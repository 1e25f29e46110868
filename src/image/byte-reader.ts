// Exact-size reads over a chunked byte stream, for the tar parser: headers are read whole (512
// bytes, usually a slice of the current chunk, no copy), bodies are passed through or skipped
// chunk by chunk, so memory stays at one chunk whatever an entry's size.

export class ByteReader {
  private chunk: Buffer = Buffer.alloc(0);
  private offset = 0;
  private ended = false;
  /** Bytes handed out or skipped so far. */
  position = 0;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(): Promise<boolean> {
    while (this.offset >= this.chunk.byteLength) {
      if (this.ended) return false;
      const step = await this.source.next();
      if (step.done) {
        this.ended = true;
        return false;
      }
      this.chunk = step.value;
      this.offset = 0;
    }
    return true;
  }

  /** Exactly `n` bytes, or fewer when the stream ends first (the caller decides what that means). */
  async read(n: number): Promise<Buffer> {
    if (!(await this.fill())) return Buffer.alloc(0);
    if (this.chunk.byteLength - this.offset >= n) {
      const out = this.chunk.subarray(this.offset, this.offset + n);
      this.offset += n;
      this.position += n;
      return out;
    }
    const parts: Buffer[] = [];
    let wanted = n;
    while (wanted > 0 && (await this.fill())) {
      const part = this.chunk.subarray(this.offset, this.offset + wanted);
      parts.push(part);
      this.offset += part.byteLength;
      this.position += part.byteLength;
      wanted -= part.byteLength;
    }
    return Buffer.concat(parts);
  }

  /** Yields the next `n` bytes as they arrive; stops early (short) when the stream ends. */
  async *take(n: number): AsyncGenerator<Buffer> {
    let wanted = n;
    while (wanted > 0 && (await this.fill())) {
      const part = this.chunk.subarray(this.offset, this.offset + Math.min(wanted, this.chunk.byteLength - this.offset));
      this.offset += part.byteLength;
      this.position += part.byteLength;
      wanted -= part.byteLength;
      yield part;
    }
  }

  /** Skips `n` bytes; returns how many were actually there. Most skips end inside the current chunk. */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n && (this.offset < this.chunk.byteLength || (await this.fill()))) {
      const step = Math.min(n - skipped, this.chunk.byteLength - this.offset);
      this.offset += step;
      this.position += step;
      skipped += step;
    }
    return skipped;
  }

  /** Reads and drops everything left (so a digest over the whole stream can be checked). */
  async drain(): Promise<void> {
    while (await this.fill()) {
      this.position += this.chunk.byteLength - this.offset;
      this.offset = this.chunk.byteLength;
    }
  }
}
