// Cold start beside Node's own: spawn of the built server → initialize → tools/list answered →
// stdin closed → exit, against `node -e 0` spawned by the same node binary, in interleaved pairs
// (the machine is shared, so each pair sees the same load). Issue 15's goal: the median server
// start ≤ 1.6× the median `node -e 0`. Run on this process's node and, when npx can provide it from
// its cache, on Node 24 (where the launcher's compile cache is in effect).
import { execFileSync, spawn } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { ENTRY } from '../test/helpers/spawn-server.js';
import { median, writeResult, type Row } from './lib/report.js';

const PAIRS = 15;
const GOAL = 1.6;
const rows: Row[] = [];
const checks: { name: string; pass: boolean; detail: string }[] = [];

afterAll(() => {
  writeResult({
    name: 'cold-start',
    title: 'Cold start: spawn to tools/list answered and exit, beside `node -e 0`',
    notes: [
      `${PAIRS} interleaved pairs per node version after one warm-up start: \`node -e 0\`, then \`node dist/main.cjs\` sent initialize, notifications/initialized and tools/list over stdio, stdin closed once tools/list is answered, timed to exit.`,
      'ratio = median server ÷ median `node -e 0` (same node binary, same run); goal ≤ 1.6×.',
      'The stdio front door (dist/main.cjs, CommonJS, ~35 kB) answers initialize and tools/list from build-time data; the rest of the server loads on the first other message. `first call` times the same start with a `hub_admin config` tools/call after tools/list, answered before stdin is closed: what a client that calls a tool at once waits, the full load included.',
      'Node ≥ 22.1 reuses V8 code from the compile cache (os.tmpdir()/node-compile-cache) for the lazily loaded chunks, enabled by dist/main.cjs; Node 20 has none.',
    ],
    rows,
    checks,
  });
});

const MESSAGES = [
  {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
  },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', id: 2, method: 'tools/list' },
];

const CALL = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'hub_admin', arguments: { action: 'config' } } };

type Mode = 'bare' | 'list' | 'call';

/** Milliseconds from spawn to exit; for the server, exit follows the last answer waited for. */
function timed(node: string, args: string[], mode: Mode): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(node, args, { stdio: ['pipe', 'pipe', 'ignore'], env: { PATH: process.env.PATH ?? '' } });
    let out = '';
    let listed = false;
    const serve = mode !== 'bare';
    const last = mode === 'call' ? '"id":3' : '"id":2';
    if (serve) {
      // The server reads line by line; all the lines may go at once, as a client's do.
      const messages = mode === 'call' ? [...MESSAGES, CALL] : MESSAGES;
      child.stdin.write(messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (!listed && out.split('\n').some((line) => line.includes(last) && line.includes('"result"'))) {
          listed = true;
          child.stdin.end();
        }
      });
    } else {
      child.stdin.end();
      child.stdout.resume();
    }
    child.on('error', reject);
    child.on('exit', (code) => {
      if (serve && !listed) reject(new Error(`server exited (${code}) without answering ${mode === 'call' ? 'tools/call' : 'tools/list'}`));
      else resolve(performance.now() - started);
    });
  });
}

async function measure(label: string, node: string): Promise<void> {
  await timed(node, [ENTRY], 'call'); // warm-up: file cache, and the compile cache where there is one
  const bare: number[] = [];
  const server: number[] = [];
  const call: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    bare.push(await timed(node, ['-e', '0'], 'bare'));
    server.push(await timed(node, [ENTRY], 'list'));
    call.push(await timed(node, [ENTRY], 'call'));
  }
  const ratio = median(server) / median(bare);
  rows.push({
    node: label,
    'node -e 0 (ms)': Math.round(median(bare)),
    'server (ms)': Math.round(median(server)),
    ratio: Number(ratio.toFixed(2)),
    'first call (ms)': Math.round(median(call)),
  });
  checks.push({
    name: `cold start ≤ ${GOAL}× node -e 0 (${label})`,
    pass: ratio <= GOAL,
    detail: `${ratio.toFixed(2)}× (${Math.round(median(server))} ms vs ${Math.round(median(bare))} ms, medians of ${PAIRS})`,
  });
  expect(server.length).toBe(PAIRS);
}

/** Node 24's binary from npx's cache, or undefined (offline with nothing cached, no npx). */
function node24(): string | undefined {
  try {
    const path = execFileSync('npx', ['--offline', '-y', '-p', 'node@24', 'node', '-p', 'process.execPath'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 120_000,
    }).trim();
    return path.length > 0 ? path : undefined;
  } catch {
    return undefined;
  }
}

it(`cold start on this node (${process.version})`, async () => {
  await measure(process.version, process.execPath);
});

const N24 = process.versions.node.startsWith('24.') ? undefined : node24();
it.skipIf(N24 === undefined)('cold start on Node 24 (npx -p node@24)', async () => {
  const version = execFileSync(N24!, ['--version'], { encoding: 'utf8' }).trim();
  await measure(version, N24!);
});
if (N24 === undefined) console.log('Node 24 row skipped: this is Node 24 already, or npx has no node@24 cached');
