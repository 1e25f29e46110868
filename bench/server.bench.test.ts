// Server figures: the size of tools/list (what every model context pays) and HTTP throughput with
// 50 concurrent clients. Cold start has its own file (cold-start.bench.test.ts).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, expect, it } from 'vitest';
import { ENTRY, startHttpServer } from '../test/helpers/spawn-server.js';
import { percentile, writeResult, type Row } from './lib/report.js';

const HUB_MCP_BYTES = 44.2 * 1024; // Docker's hub-mcp, 13 tools (its own published figure)
const HUB_MCP_TOOLS = 13;
/** Issue 13's goals for tools/list, outputSchema included: the default and with the gate open. */
const GOAL_DEFAULT_BYTES = 14 * 1024;
const GOAL_DESTRUCTIVE_BYTES = 16 * 1024;
const rows: Row[] = [];
const checks: { name: string; pass: boolean; detail: string }[] = [];

afterAll(() => {
  writeResult({
    name: 'server',
    title: 'Server: tools/list size, HTTP load',
    notes: [
      "tools/list bytes = the JSON of the tools/list result (outputSchema included) with every tool enabled (hub_scim is listed only with DOCKERHUB_SCIM_TOKEN, unset here), gate closed (the default) and open; tokens ≈ bytes ÷ 4. Docker's hub-mcp: 44.2 KB for 13 tools.",
      'HTTP load: 50 SDK clients, one session each, 200 sequential `hub_admin rate_limit` calls per client, against one server process.',
    ],
    rows,
    checks,
  });
});

async function listedBy(args: string[] = []): Promise<{ bytes: number; tools: number }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY, ...args],
    env: { PATH: process.env.PATH ?? '' },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  const listed = await client.listTools();
  await client.close();
  return { bytes: Buffer.byteLength(JSON.stringify(listed)), tools: listed.tools.length };
}

it('tools/list size, gate closed and open, beside hub-mcp', async () => {
  const closed = await listedBy();
  // Gate open: every destructive action's line and parameters are in the schema too.
  const open = await listedBy(['--allow-destructive']);
  const perTool = (bytes: number, tools: number): number => Math.round(bytes / tools);
  rows.push({ figure: 'tools', value: closed.tools, unit: '' });
  rows.push({ figure: 'tools/list size (gate closed, the default)', value: closed.bytes, unit: 'bytes' });
  rows.push({ figure: 'tools/list size (destructive actions enabled)', value: open.bytes, unit: 'bytes' });
  rows.push({ figure: 'tools/list tokens, default (≈ bytes ÷ 4)', value: Math.round(closed.bytes / 4), unit: 'tokens' });
  rows.push({
    figure: 'bytes per tool, default / destructive enabled',
    value: `${perTool(closed.bytes, closed.tools)} / ${perTool(open.bytes, open.tools)}`,
    unit: 'bytes',
  });
  rows.push({ figure: 'hub-mcp: tools/list size (its published figure)', value: Math.round(HUB_MCP_BYTES), unit: 'bytes' });
  rows.push({ figure: 'hub-mcp: bytes per tool', value: perTool(HUB_MCP_BYTES, HUB_MCP_TOOLS), unit: 'bytes' });
  rows.push({
    figure: 'ratio to hub-mcp, default / destructive enabled',
    value: `${(closed.bytes / HUB_MCP_BYTES).toFixed(3)} / ${(open.bytes / HUB_MCP_BYTES).toFixed(3)}`,
    unit: '',
  });
  checks.push({ name: 'tools/list ≤ 14 KB (default)', pass: closed.bytes <= GOAL_DEFAULT_BYTES, detail: `${closed.bytes} bytes` });
  checks.push({
    name: 'tools/list ≤ 16 KB (destructive enabled)',
    pass: open.bytes <= GOAL_DESTRUCTIVE_BYTES,
    detail: `${open.bytes} bytes`,
  });
  // Every tool but hub_scim, which is listed only with DOCKERHUB_SCIM_TOKEN (its calls need it).
  expect(closed.tools).toBe(8);
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
