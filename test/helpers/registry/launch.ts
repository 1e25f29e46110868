// Starts Debian's `docker-registry` (CNCF distribution 2.8) on a free loopback port for integration
// tests: filesystem storage in a temp dir, deletes enabled, and one of three auth set-ups (none,
// token auth through the token service in these helpers, htpasswd Basic auth).
//
// The registry runs under a tiny sh watchdog that holds our stdin pipe: when the test process goes
// away for any reason (normal exit, SIGTERM from the vitest pool, a crash, SIGKILL) the pipe closes
// and the watchdog kills the registry, so no registry outlives the test run.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { htpasswdFile } from './bcrypt.js';
import { startTokenService, type TokenServiceHandle, type TokenServiceOptions, type TokenUser } from './token-service.js';
import { freePort } from '../free-port.js';

export type RegistryAuth = 'none' | 'token' | 'htpasswd';

export interface StartRegistryOptions {
  auth?: RegistryAuth;
  /** Users (name → password). htpasswd: written to the htpasswd file; token: token-service users with full access. */
  users?: Record<string, string>;
  /** `storage.delete.enabled`. Default true. */
  deleteEnabled?: boolean;
  /** Extra token-service settings for auth 'token' (anonymousPull, per-user access, expiresIn, ...). */
  token?: TokenServiceOptions;
  /** `compatibility.schema1.enabled`: accept pushes of Docker schema1 manifests (off by default in 2.8). */
  schema1?: boolean;
  /** The folder its data folder is made in (default os.tmpdir()); benchmarks use a tmpfs. */
  storageRoot?: string;
}

export interface RegistryHandle {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT */
  host: string;
  auth: RegistryAuth;
  /** Present for auth 'token'; stopped together with the registry. */
  tokenService?: TokenServiceHandle;
  /** Users and passwords accepted (htpasswd or token service). */
  users: Record<string, string>;
  /** Temp dir holding config.yml, data/, registry.log (and htpasswd). Removed by stop(). */
  dataDir: string;
  /** The registry's own stderr/stdout so far (its log level is 'error'). */
  log(): string;
  stop(): Promise<void>;
}

/** Default users when `users` is not given. */
export const DEFAULT_USERS: Readonly<Record<string, string>> = { tester: 'test-password' };

let binary: string | null | undefined;

/** Path of the docker-registry binary ($DOCKER_REGISTRY_BIN, then PATH, then /usr/bin), or null. */
export function registryBinary(): string | null {
  if (binary !== undefined) return binary;
  const candidates = [
    process.env.DOCKER_REGISTRY_BIN,
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => (dir ? join(dir, 'docker-registry') : undefined)),
    '/usr/bin/docker-registry',
  ];
  binary = null;
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      binary = candidate;
      break;
    } catch {
      // try the next one
    }
  }
  return binary;
}

/** True when docker-registry is installed; use with `describe.skipIf(!registryAvailable())`. */
export function registryAvailable(): boolean {
  return registryBinary() !== null;
}

export const REGISTRY_MISSING =
  'docker-registry is not installed: apt-get install docker-registry (Debian package of the CNCF distribution registry)';

function configYaml(o: { port: number; dataDir: string; deleteEnabled: boolean; auth: string; id: string; schema1: boolean }): string {
  const compatibility = o.schema1 ? 'compatibility:\n  schema1:\n    enabled: true\n' : '';
  return `version: 0.1
log:
  level: error
  formatter: text
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${JSON.stringify(join(o.dataDir, 'data'))}
  delete:
    enabled: ${o.deleteEnabled}
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:${o.port}
  headers:
    X-Content-Type-Options: [nosniff]
    X-Test-Registry-Id: [${o.id}]
${compatibility}${o.auth}`;
}

