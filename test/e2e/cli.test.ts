// The command line a person meets: --help and --version on stdout with exit 0 (so `dockerhub-mcp
// --help | less` works), an unknown flag refused with exit 2 on stderr, and a hint on stderr when
// the stdio server is started in a terminal, where nobody is going to type JSON-RPC.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config-spec.js';
import { minimalEnv } from '../helpers/mcp-session.js';
import { ENTRY, exitOf, runToExit } from '../helpers/spawn-server.js';

const PKG = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const HINT = 'waiting for an MCP client on stdin';

describe('cli: --help and --version', () => {
  it.each([['--version'], ['-v']])('%s prints the package version on stdout and exits 0', async (flag) => {
    const result = await runToExit([flag]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${PKG.version}\n`);
    expect(result.stderr).toBe('');
  });

  it.each([['--help'], ['-h']])('%s prints every flag and variable on stdout and exits 0', async (flag) => {
    const result = await runToExit([flag]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`dockerhub-mcp ${PKG.version}`);
    for (const setting of SETTINGS) {
      if (setting.flag) expect(result.stdout).toContain(`--${setting.flag}`);
      for (const name of setting.env) expect(result.stdout).toContain(name);
    }
    expect(result.stdout).toContain('npx @modelcontextprotocol/inspector node ');
  });

  it('--help wins over a bad setting in the environment', async () => {
    const result = await runToExit(['--help'], { TRANSPORT: 'carrier-pigeon' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--transport');
  });
});

describe('cli: refused arguments', () => {
  it('an unknown flag exits 2 with the flag and a pointer to --help on stderr, nothing on stdout', async () => {
    const result = await runToExit(['--no-such-flag']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--no-such-flag');
    expect(result.stderr).toContain('--help');
  });

  it('a stray positional argument exits 2', async () => {
    const result = await runToExit(['serve']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('serve');
  });
});

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
if (!hasScript) console.warn('[cli] SKIPPED the terminal-hint case: `script` (util-linux) is not installed to provide a pseudo-terminal');

describe('cli: the terminal hint', () => {
  it('is not printed when stdin is a pipe (an MCP client)', async () => {
    const proc = spawn(process.execPath, [ENTRY], { env: minimalEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    proc.stdin.end();
    expect(await exitOf(proc)).toBe(0);
    expect(stderr).not.toContain(HINT);
    expect(stdout).toBe('');
  });

  it.skipIf(!hasScript)('is printed on stderr, with the Inspector command, when stdin is a terminal', async () => {
    // `script` runs the server on a pseudo-terminal, so process.stdin.isTTY is true there; the
    // pty carries the server's stderr back as script's stdout.
    const command = `exec '${process.execPath}' '${ENTRY}'`;
    const proc = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { env: minimalEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const seen = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no hint within 15 s; output:\n${output}`)), 15_000);
      proc.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('inspector')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    try {
      await seen;
    } finally {
      proc.kill('SIGTERM');
      await exitOf(proc);
    }
    expect(output).toContain(HINT);
    expect(output).toContain('npx @modelcontextprotocol/inspector node ');
    expect(output).toContain('--help');
  });
});
