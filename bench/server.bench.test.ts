// Server figures: cold start to the first tools/list over stdio, the size of tools/list (what
// every model context pays), and HTTP throughput with 50 concurrent clients.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, expect, it } from 'vitest';
import { ENTRY, startHttpServer } from '../test/helpers/spawn-server.js';
import { median, percentile, writeResult, type Row } from './lib/report.js';

const HUB_MCP_BYTES = 44.2 * 1024; // Docker's hub-mcp, 13 tools (its own published figure)
const rows: Row[] = [];
const checks: { name: string; pass: boolean; detail: string }[] = [];

afterAll(() => {
  writeResult({
    name: 'server',
    title: 'Server: cold start, tools/list size, HTTP load',
    notes: [
      'cold start = spawn of `node dist/main.js` to the first tools/list answer over stdio, median of 10.',
      "tools/list bytes = the JSON of the tools/list result with every tool enabled; tokens ≈ bytes ÷ 4. Docker's hub-mcp: 44.2 KB for 13 tools.",
      'HTTP load: 50 SDK clients, one session each, 200 sequential `hub_admin rate_limit` calls per client, against one server process.',
    ],
    rows,
    checks,
  });
});

async function coldStart(): Promise<{ ms: number; bytes: number; tools: number }> {
  const started = performance.now();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY],
    env: { PATH: process.env.PATH ?? '' },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  const listed = await client.listTools();
  const ms = performance.now() - started;
  await client.close();
  return { ms, bytes: Buffer.byteLength(JSON.stringify(listed)), tools: listed.tools.length };
}

it('cold start and tools/list size', async () => {
  const runs: number[] = [];
  let last = { ms: 0, bytes: 0, tools: 0 };
  for (let i = 0; i < 10; i++) {
    last = await coldStart();
    runs.push(last.ms);
  }
  const med = median(runs);
  rows.push({ figure: 'cold start to tools/list (median of 10)', value: Math.round(med), unit: 'ms' });
  rows.push({ figure: 'cold start min / max', value: `${Math.round(Math.min(...runs))} / ${Math.round(Math.max(...runs))}`, unit: 'ms' });
  rows.push({ figure: 'tools', value: last.tools, unit: '' });
  rows.push({ figure: 'tools/list size (gate closed, the default)', value: last.bytes, unit: 'bytes' });
  rows.push({ figure: 'tools/list tokens (≈ bytes ÷ 4)', value: Math.round(last.bytes / 4), unit: 'tokens' });
  rows.push({ figure: 'ratio to hub-mcp (44.2 KB, 13 tools)', value: Number((last.bytes / HUB_MCP_BYTES).toFixed(3)), unit: '' });
  checks.push({ name: 'cold start < 300 ms', pass: med < 300, detail: `${Math.round(med)} ms median` });
  checks.push({ name: 'tools/list ≤ 16 KB', pass: last.bytes <= 16 * 1024, detail: `${last.bytes} bytes` });
  // Gate open: every destructive action's parameters are in the schema too.
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY, '--allow-destructive'],
    env: { PATH: process.env.PATH ?? '' },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  const openBytes = Buffer.byteLength(JSON.stringify(await client.listTools()));
  await client.close();
  rows.push({ figure: 'tools/list size (destructive actions enabled)', value: openBytes, unit: 'bytes' });
  expect(last.tools).toBe(9);
});

it('HTTP: 50 concurrent clients × 200 calls', async () => {
  const server = await startHttpServer({ MCP_MAX_SESSIONS: '200' });
  try {
    const clients = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const client = new Client({ name: 'load', version: '1' });
        await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
        return client;
      }),
    );
    const latencies: number[] = [];
    let errors = 0;
    const started = performance.now();
    await Promise.all(
      clients.map(async (client) => {
        for (let i = 0; i < 200; i++) {
          const t0 = performance.now();
          try {
            const result = await client.callTool({ name: 'hub_admin', arguments: { action: 'rate_limit' } });
            if (result.isError) errors++;
          } catch {
            errors++;
          }
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(clients.map((client) => client.close()));
    rows.push({ figure: 'HTTP calls', value: latencies.length, unit: 'calls' });
    rows.push({ figure: 'HTTP throughput', value: Math.round(latencies.length / seconds), unit: 'calls/s' });
    rows.push({ figure: 'HTTP latency p50', value: Number(percentile(latencies, 50).toFixed(1)), unit: 'ms' });
    rows.push({ figure: 'HTTP latency p99', value: Number(percentile(latencies, 99).toFixed(1)), unit: 'ms' });
    rows.push({ figure: 'HTTP errors', value: errors, unit: '' });
    checks.push({ name: 'HTTP load: 0 errors', pass: errors === 0, detail: `${errors} errors in ${latencies.length} calls` });
    expect(errors).toBe(0);
  } finally {
    await server.stop();
  }
});
