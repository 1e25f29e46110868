// The stdio front door (src/server/stdio-front.ts) answers initialize, ping and tools/list before
// the full server is loaded. Its answers must be the very bytes the SDK's Server writes, and the
// session must go on as if the SDK had answered: these spawn the built server and compare, line
// for line, with answers forced through the full server (a first message the front door does not
// answer makes it hand everything over).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { minimalEnv } from '../helpers/mcp-session.js';
import { ENTRY } from '../helpers/spawn-server.js';

type Message = Record<string, unknown>;

const initialize = (id: number, protocolVersion: string, capabilities: object = {}): Message => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion, capabilities, clientInfo: { name: 'front-e2e', version: '1' } },
});
const INITIALIZED: Message = { jsonrpc: '2.0', method: 'notifications/initialized' };
const LIST: Message = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
/** Not answered by the front door: sent first, it puts the full server in charge of everything. */
const HAND_OVER: Message = { jsonrpc: '2.0', id: 0, method: 'prompts/list' };

interface Run {
  /** stdout lines as written, by JSON-RPC id (notifications under "-"). */
  lines: Map<string, string[]>;
  stderr: string;
  code: number | null;
}

/**
 * Writes `messages` (all at once, as a client that pipelines), closes stdin once every id in
 * `awaitIds` is answered (or at once when there are none), and collects the raw stdout lines.
 */
