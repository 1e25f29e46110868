// The stdio line transport on in-memory streams: malformed and over-long lines get JSON-RPC error
// replies without stopping the stream, every request counts as owed until its reply is written,
// and a request the client cancelled stops being owed.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { InFlight } from '../../../src/server/in-flight.js';
import { LineTransport } from '../../../src/server/line-transport.js';

function setup(maxLineBytes?: number) {
  const input = new PassThrough();
  const output = new PassThrough();
  const owed = new InFlight();
  const transport = new LineTransport(input, output, owed, maxLineBytes);
  const received: JSONRPCMessage[] = [];
  transport.onmessage = (message) => received.push(message);
  let written = '';
  output.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
  const replies = (): Record<string, unknown>[] =>
    written
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { input, output, owed, transport, received, replies };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('LineTransport', () => {
  it('answers a non-JSON line with -32700 and an invalid message with -32600, then reads the next line', async () => {
    const { input, transport, received, replies } = setup();
    await transport.start();
    input.write('{"jsonrpc":\n');
    input.write('{"jsonrpc":"2.0","id":"x","nonsense":true}\n');
    input.write('\n'); // blank lines are skipped, not errors
    input.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\r\n');
    await tick();
    expect(replies()).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.stringContaining('Parse error') as unknown } },
      { jsonrpc: '2.0', id: 'x', error: { code: -32600, message: expect.stringContaining('Invalid Request') as unknown } },
    ]);
    expect(received).toEqual([{ jsonrpc: '2.0', method: 'notifications/initialized' }]);
  });

  it('joins a message split across chunks, and reads an unterminated last line at end of input', async () => {
    const { input, transport, received } = setup();
    let ended = false;
    transport.oninputend = () => (ended = true);
    await transport.start();
    input.write('{"jsonrpc":"2.0",');
    input.write('"id":1,"method":"ping"}\n{"jsonrpc":"2.0","id":2,"method":"ping"}');
    input.end();
    await tick();
    expect(received.map((m) => (m as { id: number }).id)).toEqual([1, 2]);
    // The end is reported a turn of the event loop later, once the SDK has dispatched what was read.
    expect(ended).toBe(false);
    await tick();
    expect(ended).toBe(true);
  });

  it('refuses an over-long line once, drops the rest of it, and serves the line after', async () => {
    const { input, transport, received, replies } = setup(64);
    await transport.start();
    input.write(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${'a'.repeat(100)}`);
    input.write(`${'b'.repeat(500)}"}}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n`);
    await tick();
    expect(replies()).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringContaining('64 bytes') as unknown } },
    ]);
    expect(received.map((m) => (m as { id: number }).id)).toEqual([2]);
  });

  it('counts a request as owed until its reply is written, and not after the client cancels it', async () => {
    const { input, transport, owed } = setup();
    await transport.start();
    input.write('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}\n');
    input.write('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"x"}}\n');
    await tick();
    expect(owed.size).toBe(2);
    const drained = owed.idle(5_000);
    await transport.send({ jsonrpc: '2.0', id: 1, result: {} });
    expect(owed.size).toBe(1);
    input.write('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}}\n');
    await expect(drained).resolves.toBe(true);
    await transport.flushed();
  });

  it('idle() reports false when answers are still owed at the timeout', async () => {
    const { input, transport, owed } = setup();
    await transport.start();
    input.write('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}\n');
    await tick();
    await expect(owed.idle(20)).resolves.toBe(false);
    await transport.close();
    expect(owed.size).toBe(0);
  });
});
