// Load through the balancer: N MCP SDK clients, each making M sequential `hub_admin rate_limit`
// calls (answered from the server's own state, no upstream), with an optional action (a replica
// kill) once a given number of calls has completed. Every call is classified:
// - ok: a result with status_code 200;
// - error: anything else;
// - lost: no MCP answer at all: the transport failed or timed out, or the HTTP status was an
//   error (a replica's or the balancer's 503 counts here too, so this is an upper bound on the
//   requests taken in and never answered). Lost calls are errors too.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { startHttpServer, type RunningServer } from '../spawn-server.js';

export interface LoadOptions {
  url: string;
  clients: number;
  callsPerClient: number;
  /** Runs once when `after` calls have completed; the load goes on meanwhile. */
  midway?: { after: number; action: () => Promise<void> };
}

export interface LoadResult {
  calls: number;
  ok: number;
  errors: number;
  lost: number;
  latencies: number[];
  seconds: number;
  /** The first few error messages, for the assertion message. */
  samples: string[];
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const clients = await Promise.all(
    Array.from({ length: options.clients }, async (_, i) => {
      const client = new Client({ name: `replica-load-${i}`, version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(options.url)));
      return client;
    }),
  );
  const result: LoadResult = { calls: 0, ok: 0, errors: 0, lost: 0, latencies: [], seconds: 0, samples: [] };
  let midway: Promise<void> | undefined;
  const fail = (message: string, lost: boolean): void => {
    result.errors++;
    if (lost) result.lost++;
    if (result.samples.length < 5) result.samples.push(message);
  };
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < options.callsPerClient; i++) {
        const t0 = performance.now();
        try {
          const answer = await client.callTool({ name: 'hub_admin', arguments: { action: 'rate_limit' } });
          const status = (answer.structuredContent as { status_code?: number } | undefined)?.status_code;
          if (!answer.isError && status === 200) result.ok++;
          else fail(`answered with an error: ${JSON.stringify(answer.content).slice(0, 300)}`, false);
        } catch (error) {
          fail(`${error instanceof McpError ? 'JSON-RPC error' : 'no answer'}: ${(error as Error).message}`, !(error instanceof McpError));
        }
        result.latencies.push(performance.now() - t0);
        result.calls++;
        if (options.midway && midway === undefined && result.calls >= options.midway.after) midway = options.midway.action();
      }
    }),
  );
  result.seconds = (performance.now() - started) / 1000;
  await midway;
  await Promise.all(clients.map((client) => client.close()));
  return result;
}

export type ReplicaMode = 'stateless' | 'stateful';

/** Starts `count` replicas of the built server on free loopback ports. */
export async function startReplicas(count: number, mode: ReplicaMode, env: Record<string, string> = {}): Promise<RunningServer[]> {
  const settings = { MCP_SHUTDOWN_GRACE_SECONDS: '10', MCP_MAX_SESSIONS: '1000', ...env };
  return Promise.all(
    Array.from({ length: count }, () => startHttpServer(mode === 'stateless' ? { ...settings, MCP_STATELESS: 'true' } : settings)),
  );
}

/** `host:port` of a replica, as HAProxy's `server` lines take it. */
export function addressOf(replica: RunningServer): string {
  return new URL(replica.url).host;
}

/** Sends SIGTERM (a drain) and resolves with the exit code and what the replica logged. */
export async function drain(replica: RunningServer): Promise<{ code: number | null; log: string }> {
  const code = await replica.stop();
  return { code, log: replica.stderr() };
}
