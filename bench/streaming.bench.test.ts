// Streaming: copy images between two local registries with the built server (a real process,
// driven over stdio), against the raw limit — the same blobs piped `curl GET | curl -T - PUT`
// between the same registries (bench/lib/raw-pipe.ts) — and against skopeo, in the same run.
// Two scenarios: one layer of BENCH_STREAM_BYTES (default 1 GiB), and BENCH_STREAM_LAYERS
// (default 6) layers of BENCH_STREAM_PARALLEL_BYTES (default 256 MiB) copied at once against as
// many raw pipes in parallel. The machine is shared and noisy: BENCH_STREAM_ROUNDS (default 3)
// rounds, ours and its peers interleaved (the order alternates), and the median ratio is judged.
// Memory: the server's peak RSS growth per copy (VmHWM reset through /proc/<pid>/clear_refs, then
// VmHWM after minus VmRSS before), after a small warm-up copy so first-use code (pages of the node
// binary, JIT) is not counted as buffering.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pseudoRandomBlob, type StreamBlob } from '../test/helpers/registry/blob-stream.js';
import { Fixtures } from '../test/helpers/registry/fixtures.js';
import { registryAvailable, startRegistry, type RegistryHandle } from '../test/helpers/registry/launch.js';
import { ENTRY } from '../test/helpers/spawn-server.js';
import { rawPipe } from './lib/raw-pipe.js';
import { median, writeResult, type Row } from './lib/report.js';
import { skopeo, skopeoAvailable } from './lib/skopeo.js';

const MiB = 1024 ** 2;
const SIZE = Number(process.env.BENCH_STREAM_BYTES ?? 1024 * MiB);
const PARALLEL_SIZE = Number(process.env.BENCH_STREAM_PARALLEL_BYTES ?? 256 * MiB);
const LAYERS = Number(process.env.BENCH_STREAM_LAYERS ?? 6);
const ROUNDS = Number(process.env.BENCH_STREAM_ROUNDS ?? 3);
const ready = registryAvailable() && skopeoAvailable();
const rows: Row[] = [];
const checks: { name: string; pass: boolean; detail: string }[] = [];
const notes: string[] = [];
let src: RegistryHandle;
let dst: RegistryHandle;
let big: StreamBlob;
let layers: StreamBlob[];

function memoryKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN);
}

