// Spawns the built server (dist/main.cjs) as a real process for e2e tests, with a minimal
// environment so nothing from the developer's shell leaks in.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { minimalEnv } from './mcp-session.js';

export const ENTRY = fileURLToPath(new URL('../../dist/main.cjs', import.meta.url));

export interface RunningServer {
  proc: ChildProcess;
  /** Base URL, e.g. http://127.0.0.1:41234 */
  base: string;
  /** The MCP endpoint, base + /mcp */
  url: string;
  stderr: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop: () => Promise<number | null>;
}

export function exitOf(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
}

/** Starts the server over HTTP on a free port and waits for its "serving" log line. */
export async function startHttpServer(env: Record<string, string> = {}, args: string[] = []): Promise<RunningServer> {
  const proc = spawn(process.execPath, [ENTRY, '--transport', 'http', '--port', '0', ...args], {
    env: minimalEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start; stderr:\n${stderr}`)), 15_000);
    const onData = (): void => {
      const match = /"url":"(http:\/\/[^"]+\/mcp)"/.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        proc.stderr.off('data', onData);
        resolve(match[1]);
      }
    };
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}; stderr:\n${stderr}`));
    });
  });
  return {
    proc,
    url,
    base: url.replace(/\/mcp$/, ''),
    stderr: () => stderr,
    stop: async () => {
      if (proc.exitCode !== null) return proc.exitCode;
      const exit = exitOf(proc);
      proc.kill('SIGTERM');
      return exit;
    },
  };
}

/** Runs the entry to completion (for --help, --version and configuration errors). */
export async function runToExit(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const proc = spawn(process.execPath, [ENTRY, ...args], { env: minimalEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const code = await exitOf(proc);
  return { code, stderr, stdout };
}
