// Starts HAProxy with the shipped deploy/haproxy/haproxy.cfg (unchanged: the replica and bind
// addresses go in through its environment variables) plus a test-only stats listener, on free
// loopback ports. The stats page in CSV gives per-replica counters.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitOf } from '../spawn-server.js';
import { freePort } from '../free-port.js';

export const HAPROXY_CONFIG = fileURLToPath(new URL('../../../deploy/haproxy/haproxy.cfg', import.meta.url));
const STATS_CONFIG = fileURLToPath(new URL('./stats.cfg', import.meta.url));

export const HAPROXY_MISSING = 'haproxy is not installed: apt-get install haproxy (Debian package)';

/** Path of the haproxy binary (PATH, then /usr/sbin), or null. */
export function haproxyBinary(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'haproxy'), constants.X_OK);
      return join(dir, 'haproxy');
    } catch {
      // try the next one
    }
  }
  return null;
}

/** One server row of the stats CSV (the columns these tests read). */
export interface ReplicaStats {
  name: string;
  /** UP, DOWN, MAINT, … */
  status: string;
  /** Requests (sessions) sent to this replica. */
  total: number;
  /** Retries and redispatches HAProxy made away from / to this replica. */
  retries: number;
  redispatches: number;
  /** Responses that failed (cut, invalid) and transfers the replica aborted. */
  responseErrors: number;
  serverAborts: number;
  http5xx: number;
}

export interface HaproxyHandle {
  /** http://127.0.0.1:PORT/mcp */
  url: string;
  proc: ChildProcess;
  log(): string;
  /** The replicas' rows, in config order, and the backend's totals. */
  stats(): Promise<{ replicas: ReplicaStats[]; backend: ReplicaStats }>;
  stop(): Promise<void>;
}

function toStats(row: Record<string, string>): ReplicaStats {
  const n = (key: string): number => Number(row[key] ?? 0) || 0;
  return {
    name: row.svname ?? '',
    status: row.status ?? '',
    total: n('stot'),
    retries: n('wretr'),
    redispatches: n('wredis'),
    responseErrors: n('eresp'),
    serverAborts: n('srv_abrt'),
    http5xx: n('hrsp_5xx'),
  };
}

/**
 * The shipped config without its `stick` lines: the control that shows the affinity rules are
 * what keeps stateful sessions working.
 */
function configWithoutAffinity(): string {
  const text = readFileSync(HAPROXY_CONFIG, 'utf8');
  const stripped = text.replace(/^\s*stick(-table)? .*$/gm, '');
  if (stripped === text) throw new Error(`no stick lines in ${HAPROXY_CONFIG}`);
  const path = join(mkdtempSync(join(tmpdir(), 'haproxy-')), 'no-affinity.cfg');
  writeFileSync(path, stripped);
  return path;
}

/** Starts HAProxy in front of `replicas` (`host:port` each; the shipped file names three). */
export async function startHaproxy(replicas: readonly string[], options: { affinity?: boolean } = {}): Promise<HaproxyHandle> {
  const binary = haproxyBinary();
  if (!binary) throw new Error(HAPROXY_MISSING);
  if (replicas.length !== 3) throw new Error('deploy/haproxy/haproxy.cfg names three replicas');
  const [port, statsPort] = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    MCP_LB_BIND: `127.0.0.1:${port}`,
    MCP_LB_STATS_BIND: `127.0.0.1:${statsPort}`,
  };
  replicas.forEach((address, i) => (env[`MCP_REPLICA_${i + 1}`] = address));
  // -db: foreground, not a daemon, so the test can signal it.
  const proc = spawn(binary, ['-db', '-f', options.affinity === false ? configWithoutAffinity() : HAPROXY_CONFIG, '-f', STATS_CONFIG], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proc.stdout.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  proc.stderr.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  const statsUrl = `http://127.0.0.1:${statsPort}/stats;csv`;

  const stats = async (): Promise<{ replicas: ReplicaStats[]; backend: ReplicaStats }> => {
    const text = await (await fetch(statsUrl, { signal: AbortSignal.timeout(5_000) })).text();
    const [header, ...lines] = text.trim().split('\n');
    const columns = (header ?? '').replace(/^# /, '').split(',');
    const rows = lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [columns[i] ?? String(i), value])));
    const mine = rows.filter((row) => row.pxname === 'mcp_replicas');
    const backend = mine.find((row) => row.svname === 'BACKEND');
    if (!backend) throw new Error(`no mcp_replicas backend in the HAProxy stats:\n${text}`);
    return { replicas: mine.filter((row) => /^replica\d$/.test(row.svname ?? '')).map(toStats), backend: toStats(backend) };
  };

  // Ready once the stats page answers and every replica is UP (health checks on /healthz).
  const deadline = Date.now() + 15_000;
  let last = 'not started';
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`haproxy exited with ${proc.exitCode}:\n${log}`);
    try {
      const { replicas: rows } = await stats();
      if (rows.length === 3 && rows.every((row) => row.status === 'UP')) break;
      last = rows.map((row) => `${row.name} ${row.status}`).join(', ');
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`haproxy not ready (${last}):\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    proc,
    log: () => log,
    stats,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exit = exitOf(proc);
      proc.kill('SIGTERM');
      await exit;
    },
  };
}
