// The allocator warm-up before bulk transfers (src/http/allocator-warmup.ts): it runs on the
// first request of the Node-stream path (blob copies) and not before, once, and never makes the
// process resident in the block it allocates. Its effect (page faults per GiB copied) is shown in
// bench/streaming.bench.test.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { allocatorWarmed } from '../../../src/http/allocator-warmup.js';
import { createFetcher } from '../../../src/http/fetch.js';

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((_request, response) => response.end('blob bytes'));
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
