// Image files: list the files of a large single-layer gzip image (many small files, default
// BENCH_IMAGE_BYTES = 1 GiB of tar, the goal size) with the built server as a process, and
// with `curl … | gunzip | tar -t` on the same registry, in the same run. Figures: the throughput
// ratio and the server's peak RSS growth (VmHWM after the call minus VmRSS just before, from
// /proc), for BENCH_IMAGE_RUNS rounds (default 2, each a fresh server, so the layer is uncached):
// the machine is shared and noisy, so a goal passes only when every round meets it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Fixtures } from '../test/helpers/registry/fixtures.js';
import { registryAvailable, startRegistry, type RegistryHandle } from '../test/helpers/registry/launch.js';
import { ENTRY } from '../test/helpers/spawn-server.js';
import { MT } from '../test/helpers/registry/content.js';
import { sha256Digest } from '../test/helpers/registry/blob-stream.js';
import { pushLayers } from '../test/helpers/image/layers.js';
import { tarEntry } from '../test/helpers/image/tar-build.js';
import { writeResult, type Row } from './lib/report.js';

const GIB = 1024 ** 3;
const SIZE = Number(process.env.BENCH_IMAGE_BYTES ?? GIB);
const RUNS = Number(process.env.BENCH_IMAGE_RUNS ?? 2);
const sizeName = SIZE >= GIB && SIZE % GIB === 0 ? `${SIZE / GIB} GiB` : `${(SIZE / 1024 ** 2).toFixed(0)} MiB`;
const FILE_BYTES = 4096;
const ready = registryAvailable();
const rows: Row[] = [];
const checks: { name: string; pass: boolean; detail: string }[] = [];
let reg: RegistryHandle;
let layerDigest: string;
let files = 0;

function memoryKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN);
}

/** A tar of SIZE bytes of 4 KiB text-like files in 256-file directories, gzipped at level 6. */
function bigLayer(): { bytes: Buffer; diffId: string } {
  const blocks: Buffer[] = [];
  let seed = 1;
  const text = (n: number): Buffer => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      out[i] = 97 + (seed % 16); // compressible, not trivially
    }
    return out;
  };
  for (let bytes = 0; bytes < SIZE; bytes += FILE_BYTES + 512) {
    blocks.push(...tarEntry({ path: `usr/share/bench/d${Math.floor(files / 256)}/file-${files}.txt`, body: text(FILE_BYTES) }));
    files++;
  }
  blocks.push(Buffer.alloc(1024));
  const tar = Buffer.concat(blocks);
  return { bytes: gzipSync(tar, { level: 6 }), diffId: sha256Digest(tar) };
}

async function peer(url: string): Promise<{ ms: number; lines: number }> {
  const started = performance.now();
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('sh', ['-c', `curl -sf '${url}' | gunzip | tar -t | wc -l`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`peer pipeline exited ${code}`))));
  });
  return { ms: performance.now() - started, lines: Number(out.trim()) };
}

beforeAll(async () => {
  if (!ready) return;
  reg = await startRegistry();
  const layer = bigLayer();
  const pushed = await pushLayers(Fixtures.for(reg), 'bench/files', 'v1', [{ ...layer, mediaType: MT.ociLayerGzip }]);
  layerDigest = pushed.layers[0]!.digest;
}, 900_000);

