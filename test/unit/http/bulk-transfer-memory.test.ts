// Process memory settings around bulk transfers on the Node-stream path (blob copies): the
// allocator warm-up (src/http/allocator-warmup.ts) runs on the first such request and not before,
// once, without making the process resident in its block; the heap setting (bulk-heap.ts) is held
// exactly while a transfer runs: a download until its body closes, an upload until it is answered,
// a failed request not at all. Their effects (page faults and CPU per GiB copied) are shown in
// bench/streaming.bench.test.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { allocatorWarmed } from '../../../src/http/allocator-warmup.js';
import { bulkTransfersRunning, enterBulkTransfer } from '../../../src/http/bulk-heap.js';
import { createFetcher } from '../../../src/http/fetch.js';

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.end(request.method === 'PUT' ? '' : 'blob bytes'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/acme/blobs/sha256:0`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('allocator warm-up for bulk transfers', () => {
  it('runs on the first streamed request, not on an ordinary fetch', async () => {
    const pool = createFetcher({ timeoutMs: 5_000 });
    try {
      const plain = await pool.fetch(url, { method: 'GET' });
      expect(await plain.text()).toBe('blob bytes');
      expect(allocatorWarmed()).toBe(false);

      const answer = await pool.streams!(url, { method: 'GET', headers: new Headers(), keepBody: true });
      const chunks: Buffer[] = [];
      for await (const chunk of answer.body!) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('blob bytes');
      expect(allocatorWarmed()).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('costs no resident memory: the block is never written', async () => {
    vi.resetModules();
    const fresh = await import('../../../src/http/allocator-warmup.js');
    expect(fresh.allocatorWarmed()).toBe(false);
    const before = process.resourceUsage().minorPageFault;
    fresh.warmAllocatorForBulk();
    fresh.warmAllocatorForBulk();
    expect(fresh.allocatorWarmed()).toBe(true);
    // 16 MiB written would be 4,096 faults of 4 KiB pages; an untouched block costs a handful.
    expect(process.resourceUsage().minorPageFault - before).toBeLessThan(500);
  });
});

describe('the heap setting for bulk transfers', () => {
  it('is held while a download body is open and released when it closes', async () => {
    const pool = createFetcher({ timeoutMs: 5_000 });
    try {
      expect(bulkTransfersRunning()).toBe(0);
      const answer = await pool.streams!(url, { method: 'GET', headers: new Headers(), keepBody: true });
      expect(bulkTransfersRunning()).toBe(1);
      for await (const chunk of answer.body!) void chunk;
      await new Promise((resolve) => setImmediate(resolve));
      expect(bulkTransfersRunning()).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('is released once an upload is answered, and when a request fails', async () => {
    const pool = createFetcher({ timeoutMs: 5_000 });
    try {
      const upload = pool.streams!(url, {
        method: 'PUT',
        headers: new Headers(),
        body: Readable.from([Buffer.alloc(1024)]),
        keepBody: false,
      });
      expect(bulkTransfersRunning()).toBe(1);
      await upload;
      expect(bulkTransfersRunning()).toBe(0);
      await expect(pool.streams!('http://127.0.0.1:1/closed', { method: 'GET', headers: new Headers(), keepBody: true })).rejects.toThrow();
      expect(bulkTransfersRunning()).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('counts overlapping transfers; a second release of one does nothing', () => {
    const first = enterBulkTransfer();
    const second = enterBulkTransfer();
    expect(bulkTransfersRunning()).toBe(2);
    first();
    first();
    expect(bulkTransfersRunning()).toBe(1);
    second();
    expect(bulkTransfersRunning()).toBe(0);
  });
});
