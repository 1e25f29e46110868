// MCP over newline-delimited JSON on a byte stream pair (stdin / stdout). Ours rather than the
// SDK's StdioServerTransport for three reasons: a malformed line gets a JSON-RPC error reply
// instead of being dropped; every request counts as an owed answer until its reply is written
// to the OS (so a shutdown can wait for delivery, not just for the handler); and `flushed()`
// lets the process exit only after stdout is written, since process.exit drops queued writes.
import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { InFlight } from './in-flight.js';
import { TrackedWrites } from './tracked-writes.js';

type Id = string | number;

/** Same bound as the SDK: one line may not hold more than this many bytes. */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

function idOf(value: unknown): Id | null {
  if (typeof value !== 'object' || value === null || !('id' in value)) return null;
  const id = value.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** Called once the input stream ended, after its last (even unterminated) line was handled. */
  oninputend?: () => void;

  private chunks: Buffer[] = [];
  private buffered = 0;
  /** True while discarding the rest of an over-long line. */
  private skipping = false;
  private readonly owed = new Map<Id, () => void>();
  private readonly writes: TrackedWrites;
  private closed = false;
  /** Requests replayed by the stdio front door, whose answers the client already has. */
  private readonly swallowed = new Set<Id>();

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly pending: InFlight,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {
    this.writes = new TrackedWrites(output, (error) => this.onerror?.(error));
  }

  private readonly onData = (chunk: Buffer): void => {
    let rest = chunk;
    for (let newline = rest.indexOf(0x0a); newline !== -1; newline = rest.indexOf(0x0a)) {
      const head = rest.subarray(0, newline);
      rest = rest.subarray(newline + 1);
      if (this.skipping) {
        this.skipping = false;
        this.reset();
        continue;
      }
      this.chunks.push(head);
      const line = Buffer.concat(this.chunks);
      this.reset();
      this.handleLine(line);
    }
    if (rest.length === 0 || this.skipping) return;
    this.buffered += rest.length;
    this.chunks.push(rest);
    if (this.buffered > this.maxLineBytes) {
      // Answer now and drop the rest of the line as it arrives, so memory stays bounded.
      this.reset();
      this.skipping = true;
      this.reply(null, -32600, `Invalid Request: line longer than ${this.maxLineBytes} bytes`);
    }
  };

  private readonly onEnd = (): void => {
    if (!this.skipping && this.buffered > 0) {
      const line = Buffer.concat(this.chunks);
      this.reset();
      this.handleLine(line);
    }
    // After the SDK has dispatched what was read (its handlers start a few promise hops after
    // onmessage): a client that writes its calls and closes stdin at once (`… | dockerhub-mcp`)
    // gets them run, not refused as arriving during the shutdown the close starts.
    setImmediate(() => this.oninputend?.());
  };

  private readonly onError = (error: Error): void => {
    this.onerror?.(error);
  };

  private reset(): void {
    this.chunks = [];
    this.buffered = 0;
  }

  private handleLine(bytes: Buffer): void {
    const text = bytes.toString('utf8').replace(/\r$/, '');
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.reply(null, -32700, 'Parse error: the line is not valid JSON');
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      this.reply(idOf(value), -32600, 'Invalid Request: not a JSON-RPC 2.0 message');
      return;
    }
    const message = parsed.data;
    if ('method' in message && message.method === 'notifications/cancelled') {
      // The SDK sends no reply to a cancelled request; the client does not want one either.
      const cancelled = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof cancelled === 'string' || typeof cancelled === 'number') this.settle(cancelled);
    }
    if ('method' in message && 'id' in message) {
      // A repeated id would orphan the first hold; release it so the count stays honest.
      this.owed.get(message.id)?.();
      this.owed.set(message.id, this.pending.hold());
    }
    this.onmessage?.(message);
  }

  private reply(id: Id | null, code: number, message: string): void {
    void this.write(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } })}\n`);
  }

  private write(text: string): Promise<void> {
    return this.writes.write(text);
  }

  async start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('error', this.onError);
    // A reader that went away (EPIPE) must not crash the process through an unhandled 'error'.
    this.output.on('error', this.onError);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const answerTo = !('method' in message) && 'id' in message ? message.id : undefined;
    if (answerTo !== undefined && this.swallowed.delete(answerTo)) {
      this.settle(answerTo);
      return;
    }
    await this.write(`${JSON.stringify(message)}\n`);
    if (answerTo !== undefined) this.settle(answerTo);
  }

  /** The answer to request `id` is not written: the stdio front door already answered it. */
  swallowAnswerTo(id: Id): void {
    this.swallowed.add(id);
  }

  private settle(id: Id): void {
    const release = this.owed.get(id);
    this.owed.delete(id);
    release?.();
  }

  /** Resolves when every write so far has reached the OS. */
  flushed(): Promise<void> {
    return this.writes.flushed();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('error', this.onError);
    this.output.off('error', this.onError);
    this.input.pause();
    for (const release of this.owed.values()) release();
    this.owed.clear();
    this.onclose?.();
  }
}
