// The Node-stream path for bulk bytes (blob copies): the throughput floor on a Node stream, and
// RequestBase's `readable` reads and Node-stream bodies, both over fetch (msw, with conversions)
// and over a streams fetcher (bodies handed over as the Node streams they are).
import { http, HttpResponse } from 'msw';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RequestBase, type RequestBaseOptions } from '../../../src/http/client.js';
import { ToolError } from '../../../src/http/errors.js';
import type { StreamInit } from '../../../src/http/fetch.js';
import { RateLimitStore } from '../../../src/http/rate-limit.js';
import { bulkGate } from '../../../src/http/bulk-gate.js';
import { silentLogger } from '../../../src/log.js';
import { useMsw } from '../../helpers/unit/msw.js';

const msw = useMsw();
const BASE = 'https://registry.test';

function base(overrides: Partial<RequestBaseOptions> = {}): RequestBase {
  return new RequestBase({
    upstream: 'registry:test',
    baseUrl: BASE,
    fetch: (url, init) => globalThis.fetch(url, init),
    rateLimits: new RateLimitStore(),
    logger: silentLogger,
    timeoutMs: 2_000,
    ...overrides,
  });
}

/** `chunks` one-byte chunks, one every `everyMs`. */
function drip(chunks: number, everyMs: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      setTimeout(() => this.push(sent++ >= chunks ? null : Buffer.alloc(1)), everyMs);
    },
  });
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('the throughput floor on a Node stream', () => {
  it('cuts a drip once a window averages under the floor, and stops the source', async () => {
    const source = drip(1_000, 20);
    const error = await drain(bulkGate(source, { floor: { bytesPerSecond: 1024, windowMs: 200 }, what: 'GET blob' })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).type).toBe('timeout');
    expect((error as ToolError).message).toMatch(/GET blob: .* under the floor of 1 KiB\/s; aborted/);
    expect(source.destroyed).toBe(true);
  });

  it('cuts a stream nobody reads from (a stalled receiver) from its timer', async () => {
    const floored = bulkGate(drip(10, 1), { floor: { bytesPerSecond: 1024, windowMs: 100 }, what: 'PUT upload' });
    const error = await new Promise<Error>((resolve) => floored.once('error', resolve));
    expect(error).toBeInstanceOf(ToolError);
    expect(error.message).toMatch(/PUT upload/);
  });

  it('passes a fast stream through unchanged, and 0 turns the floor off', async () => {
    const bytes = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
    const fast = Readable.from([bytes.subarray(0, 40_000), bytes.subarray(40_000)]);
    expect((await drain(bulkGate(fast, { floor: { bytesPerSecond: 1024, windowMs: 50 }, what: 'x' }))).equals(bytes)).toBe(true);
    const source = drip(3, 1);
    expect(bulkGate(source, { floor: { bytesPerSecond: 0, windowMs: 50 }, what: 'x' })).toBe(source);
  });
});

describe('RequestBase with Node streams over fetch (no streams fetcher)', () => {
  it('a readable read gives the body as a Node stream', async () => {
    msw.server.use(http.get(`${BASE}/v2/a/blobs/x`, () => new HttpResponse(Buffer.from('layer bytes'))));
    const result = await base().request<Readable>({ path: '/v2/a/blobs/x', read: 'readable' });
    expect(result.data).toBeInstanceOf(Readable);
    expect((await drain(result.data)).toString()).toBe('layer bytes');
  });

  it('a Node stream body is sent whole', async () => {
    let received = '';
    msw.server.use(
      http.put(`${BASE}/v2/a/upload`, async ({ request }) => {
        received = await request.text();
        return new HttpResponse(null, { status: 201 });
      }),
    );
    const result = await base().request({
      method: 'PUT',
      path: '/v2/a/upload',
      body: Readable.from([Buffer.from('ab'), Buffer.from('cd')]),
      read: 'none',
    });
    expect(result.status_code).toBe(201);
    expect(received).toBe('abcd');
  });
});

describe('RequestBase with a streams fetcher', () => {
  it('hands a Node body to it as it is, and a 2xx readable answer back as a Node stream', async () => {
    const seen: StreamInit[] = [];
    const answerBody = Readable.from([Buffer.from('blob')]);
    const b = base({
      fetch: () => Promise.reject(new Error('fetch must not be used for streams')),
      streams: async (_url, init) => {
        seen.push(init);
        if (init.body instanceof Readable) await drain(init.body);
        return init.keepBody
          ? { response: new Response(null, { status: 200 }), body: answerBody }
          : { response: new Response(null, { status: 201 }) };
      },
    });
    const body = Readable.from([Buffer.from('x')]);
    const put = await b.request({ method: 'PUT', path: '/v2/a/upload', body, read: 'none' });
    expect(put.status_code).toBe(201);
    expect(seen[0]?.body).toBeInstanceOf(Readable);
    expect(seen[0]?.keepBody).toBe(false);

    const get = await b.request<Readable>({ path: '/v2/a/blobs/x', read: 'readable' });
    expect(seen[1]?.keepBody).toBe(true);
    expect((await drain(get.data)).toString()).toBe('blob');
  });

  it('an error answer on the streams path is read and mapped like any other', async () => {
    const b = base({
      streams: async () => ({
        response: new Response(JSON.stringify({ errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown' }] }), {
          status: 404,
          headers: { 'content-type': 'application/json' },
        }),
      }),
    });
    const error = await b.request({ path: '/v2/a/blobs/x', read: 'readable' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).status).toBe(404);
  });
});
