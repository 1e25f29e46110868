// HTTP load and the server's CPU cost per call: 50 SDK clients × 200 `hub_admin rate_limit` calls
// over streamable HTTP (sessions), the same call as stateless JSON POSTs, and over stdio as the
// peer, each against its own server process. Besides wall throughput (which follows the CPU share
// a shared machine grants), the server's own CPU time (/proc/<pid>/stat utime + stime) per call,
// and calls per CPU-second — calls/s per core — so a regression in the per-request path shows.
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, expect, it } from 'vitest';
import { ENTRY, startHttpServer } from '../test/helpers/spawn-server.js';
import { percentile, writeResult, type Row } from './lib/report.js';

const CLIENTS = 50;
const CALLS = Number(process.env.BENCH_HTTP_CALLS ?? 200);
const rows: Row[] = [];
const checks: { name: string; pass: boolean; detail: string }[] = [];
const perCall: Record<string, number> = {};

afterAll(() => {
  if (perCall.http && perCall.stdio)
    rows.push({
      transport: 'HTTP sessions / stdio, CPU per call',
      'server CPU ms per call': Number((perCall.http / perCall.stdio).toFixed(2)),
    });
  if (perCall.stateless && perCall.stdio)
    rows.push({
      transport: 'HTTP stateless / stdio, CPU per call',
      'server CPU ms per call': Number((perCall.stateless / perCall.stdio).toFixed(2)),
    });
  writeResult({
    name: 'http-load',
    title: `HTTP load and server CPU per call (${CLIENTS} clients × ${CALLS} hub_admin rate_limit calls)`,
    notes: [
      `HTTP sessions: ${CLIENTS} SDK clients, one session each, ${CALLS} sequential calls per client, one server process.`,
      `HTTP stateless: the server with --stateless, ${CLIENTS} concurrent callers × ${CALLS} plain JSON-RPC POSTs of tools/call (no initialize, no session), keep-alive connections.`,
      `stdio (the peer): one SDK client over the server's stdin/stdout, ${CLIENTS} calls in flight × ${CALLS}.`,
      'server CPU = user + system time of the server process over the calls (/proc/<pid>/stat); calls per CPU-second = calls/s per core. The bench process (the clients) is not counted.',
    ],
    rows,
    checks,
  });
});

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
}

interface Load {
  calls: number;
  errors: number;
  seconds: number;
  cpuMs: number;
  latencies: number[];
}

/** `workers` loops of `calls` each, timing every call; the server's CPU over the whole load. */
async function load(pid: number, workers: number, calls: number, call: (worker: number) => Promise<boolean>): Promise<Load> {
  const latencies: number[] = [];
  let errors = 0;
  const cpuBefore = cpuMs(pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let i = 0; i < calls; i++) {
        const t0 = performance.now();
        try {
          if (!(await call(worker))) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { calls: latencies.length, errors, seconds: (performance.now() - started) / 1000, cpuMs: cpuMs(pid) - cpuBefore, latencies };
}

function report(transport: string, key: string, result: Load): void {
  perCall[key] = result.cpuMs / result.calls;
  rows.push({
    transport,
    calls: result.calls,
    errors: result.errors,
    'calls/s': Math.round(result.calls / result.seconds),
    'server CPU ms per call': Number((result.cpuMs / result.calls).toFixed(3)),
    'calls per CPU-second': Math.round((result.calls * 1000) / Math.max(result.cpuMs, 1)),
    'p50 ms': Number(percentile(result.latencies, 50).toFixed(1)),
    'p99 ms': Number(percentile(result.latencies, 99).toFixed(1)),
  });
  checks.push({ name: `${transport}: 0 errors`, pass: result.errors === 0, detail: `${result.errors} errors in ${result.calls} calls` });
}

const RATE_LIMIT = { name: 'hub_admin', arguments: { action: 'rate_limit' } };

it(`HTTP sessions: ${CLIENTS} clients × ${CALLS} calls`, async () => {
  const server = await startHttpServer({ MCP_MAX_SESSIONS: '200' });
  try {
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const client = new Client({ name: 'load', version: '1' });
        await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
        return client;
      }),
    );
    const result = await load(server.proc.pid!, CLIENTS, CALLS, async (worker) => !(await clients[worker]!.callTool(RATE_LIMIT)).isError);
    await Promise.all(clients.map((client) => client.close()));
    report(`HTTP sessions, ${CLIENTS} × ${CALLS}`, 'http', result);
    expect(result.errors).toBe(0);
  } finally {
    await server.stop();
  }
});

it(`HTTP stateless: ${CLIENTS} callers × ${CALLS} POSTs`, async () => {
  const server = await startHttpServer({}, ['--stateless']);
  try {
    let id = 0;
    const post = async (): Promise<boolean> => {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-06-18',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method: 'tools/call', params: RATE_LIMIT }),
      });
      const answer = (await response.json()) as { result?: { isError?: boolean } };
      return response.status === 200 && answer.result !== undefined && answer.result.isError !== true;
    };
    expect(await post()).toBe(true);
    const result = await load(server.proc.pid!, CLIENTS, CALLS, post);
    report(`HTTP stateless, ${CLIENTS} × ${CALLS}`, 'stateless', result);
    expect(result.errors).toBe(0);
  } finally {
    await server.stop();
  }
});

it(`stdio (the peer): ${CLIENTS} calls in flight × ${CALLS}`, async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY],
    env: { PATH: process.env.PATH ?? '' },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'load', version: '1' });
  await client.connect(transport);
  try {
    await client.callTool(RATE_LIMIT);
    const result = await load(transport.pid!, CLIENTS, CALLS, async () => !(await client.callTool(RATE_LIMIT)).isError);
    report(`stdio, ${CLIENTS} in flight × ${CALLS}`, 'stdio', result);
    expect(result.errors).toBe(0);
  } finally {
    await client.close();
  }
});