afterAll(async () => {
  if (!ready) return;
  writeResult({
    // The goal size keeps the plain name; other sizes are kept beside it, not over it.
    name: SIZE === GIB ? 'image-files' : `image-files-${sizeName.replace(' ', '').toLowerCase()}`,
    title: `Image files: list a ${sizeName} single-layer gzip image of ${files} small files`,
    notes: [
      `ours = the built server as a process, \`hub_registry files\` (layer not cached; warmed up by one \`layers\` call, which reads no layer) over stdio; peer = \`curl | gunzip | tar -t | wc -l\` on the same registry, same run; ${RUNS} rounds, each a fresh server.`,
      ...(SIZE === GIB ? [] : [`The issue's goal is set for 1 GiB; this run is ${sizeName}, so its goal lines hold for ${sizeName} only.`]),
      'throughput = uncompressed tar MiB per second; peak RSS growth = server VmHWM after the call minus VmRSS just before (from /proc).',
      'What the growth is made of (process.memoryUsage sampled in the server during a 1 GiB scan, measured separately): the V8 heap stays at its size from before the call; the layer index holds ~31 bytes a file plus its path (~16 MB for 233k files); most of the rest is zlib output buffers already dead that V8 frees lazily (a bare `for await` over a gunzip stream reaches ~34 MB of them before an external-memory-pressure GC), so it does not grow with the file count.',
    ],
    rows,
    checks,
  });
  await reg?.stop();
});

/** One round: a fresh server lists the (uncached) layer; then the peer pipeline. */
async function round(): Promise<{ ratio: number; growth: number }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'warn' },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  const pid = transport.pid!;
  // Warm-up: the first upstream request loads the HTTP client (undici) and the image modules;
  // `layers` reads the manifest and config only, so the layer itself is still uncached.
  const warm = await client.callTool({ name: 'hub_registry', arguments: { action: 'layers', repo: `${reg.host}/bench/files:v1` } });
  expect(warm.isError, JSON.stringify(warm.structuredContent)).toBeFalsy();
  const rssBefore = memoryKiB(pid, 'VmRSS');
  const started = performance.now();
  const result = await client.callTool(
    { name: 'hub_registry', arguments: { action: 'files', repo: `${reg.host}/bench/files:v1`, max_items: 1 } },
    undefined,
    { timeout: 900_000 },
  );
  const oursMs = performance.now() - started;
  const peak = memoryKiB(pid, 'VmHWM');
  await client.close();
  expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
  const listed = (result.structuredContent as { data: { total: number } }).data.total;

  const theirs = await peer(`${reg.url}/v2/bench/files/blobs/${layerDigest}`);
  const mib = SIZE / 1024 ** 2;
  const ours = mib / (oursMs / 1000);
  const peerRate = mib / (theirs.ms / 1000);
  const growth = (peak - rssBefore) / 1024;
  const n = rows.length / 3 + 1;
  rows.push({
    client: `ours (server process), round ${n}`,
    entries: listed,
    seconds: Number((oursMs / 1000).toFixed(2)),
    'MiB/s': Number(ours.toFixed(1)),
    'peak RSS growth MiB': Number(growth.toFixed(1)),
  });
  rows.push({
    client: `curl, gunzip, tar -t, round ${n}`,
    entries: theirs.lines,
    seconds: Number((theirs.ms / 1000).toFixed(2)),
    'MiB/s': Number(peerRate.toFixed(1)),
  });
  rows.push({ client: `ours / peer throughput, round ${n}`, 'MiB/s': Number((ours / peerRate).toFixed(2)) });
  // Directories are not written by the generator: both list exactly the files.
  expect(listed).toBe(files);
  expect(theirs.lines).toBe(files);
  return { ratio: ours / peerRate, growth };
}

it.skipIf(!ready)('lists the big layer with bounded memory, near curl | gunzip | tar -t', async () => {
  const rounds: { ratio: number; growth: number }[] = [];
  for (let i = 0; i < RUNS; i++) rounds.push(await round());
  const ratios = rounds.map((r) => `${r.ratio.toFixed(2)}×`).join(', ');
  const growths = rounds.map((r) => `${r.growth.toFixed(1)} MiB`).join(', ');
  checks.push({
    name: `${sizeName}: throughput ≥ 0.8× curl | gunzip | tar -t in every round`,
    pass: rounds.every((r) => r.ratio >= 0.8),
    detail: ratios,
  });
  checks.push({
    name: `${sizeName} of ${files} files: peak RSS growth < 64 MiB in every round${SIZE === GIB ? " (the issue's goal)" : ' (the goal is set at 1 GiB)'}`,
    pass: rounds.every((r) => r.growth < 64),
    detail: growths,
  });
});
