// An MCP client transport over a child process we spawn ourselves, unlike the SDK's
// StdioClientTransport: a test can close the server's stdin (or signal it) while requests are
// still out, and keep reading the answers the server writes before it exits.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { exitOf } from './spawn-server.js';

export class ChildStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly proc: ChildProcessWithoutNullStreams;
  /** Resolves with the exit code; the `ms` is when the process exited (Date.now()). */
  readonly exited: Promise<{ code: number | null; at: number }>;
  private readonly buffer = new ReadBuffer();
  private stderrText = '';

  constructor(command: string, args: string[], env: Record<string, string>) {
    this.proc = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (chunk: Buffer) => (this.stderrText += chunk.toString('utf8')));
    this.exited = exitOf(this.proc).then((code) => ({ code, at: Date.now() }));
  }

  stderr(): string {
    return this.stderrText;
  }

  async start(): Promise<void> {
    this.proc.stdout.on('data', (chunk: Buffer) => {
      this.buffer.append(chunk);
      for (let message = this.buffer.readMessage(); message; message = this.buffer.readMessage()) this.onmessage?.(message);
    });
    this.proc.stdout.on('end', () => this.onclose?.());
    this.proc.stdin.on('error', (error) => this.onerror?.(error));
  }

  async send(message: JSONRPCMessage): Promise<void> {
    await new Promise<void>((resolve, reject) => this.proc.stdin.write(serializeMessage(message), (e) => (e ? reject(e) : resolve())));
  }

  /** Closes the server's stdin: the way a client says it is done. */
  endInput(): void {
    this.proc.stdin.end();
  }

  async close(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.exited;
  }
}