function exchange(
  messages: (Message | string)[],
  options: { args?: string[]; env?: Record<string, string>; awaitIds?: number[] } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, ...(options.args ?? [])], {
      env: minimalEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines = new Map<string, string[]>();
    let stdout = '';
    let stderr = '';
    const waiting = new Set((options.awaitIds ?? []).map(String));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no answer to ${[...waiting].join(', ')}; stderr: ${stderr}`));
    }, 20_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      let newline: number;
      while ((newline = stdout.indexOf('\n')) !== -1) {
        const line = stdout.slice(0, newline);
        stdout = stdout.slice(newline + 1);
        const id = (JSON.parse(line) as { id?: string | number | null }).id;
        const key = id === undefined ? '-' : String(id);
        lines.set(key, [...(lines.get(key) ?? []), line]);
        if (waiting.delete(key) && waiting.size === 0) child.stdin.end();
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ lines, stderr, code });
    });
    child.stdin.write(messages.map((m) => `${typeof m === 'string' ? m : JSON.stringify(m)}\n`).join(''));
    if (waiting.size === 0) child.stdin.end();
  });
}

const answer = (run: Run, id: number): string => {
  const lines = run.lines.get(String(id)) ?? [];
  expect(lines, `answers to id ${id}`).toHaveLength(1);
  return lines[0]!;
};

describe('the stdio front door answers as the SDK does', () => {
  const configs: [string, { args?: string[]; env?: Record<string, string> }][] = [
    ['defaults', {}],
    ['read-only', { args: ['--read-only'] }],
    ['destructive enabled', { args: ['--allow-destructive'] }],
    ['SCIM token set', { env: { DOCKERHUB_SCIM_TOKEN: 'scim-front-e2e' } }],
    ['two tools enabled', { args: ['--tools', 'hub_scout,hub_repos'] }],
  ];
  it.each(configs)('initialize and tools/list, same bytes: %s', async (_label, config) => {
    const messages = [initialize(1, '2025-06-18'), INITIALIZED, LIST];
    const [front, full] = await Promise.all([
      exchange(messages, { ...config, awaitIds: [1, 2] }),
      exchange([HAND_OVER, ...messages], { ...config, awaitIds: [0, 1, 2] }),
    ]);
    expect(answer(front, 1)).toBe(answer(full, 1));
    expect(answer(front, 2)).toBe(answer(full, 2));
    // The front door answered without loading the server: its debug line is not there at info level.
    expect(front.code).toBe(0);
    expect(full.code).toBe(0);
  });

  it.each(['2025-11-25', '2024-11-05', '1999-01-01'])('negotiates protocol %s as the SDK does', async (version) => {
    const [front, full] = await Promise.all([
      exchange([initialize(1, version)], { awaitIds: [1] }),
      exchange([HAND_OVER, initialize(1, version)], { awaitIds: [0, 1] }),
    ]);
    expect(answer(front, 1)).toBe(answer(full, 1));
  });
});

describe('after the front door, the full server carries the session on', () => {
  it('a client that writes its whole session and closes stdin gets every answer, the replayed initialize not twice', async () => {
    const call = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'hub_admin', arguments: { action: 'config' } } };
    const run = await exchange([initialize(1, '2025-06-18'), INITIALIZED, LIST, { jsonrpc: '2.0', id: 4, method: 'ping' }, call]);
    expect(run.code).toBe(0);
    expect(JSON.parse(answer(run, 1))).toMatchObject({ result: { serverInfo: { name: 'dockerhub-mcp' } } });
    expect(JSON.parse(answer(run, 2))).toMatchObject({ result: { tools: expect.any(Array) as unknown } });
    expect(JSON.parse(answer(run, 4))).toEqual({ result: {}, jsonrpc: '2.0', id: 4 });
    // Run, not refused as arriving during the shutdown that closing stdin starts.
    const result = JSON.parse(answer(run, 3)) as { result?: { isError?: boolean; structuredContent?: { data?: { transport?: string } } } };
    expect(result.result?.isError).toBeFalsy();
    expect(result.result?.structuredContent?.data?.transport).toBe('stdio');
    expect([...run.lines.keys()].sort()).toEqual(['1', '2', '3', '4']);
    expect(run.stderr).not.toContain('replayed-initialize');
  });

  // The client capabilities declared to the front door reach the full server through the replayed
  // initialize: confirm.test.ts's stdio cases depend on it (an eliciting client is asked, and a
  // declined delete deletes nothing; without the capability the server would not ask).

  it('what the front door does not cover reaches the SDK: an unknown method, logging/setLevel, a second initialize', async () => {
    const run = await exchange(
      [
        initialize(1, '2025-06-18'),
        INITIALIZED,
        { jsonrpc: '2.0', id: 5, method: 'no/such/method' },
        { jsonrpc: '2.0', id: 6, method: 'logging/setLevel', params: { level: 'error' } },
        initialize(7, '2024-11-05'),
      ],
      { awaitIds: [1, 5, 6, 7] },
    );
    expect(JSON.parse(answer(run, 5))).toMatchObject({ error: { code: -32601 } });
    expect(JSON.parse(answer(run, 6))).toEqual({ result: {}, jsonrpc: '2.0', id: 6 });
    expect(JSON.parse(answer(run, 7))).toMatchObject({ result: { protocolVersion: '2024-11-05' } });
  });

  it('an initialize with params the front door does not vouch for is left to the SDK', async () => {
    const odd = initialize(1, '2025-06-18', { tasks: { list: {} } });
    const broken = { jsonrpc: '2.0', id: 2, method: 'initialize', params: { protocolVersion: 7 } };
    const [tasks, invalid] = await Promise.all([exchange([odd], { awaitIds: [1] }), exchange([broken], { awaitIds: [2] })]);
    expect(JSON.parse(answer(tasks, 1))).toMatchObject({ result: { protocolVersion: '2025-06-18' } });
    // The SDK's own refusal (its zod issues), not an answer the front door made up.
    expect(JSON.parse(answer(invalid, 2))).toMatchObject({ error: { message: expect.stringContaining('invalid_type') as unknown } });
  });

  it('a line the front door cannot parse gets the full server’s parse error, and the session goes on', async () => {
    const run = await exchange(['{"jsonrpc": "2.0", "id": 1, "method": ', initialize(1, '2025-06-18'), LIST], { awaitIds: [1, 2] });
    expect(JSON.parse(run.lines.get('null')?.[0] ?? '{}')).toMatchObject({ error: { code: -32700 } });
    expect(JSON.parse(answer(run, 2))).toMatchObject({ result: { tools: expect.any(Array) as unknown } });
  });
});