/** Resets the process's VmHWM to its current RSS (Linux clear_refs 5); false where not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

const mibps = (bytes: number, ms: number): number => bytes / MiB / (ms / 1000);
const fixed = (value: number, digits = 1): number => Number(value.toFixed(digits));

beforeAll(async () => {
  if (!ready) return;
  src = await startRegistry();
  dst = await startRegistry();
  const fixtures = Fixtures.for(src);
  big = await pseudoRandomBlob(SIZE, 'stream-bench');
  layers = await Promise.all(Array.from({ length: LAYERS }, (_, i) => pseudoRandomBlob(PARALLEL_SIZE, `stream-bench-layer-${i}`)));
  await fixtures.pushImage('acme/big', 'v1', { platform: 'linux/amd64', layers: [big] });
  await fixtures.pushImage('acme/multi', 'v1', { platform: 'linux/amd64', layers });
  await fixtures.pushImage('acme/warm', 'v1', { platform: 'linux/amd64', layers: [await pseudoRandomBlob(16 * MiB, 'stream-bench-warm')] });
}, 1_800_000);

afterAll(async () => {
  if (!ready) return;
  writeResult({
    name: 'streaming',
    title: `Streaming: copy between two local registries (1 × ${(SIZE / MiB).toFixed(0)} MiB; ${LAYERS} × ${(PARALLEL_SIZE / MiB).toFixed(0)} MiB)`,
    notes: [
      'ours = the built server as a process, `hub_registry copy` over stdio (manifests, HEADs, verification included).',
      'raw pipe = `curl GET blob | curl -T - PUT` between the same registries: POST opens the upload, one chunked PUT ?digest= carries the whole body (the upload protocol ours uses for a streamed blob); no manifest work. Parallel: one such pipe per layer, all at once.',
      'skopeo = `skopeo copy` between the same registries, a fresh HOME each time (no blob-info cache, so no cross-repo mounts).',
      `${ROUNDS} rounds, ours and its peers interleaved (order alternating); seconds and MiB/s are medians, ratios the median of the per-round ratios.`,
      'peak RSS growth = server VmHWM (reset via /proc/<pid>/clear_refs before each copy) minus VmRSS just before, after a 16 MiB warm-up copy; median of rounds (max in the notes).',
      ...notes,
    ],
    rows,
    checks,
  });
  await src?.stop();
  await dst?.stop();
});

it.skipIf(!ready)('copies one big layer and several at once near the raw pipe, with flat memory', async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', DOCKERHUB_ALLOW_DESTRUCTIVE: 'true', LOG_LEVEL: 'warn' },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  const pid = transport.pid!;
  const copy = async (repo: string, target: string): Promise<{ ms: number; growthMiB: number }> => {
    const peakReset = resetPeak(pid);
    const before = memoryKiB(pid, 'VmRSS');
    const started = performance.now();
    const result = await client.callTool(
      {
        name: 'hub_registry',
        arguments: { action: 'copy', repo: `${src.host}/${repo}:v1`, target_repo: `${dst.host}/${target}`, target_reference: 'v1' },
      },
      undefined,
      { timeout: 1_800_000 },
    );
    const ms = performance.now() - started;
    expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
    if (!peakReset) notes.push('clear_refs not writable: peak RSS growth is the process peak so far');
    return { ms, growthMiB: (memoryKiB(pid, 'VmHWM') - before) / 1024 };
  };
  await copy('acme/warm', 'acme/warm');

  const single = {
    ours: [] as number[],
    raw: [] as number[],
    skopeo: [] as number[],
    growth: [] as number[],
    vsRaw: [] as number[],
    vsSkopeo: [] as number[],
  };
  const multi = { ours: [] as number[], raw: [] as number[], growth: [] as number[], vsRaw: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const oursFirst = round % 2 === 0;
    const runOurs = (): Promise<{ ms: number; growthMiB: number }> => copy('acme/big', `acme/big-r${round}`);
    const runRaw = (): Promise<number> => rawPipe(src.host, 'acme/big', dst.host, `acme/big-raw-r${round}`, big.digest);
    const ours = oursFirst ? await runOurs() : undefined;
    const raw = await runRaw();
    const oursRun = ours ?? (await runOurs());
    const home = mkdtempSync(join(tmpdir(), 'bench-skopeo-home-'));
    const peer = await skopeo(
      [
        'copy',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `docker://${src.host}/acme/big:v1`,
        `docker://${dst.host}/acme/big-skopeo-r${round}:v1`,
      ],
      { PATH: process.env.PATH ?? '', HOME: home },
    );
    rmSync(home, { recursive: true, force: true });
    single.ours.push(oursRun.ms);
    single.raw.push(raw);
    single.skopeo.push(peer.ms);
    single.growth.push(oursRun.growthMiB);
    single.vsRaw.push(raw / oursRun.ms);
    single.vsSkopeo.push(peer.ms / oursRun.ms);

    const runOursMulti = (): Promise<{ ms: number; growthMiB: number }> => copy('acme/multi', `acme/multi-r${round}`);
    const runRawMulti = async (): Promise<number> => {
      const started = performance.now();
      await Promise.all(layers.map((layer) => rawPipe(src.host, 'acme/multi', dst.host, `acme/multi-raw-r${round}`, layer.digest)));
      return performance.now() - started;
    };
    const oursMulti = oursFirst ? await runOursMulti() : undefined;
    const rawMulti = await runRawMulti();
    const oursMultiRun = oursMulti ?? (await runOursMulti());
    multi.ours.push(oursMultiRun.ms);
    multi.raw.push(rawMulti);
    multi.growth.push(oursMultiRun.growthMiB);
    multi.vsRaw.push(rawMulti / oursMultiRun.ms);
    console.log(
      `round ${round + 1}: single ours ${(oursRun.ms / 1000).toFixed(2)} s (+${oursRun.growthMiB.toFixed(1)} MiB), raw ${(raw / 1000).toFixed(2)} s, skopeo ${(peer.ms / 1000).toFixed(2)} s; ` +
        `${LAYERS} layers ours ${(oursMultiRun.ms / 1000).toFixed(2)} s (+${oursMultiRun.growthMiB.toFixed(1)} MiB), raw ${(rawMulti / 1000).toFixed(2)} s`,
    );
  }
  await client.close();

  const total = LAYERS * PARALLEL_SIZE;
  const singleLabel = `1 × ${(SIZE / MiB).toFixed(0)} MiB`;
  const multiLabel = `${LAYERS} × ${(PARALLEL_SIZE / MiB).toFixed(0)} MiB`;
  const vsRaw = median(single.vsRaw);
  const vsSkopeo = median(single.vsSkopeo);
  const multiVsRaw = median(multi.vsRaw);
  const growth = median(single.growth);
  const multiGrowth = median(multi.growth);
  const timeRow = (scenario: string, client: string, ms: number[], bytes: number, growthMiB?: number): Row => ({
    scenario,
    client,
    seconds: fixed(median(ms) / 1000),
    'MiB/s': fixed(mibps(bytes, median(ms))),
    ...(growthMiB === undefined ? {} : { 'peak RSS growth MiB': fixed(growthMiB) }),
  });
  rows.push(timeRow(singleLabel, 'ours (server process)', single.ours, SIZE, growth));
  rows.push(timeRow(singleLabel, 'raw pipe (curl GET | curl -T - PUT)', single.raw, SIZE));
  rows.push(timeRow(singleLabel, 'skopeo copy', single.skopeo, SIZE));
  rows.push({ scenario: singleLabel, client: 'ours / raw pipe throughput', 'MiB/s': fixed(vsRaw, 2) });
  rows.push({ scenario: singleLabel, client: 'ours / skopeo throughput', 'MiB/s': fixed(vsSkopeo, 2) });
  rows.push(timeRow(multiLabel, 'ours (server process)', multi.ours, total, multiGrowth));
  rows.push(timeRow(multiLabel, `${LAYERS} raw pipes in parallel`, multi.raw, total));
  rows.push({ scenario: multiLabel, client: `ours / ${LAYERS} raw pipes throughput`, 'MiB/s': fixed(multiVsRaw, 2) });
  const list = (values: number[], digits: number): string => values.map((v) => v.toFixed(digits)).join(', ');
  notes.push(
    `per round — ours/raw: ${list(single.vsRaw, 2)}; ours/skopeo: ${list(single.vsSkopeo, 2)}; ${LAYERS}-layer ours/raw: ${list(multi.vsRaw, 2)}; ` +
      `RSS growth MiB: ${list(single.growth, 1)} (1 layer), ${list(multi.growth, 1)} (${LAYERS} layers).`,
  );

  checks.push({
    name: `${singleLabel}: throughput ≥ 0.95× the raw pipe`,
    pass: vsRaw >= 0.95,
    detail: `${vsRaw.toFixed(2)}× (median of ${ROUNDS})`,
  });
  checks.push({
    name: `${singleLabel}: peak RSS growth < 32 MiB`,
    pass: growth < 32,
    detail: `${growth.toFixed(1)} MiB (median; max ${Math.max(...single.growth).toFixed(1)})`,
  });
  checks.push({ name: `${singleLabel}: throughput ≥ 0.9× skopeo`, pass: vsSkopeo >= 0.9, detail: `${vsSkopeo.toFixed(2)}×` });
  checks.push({
    name: `${multiLabel}: throughput ≥ 0.9× ${LAYERS} parallel raw pipes`,
    pass: multiVsRaw >= 0.9,
    detail: `${multiVsRaw.toFixed(2)}× (median of ${ROUNDS})`,
  });
  // A sanity bound, not the goal: a copy that buffered whole layers would blow far past it.
  expect(Math.max(...single.growth, ...multi.growth)).toBeLessThan(100);
});
