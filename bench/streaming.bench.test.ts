// Streaming: copy a single-layer image of BENCH_STREAM_BYTES (default 1 GiB) between two local
// registries, with the built server (a real process, driven over stdio) and with skopeo, in the
// same run. Figures: throughput ratio, and the server's peak RSS growth (VmHWM - VmRSS before).
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pseudoRandomBlob } from '../test/helpers/registry/blob-stream.js';
import { Fixtures } from '../test/helpers/registry/fixtures.js';
import { registryAvailable, startRegistry, type RegistryHandle } from '../test/helpers/registry/launch.js';
import { ENTRY } from '../test/helpers/spawn-server.js';
import { writeResult, type Row } from './lib/report.js';
import { skopeo, skopeoAvailable } from './lib/skopeo.js';

const SIZE = Number(process.env.BENCH_STREAM_BYTES ?? 1024 ** 3);
const ready = registryAvailable() && skopeoAvailable();
const rows: Row[] = [];
const checks: { name: string; pass: boolean; detail: string }[] = [];
let src: RegistryHandle;
let dst: RegistryHandle;

function memoryKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN);
}

beforeAll(async () => {
  if (!ready) return;
  src = await startRegistry();
  dst = await startRegistry();
  await Fixtures.for(src).pushImage('acme/big', 'v1', { platform: 'linux/amd64', layers: [await pseudoRandomBlob(SIZE, 'stream-bench')] });
}, 900_000);

afterAll(async () => {
  if (!ready) return;
  writeResult({
    name: 'streaming',
    title: `Streaming: copy a ${(SIZE / 1024 ** 2).toFixed(0)} MiB single-layer image between two local registries`,
    notes: [
      'ours = the built server as a process, `hub_registry copy` over stdio; skopeo = `skopeo copy` between the same registries, same run.',
      'peak RSS growth = the server process VmHWM after the copy minus its VmRSS just before (from /proc).',
    ],
    rows,
    checks,
  });
  await src?.stop();
  await dst?.stop();
});

it.skipIf(!ready)('copies the big layer with constant memory, at skopeo-like throughput', async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', DOCKERHUB_ALLOW_DESTRUCTIVE: 'true', LOG_LEVEL: 'warn' },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  const pid = transport.pid!;
  await client.callTool({ name: 'hub_admin', arguments: { action: 'rate_limit' } });
  const rssBefore = memoryKiB(pid, 'VmRSS');
  const started = performance.now();
  const result = await client.callTool(
    {
      name: 'hub_registry',
      arguments: { action: 'copy', repo: `${src.host}/acme/big:v1`, target_repo: `${dst.host}/acme/big`, target_reference: 'v1' },
    },
    undefined,
    { timeout: 900_000 },
  );
  const oursMs = performance.now() - started;
  const peak = memoryKiB(pid, 'VmHWM');
  await client.close();
  expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();

  const peer = await skopeo([
    'copy',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    `docker://${src.host}/acme/big:v1`,
    `docker://${dst.host}/acme/big-skopeo:v1`,
  ]);
  const mib = SIZE / 1024 ** 2;
  const ours = mib / (oursMs / 1000);
  const theirs = mib / (peer.ms / 1000);
  const growth = (peak - rssBefore) / 1024;
  rows.push({
    client: 'ours (server process)',
    seconds: Number((oursMs / 1000).toFixed(1)),
    'MiB/s': Number(ours.toFixed(1)),
    'peak RSS growth MiB': Number(growth.toFixed(1)),
  });
  rows.push({ client: 'skopeo copy', seconds: Number((peer.ms / 1000).toFixed(1)), 'MiB/s': Number(theirs.toFixed(1)) });
  rows.push({ client: 'ours / skopeo throughput', 'MiB/s': Number((ours / theirs).toFixed(2)) });
  checks.push({ name: 'throughput ≥ 0.9× skopeo', pass: ours / theirs >= 0.9, detail: `${(ours / theirs).toFixed(2)}×` });
  checks.push({ name: 'peak RSS growth < 100 MiB', pass: growth < 100, detail: `${growth.toFixed(1)} MiB` });
  expect(growth).toBeLessThan(100);
});
