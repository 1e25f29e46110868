// The container engine for test/container: docker when `docker info` succeeds, else buildah +
// podman with the local stand-in for the node base image (vfs storage, chroot isolation, runc),
// and the image build both container suites use. Moved here from container.test.ts so that
// kube.test.ts drives the same engine and image.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
export { freePort } from '../free-port.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BASE_IMAGE = 'docker.io/library/node:24-bookworm-slim';
export const TAG = process.env.CONTAINER_TEST_IMAGE ?? 'localhost/dockerhub-mcp:test';
const STAND_IN_SCRIPT = process.env.LOCAL_NODE_IMAGE_SCRIPT ?? resolve(REPO, '../shared/tools/local-node-image.sh');

// ---------------------------------------------------------------------------------------------
// Running commands

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never throws (a missing binary is code 127). */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Outcome> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd: REPO, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      stderr += `\n[timed out after ${options.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolvePromise({ code: error.code === 'ENOENT' ? 127 : 126, stdout, stderr: stderr + String(error.message) });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? 128, stdout, stderr });
    });
  });
}

/** Podman on these machines logs harmless errors about systemd healthcheck timers; drop them. */
export function quiet(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/systemd connection|healthcheck: unable to get systemd/.test(line))
    .join('\n')
    .trim();
}

export function lastLine(text: string): string {
  const lines = quiet(text).split('\n').filter(Boolean);
  return lines[lines.length - 1] ?? '(no output)';
}

// ---------------------------------------------------------------------------------------------
// The engine

export interface Engine {
  kind: 'docker' | 'podman';
  /** Human description for the log. */
  describe: string;
  /** argv for the engine CLI (global flags included); `podman`/`docker` first. */
  cli: (...args: string[]) => [string, string[]];
  build: (tag: string, buildArgs: Record<string, string>, labels: Record<string, string>) => Promise<Outcome>;
  /** `run` network flags for containers that publish nothing. */
  net: string[];
  /** `run` flags that make the container reachable on a host port. */
  hostPort: (port: number) => string[];
  /** Environment for engine commands (podman needs CONTAINERS_CONF on these machines). */
  env: () => NodeJS.ProcessEnv;
  prepare: () => Promise<void>;
}

function buildFlags(buildArgs: Record<string, string>, labels: Record<string, string>): string[] {
  return [
    ...Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
    ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
  ];
}

function dockerEngine(): Engine {
  return {
    kind: 'docker',
    describe: 'docker (docker info succeeded)',
    cli: (...args) => ['docker', args],
    build: (tag, buildArgs, labels) =>
      run('docker', ['build', ...buildFlags(buildArgs, labels), '-t', tag, '.'], {
        timeoutMs: 15 * 60_000,
      }),
    net: [],
    hostPort: (port) => ['-p', `127.0.0.1:${port}:${port}`],
    env: () => process.env,
    prepare: async () => {},
  };
}

function podmanEngine(builder: 'buildah' | 'podman'): Engine {
  const engineEnv = (): NodeJS.ProcessEnv => process.env;
  const podman = ['--storage-driver', 'vfs', '--runtime', 'runc'];
  let pull = ['--pull-never'];
  return {
    kind: 'podman',
    describe: `podman + ${builder === 'buildah' ? 'buildah bud' : 'podman build'} (vfs storage, chroot isolation, runc)`,
    cli: (...args) => ['podman', [...podman, ...args]],
    build: (tag, buildArgs, labels) => {
      const flags = ['--isolation', 'chroot', ...pull, '--network', 'host', '--format', 'docker'];
      const args = [...flags, ...buildFlags(buildArgs, labels), '-t', tag, '.'];
      return builder === 'buildah'
        ? run('buildah', ['--storage-driver', 'vfs', 'bud', ...args], { env: engineEnv(), timeoutMs: 15 * 60_000 })
        : run('podman', [...podman, 'build', '--layers=false', ...args], { env: engineEnv(), timeoutMs: 15 * 60_000 });
    },
    // Host networking: what the stand-in's header prescribes on these machines.
    net: ['--network', 'host'],
    hostPort: () => ['--network', 'host'],
    env: engineEnv,
    prepare: async () => {
      // Docker Hub is unreachable here: the script makes (or finds) a local stand-in for the
      // base image and writes the containers.conf podman needs on these machines. Idempotent.
      if (existsSync(STAND_IN_SCRIPT)) {
        const started = performance.now();
        const made = await run('bash', [STAND_IN_SCRIPT, '24'], { timeoutMs: 20 * 60_000 });
        if (made.code !== 0) throw new Error(`${STAND_IN_SCRIPT} failed (exit ${made.code}):\n${quiet(made.stderr).slice(-3000)}`);
        const conf = /export CONTAINERS_CONF=(\S+)/.exec(made.stdout)?.[1];
        if (conf) process.env.CONTAINERS_CONF = conf;
        console.log(
          `[container] base image ${BASE_IMAGE} ready via ${STAND_IN_SCRIPT} in ${((performance.now() - started) / 1000).toFixed(1)} s; CONTAINERS_CONF=${conf ?? '(unset)'}`,
        );
        return;
      }
      const exists = await run('podman', [...podman, 'image', 'exists', BASE_IMAGE], { env: engineEnv() });
      if (exists.code !== 0) {
        console.log(`[container] ${STAND_IN_SCRIPT} not found and ${BASE_IMAGE} not in local storage; letting the build pull it`);
        pull = ['--pull'];
      }
    },
  };
}

export async function detectEngine(): Promise<Engine | { reason: string }> {
  const wanted = process.env.CONTAINER_ENGINE;
  const reasons: string[] = [];
  if (wanted === undefined || wanted === 'docker') {
    const info = await run('docker', ['info'], { timeoutMs: 30_000 });
    if (info.code === 0) return dockerEngine();
    reasons.push(
      info.code === 127
        ? 'docker is not installed'
        : `docker is installed but \`docker info\` fails (${lastLine(info.stderr || info.stdout)})`,
    );
  }
  if (wanted === undefined || wanted === 'podman') {
    const version = await run('podman', ['--version']);
    if (version.code === 127) {
      reasons.push('podman is not installed (apt-get install -y debootstrap buildah podman runc)');
    } else {
      const info = await run('podman', ['--storage-driver', 'vfs', 'info'], { timeoutMs: 60_000 });
      if (info.code !== 0) {
        reasons.push(`podman is installed but \`podman --storage-driver vfs info\` fails (${lastLine(info.stderr)})`);
      } else {
        const buildah = await run('buildah', ['--version']);
        return podmanEngine(buildah.code === 0 ? 'buildah' : 'podman');
      }
    }
  }
  if (wanted !== undefined && wanted !== 'docker' && wanted !== 'podman')
    reasons.push(`CONTAINER_ENGINE=${wanted} is not one of docker, podman`);
  return { reason: reasons.join('; ') };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