// $1 = registry binary, $2 = config, $3 = log file, $4 = data dir. Prints the registry's pid, then
// waits for it, its own output going to the log from then on (a dead parent must not SIGPIPE it). A
// background reader kills the registry when our stdin (the parent's pipe) reaches EOF, and the
// data dir is then removed here too, so even a killed test process leaves no large blobs behind.
const WATCHDOG = `
exec 3<&0
"$1" serve "$2" </dev/null >>"$3" 2>&1 &
pid=$!
echo "$pid"
trap '' PIPE
exec >>"$3" 2>&1
( read -r _ <&3; : >"$4/.stopping"; kill -TERM "$pid" 2>/dev/null ) &
guard=$!
exec 3<&-
wait "$pid"
status=$?
kill "$guard" 2>/dev/null
[ -e "$4/.stopping" ] && rm -rf "$4"
exit "$status"
`;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.stdin?.destroy();
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Waits for GET /v2/ to answer 200 or 401 with our id header (so a stranger that grabbed the port does not count). */
async function waitReady(url: string, id: string, child: ChildProcess, timeoutMs: number): Promise<'ready' | 'exited'> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return 'exited';
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if ((res.status === 200 || res.status === 401) && res.headers.get('x-test-registry-id') === id) return 'ready';
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`docker-registry did not answer GET ${url}/v2/ within ${timeoutMs} ms`);
}

export async function startRegistry(opts: StartRegistryOptions = {}): Promise<RegistryHandle> {
  const bin = registryBinary();
  if (!bin) throw new Error(REGISTRY_MISSING);
  const auth = opts.auth ?? 'none';
  const users = { ...(opts.users ?? (auth === 'none' ? {} : DEFAULT_USERS)) };
  const dataDir = mkdtempSync(join(opts.storageRoot ?? tmpdir(), 'registry-'));
  const logPath = join(dataDir, 'registry.log');
  const readLog = (): string => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');

  let tokenService: TokenServiceHandle | undefined;
  let authYaml = '';
  if (auth === 'token') {
    const tokenUsers: Record<string, TokenUser> = {};
    for (const [name, password] of Object.entries(users)) tokenUsers[name] = { password, access: 'all' };
    Object.assign(tokenUsers, opts.token?.users);
    for (const [name, user] of Object.entries(tokenUsers)) users[name] = user.password;
    tokenService = await startTokenService({ ...opts.token, users: tokenUsers });
    authYaml = `auth:
  token:
    realm: ${JSON.stringify(tokenService.realm)}
    service: ${JSON.stringify(tokenService.service)}
    issuer: ${JSON.stringify(tokenService.issuer)}
    rootcertbundle: ${JSON.stringify(tokenService.certPath)}
`;
  } else if (auth === 'htpasswd') {
    const htpasswdPath = join(dataDir, 'htpasswd');
    writeFileSync(htpasswdPath, htpasswdFile(users));
    authYaml = `auth:
  htpasswd:
    realm: test-registry
    path: ${JSON.stringify(htpasswdPath)}
`;
  }

  installExitHook();
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR']) if (process.env[key] !== undefined) env[key] = process.env[key];

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const configPath = join(dataDir, 'config.yml');
    const id = randomUUID();
    writeFileSync(
      configPath,
      configYaml({ port, dataDir, deleteEnabled: opts.deleteEnabled ?? true, auth: authYaml, id, schema1: opts.schema1 === true }),
    );
    writeFileSync(logPath, '');
    const child = spawn('/bin/sh', ['-c', WATCHDOG, 'registry-watchdog', bin, configPath, logPath, dataDir], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let registryPid = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      registryPid ||= Number.parseInt(chunk, 10) || 0;
    });
    child.stderr.resume();
    const killHard = (): void => {
      if (registryPid) {
        try {
          process.kill(registryPid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      child.kill('SIGKILL');
    };
    live.add(child);
    child.once('exit', () => live.delete(child));
    const url = `http://127.0.0.1:${port}`;
    let state: 'ready' | 'exited';
    try {
      state = await waitReady(url, id, child, 15_000);
    } catch (err) {
      killHard();
      await exited(child);
      await tokenService?.stop();
      const text = readLog();
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`${(err as Error).message}; registry log:\n${text}`);
    }
    if (state === 'exited') {
      const text = readLog();
      if (/address already in use/i.test(text) && attempt < 5) continue;
      await tokenService?.stop();
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`docker-registry exited with ${child.exitCode} at start; log:\n${text}`);
    }

    let stopped: Promise<void> | undefined;
    return {
      url,
      host: `127.0.0.1:${port}`,
      auth,
      ...(tokenService ? { tokenService } : {}),
      users,
      dataDir,
      log: readLog,
      stop: () => {
        stopped ??= (async () => {
          const done = exited(child);
          child.stdin.end();
          const timer = setTimeout(killHard, 5000);
          await done;
          clearTimeout(timer);
          await tokenService?.stop();
          rmSync(dataDir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  }
}
