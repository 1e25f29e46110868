// Server benchmark (the first of the bench/ suite): cold start from spawn to the first
// tools/list answer over stdio (median of 10), and the size of tools/list with every tool on,
// against Docker's hub-mcp figure (44.2 KB for 13 tools). Writes bench/results/server.json.
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const entry = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 10);
const HUB_MCP_TOOLS_LIST_BYTES = 44.2 * 1024;

async function coldStart() {
  const started = performance.now();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [entry],
    env: { PATH: process.env.PATH ?? '' },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  const listed = await client.listTools();
  const ms = performance.now() - started;
  await client.close();
  return { ms, listed };
}

const times = [];
let listed;
for (let i = 0; i < runs; i++) {
  const run = await coldStart();
  times.push(run.ms);
  listed = run.listed;
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const bytes = Buffer.byteLength(JSON.stringify(listed));
const result = {
  cold_start_ms_median: Math.round(median),
  cold_start_ms_min: Math.round(times[0]),
  cold_start_ms_max: Math.round(times[times.length - 1]),
  runs,
  tools: listed.tools.length,
  tools_list_bytes: bytes,
  tools_list_tokens_estimate: Math.round(bytes / 4),
  hub_mcp_tools_list_bytes: HUB_MCP_TOOLS_LIST_BYTES,
  ratio_to_hub_mcp: Number((bytes / HUB_MCP_TOOLS_LIST_BYTES).toFixed(3)),
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/server.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.log('| figure | value |\n|---|---|');
for (const [key, value] of Object.entries(result)) console.log(`| ${key} | ${value} |`);
console.log(median < 300 ? 'PASS cold start < 300 ms' : `FAIL cold start ${Math.round(median)} ms ≥ 300 ms`);