export async function waitForHealthz(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return response;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not healthy after ${timeoutMs} ms (last: ${last})`);
}

export function pickEnv(keys: string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const key of keys) {
    const value = process.env[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}

// ---------------------------------------------------------------------------------------------
// The image

/** Image label holding a hash of everything the Dockerfile copies in: tells a reusable image. */
const INPUTS_LABEL = 'dev.dockerhub-mcp.test.inputs';

/** SHA-256 over the build inputs (the Dockerfile and what it COPYs), path and content. */
export function buildInputsHash(): string {
  const hash = createHash('sha256');
  const add = (path: string): void => {
    const full = join(REPO, path);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const entry of readdirSync(full).sort()) add(join(path, entry));
      return;
    }
    hash.update(`${path}\0`).update(readFileSync(full)).update('\0');
  };
  for (const path of [
    'Dockerfile',
    'package.json',
    'package-lock.json',
    'LICENSE',
    'tsconfig.json',
    'tsconfig.build.json',
    'src',
    'scripts/bundle.mjs',
  ])
    add(path);
  return hash.digest('hex').slice(0, 32);
}

export interface BuiltImage {
  tag: string;
  /** Seconds the build took; 0 when an existing image was reused. */
  seconds: number;
}

/** Builds the Dockerfile as `tag`, labelled with the inputs hash; drops the image the tag named before. */
export async function buildImage(engine: Engine, tag: string, version: string): Promise<BuiltImage> {
  const engineRun = (...args: string[]): Promise<Outcome> => {
    const [command, argv] = engine.cli(...args);
    return run(command, argv, { env: engine.env(), timeoutMs: 120_000 });
  };
  await engine.prepare();
  const revision = await run('git', ['rev-parse', 'HEAD']);
  const previous = await engineRun('image', 'inspect', '--format', '{{.Id}}', tag);
  const started = performance.now();
  const built = await engine.build(
    tag,
    { VERSION: version, REVISION: revision.code === 0 ? revision.stdout.trim() : 'unknown' },
    { [INPUTS_LABEL]: buildInputsHash() },
  );
  const seconds = (performance.now() - started) / 1000;
  const log = join(tmpdir(), `dockerhub-mcp-container-build-${process.pid}.log`);
  writeFileSync(log, `${built.stdout}\n${built.stderr}`);
  if (built.code !== 0)
    throw new Error(`image build failed (exit ${built.code}); full log in ${log}:\n${quiet(built.stderr || built.stdout).slice(-4000)}`);
  const now = await engineRun('image', 'inspect', '--format', '{{.Id}} {{.Size}}', tag);
  const [id, size] = now.stdout.trim().split(' ');
  // Drop the image this tag named before (vfs storage keeps full copies), unless still in use.
  const previousId = previous.code === 0 ? previous.stdout.trim() : '';
  if (previousId && previousId !== id) await engineRun('rmi', previousId);
  console.log(`[container] built ${tag} in ${seconds.toFixed(1)} s; image size ${(Number(size) / 1e6).toFixed(1)} MB; build log ${log}`);
  return { tag, seconds };
}

/**
 * The image `tag` if it was built from the current inputs (another suite of this run built it),
 * else a fresh build: the kube suite tests the image, not the build, and a second build costs
 * minutes on these machines.
 */
export async function ensureImage(engine: Engine, tag: string, version: string): Promise<BuiltImage> {
  const [command, argv] = engine.cli('image', 'inspect', '--format', `{{index .Config.Labels "${INPUTS_LABEL}"}}`, tag);
  const existing = await run(command, argv, { env: engine.env(), timeoutMs: 60_000 });
  if (existing.code === 0 && existing.stdout.trim() === buildInputsHash()) {
    await engine.prepare();
    console.log(`[container] reusing ${tag}: built from the current sources`);
    return { tag, seconds: 0 };
  }
  return buildImage(engine, tag, version);
}
