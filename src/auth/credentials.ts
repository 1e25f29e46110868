// Registry credentials, in order: the environment (DOCKER_HUB_USER / DOCKER_HUB_TOKEN, for Docker
// Hub and for the registry DOCKER_REGISTRY_URL names: the operator paired them, as the reference
// does; never for a registry a tool call names), then the user's docker config (`auths`, `credHelpers`, `credsStore`
// through `docker-credential-<name> get`), then anonymous. Never logged, never in a result.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { registerSecret } from '../redact.js';
import { BoundedMap } from '../util/bounded-map.js';

export interface RegistryCredential {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (docker config `identitytoken`): used with the POST token flow. */
  identityToken?: string;
  /** Where it came from, for `hub_admin whoami` and error hints (never the value). */
  source: string;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

const HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
const HELPER_TIMEOUT_MS = 5_000;

export interface CredentialSourceOptions {
  dockerConfigDir: string;
  hubUser?: string;
  hubToken?: string;
  /** Origins (DOCKER_REGISTRY_URL) that get the env pair besides Docker Hub. */
  envRegistryOrigins?: readonly string[];
  logger: Logger;
  /** Runs `docker-credential-<helper> get`; injectable for tests. */
  runHelper?: (helper: string, serverUrl: string) => Promise<{ Username?: string; Secret?: string } | undefined>;
}

function runCredentialHelper(helper: string, serverUrl: string): Promise<{ Username?: string; Secret?: string } | undefined> {
  return new Promise((resolve) => {
    if (!/^[A-Za-z0-9_.-]+$/.test(helper)) {
      resolve(undefined);
      return;
    }
    const child = execFile(
      `docker-credential-${helper}`,
      ['get'],
      { timeout: HELPER_TIMEOUT_MS, maxBuffer: 64 * 1024 },
      (error, stdout) => {
        if (error) {
          resolve(undefined);
          return;
        }
        try {
          resolve(JSON.parse(stdout) as { Username?: string; Secret?: string });
        } catch {
          resolve(undefined);
        }
      },
    );
    child.stdin?.end(serverUrl);
  });
}

/** Config keys a registry host may be stored under (docker writes several forms). */
function keysFor(host: string, dockerHub: boolean): string[] {
  if (dockerHub) return HUB_KEYS;
  return [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`];
}

export class CredentialSource {
  private config?: Promise<DockerConfigFile | undefined>;
  /** One lookup per registry (bounded: registries come from tool arguments). */
  private readonly cache = new BoundedMap<string, Promise<RegistryCredential | undefined>>(256);

  constructor(private readonly options: CredentialSourceOptions) {}

  /** Credentials for a registry; undefined means anonymous. Looked up once per registry. */
  lookup(host: string, dockerHub: boolean, origin?: string): Promise<RegistryCredential | undefined> {
    const key = dockerHub ? 'hub' : `${origin ?? ''} ${host}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.resolve(host, dockerHub, origin);
      this.cache.set(key, found);
    }
    return found;
  }

  private readConfig(): Promise<DockerConfigFile | undefined> {
    this.config ??= readFile(join(this.options.dockerConfigDir, 'config.json'), 'utf8').then(
      (text) => JSON.parse(text) as DockerConfigFile,
      () => undefined,
    );
    return this.config;
  }

  /** Which registries get the env pair, for `hub_admin whoami`. */
  envTargets(): string[] {
    if (!this.options.hubUser || !this.options.hubToken) return [];
    return ['Docker Hub', ...(this.options.envRegistryOrigins ?? [])];
  }

  private async resolve(host: string, dockerHub: boolean, origin?: string): Promise<RegistryCredential | undefined> {
    const envPair = (source: string): RegistryCredential | undefined => {
      if (!this.options.hubUser || !this.options.hubToken) return undefined;
      registerCredentialForms(this.options.hubUser, this.options.hubToken);
      return { username: this.options.hubUser, password: this.options.hubToken, source };
    };
    if (dockerHub) return envPair('DOCKER_HUB_USER / DOCKER_HUB_TOKEN') ?? this.fromDockerConfig(host, dockerHub);
    const paired = origin !== undefined && (this.options.envRegistryOrigins ?? []).includes(origin);
    // For the DOCKER_REGISTRY_URL registry an entry written for that very host is more specific
    // than the env pair, so it wins; the pair is the fallback the reference's users rely on.
    const specific = await this.fromDockerConfig(host, dockerHub);
    return specific ?? (paired ? envPair('DOCKER_HUB_USER / DOCKER_HUB_TOKEN (paired with DOCKER_REGISTRY_URL)') : undefined);
  }

  private async fromDockerConfig(host: string, dockerHub: boolean): Promise<RegistryCredential | undefined> {
    const config = await this.readConfig().catch(() => undefined);
    if (!config) return undefined;
    const keys = keysFor(host, dockerHub);
    const run = this.options.runHelper ?? runCredentialHelper;

    const helper = keys.map((k) => config.credHelpers?.[k]).find((h) => h !== undefined) ?? config.credsStore;
    if (helper) {
      for (const serverUrl of keys) {
        const answer = await run(helper, serverUrl).catch(() => undefined);
        if (answer?.Secret) {
          registerSecret(answer.Secret);
          if (answer.Username) registerCredentialForms(answer.Username, answer.Secret);
          const source = `docker-credential-${helper}`;
          // Username "<token>" marks an identity (refresh) token.
          if (answer.Username === '<token>') return { identityToken: answer.Secret, source };
          return { username: answer.Username, password: answer.Secret, source };
        }
      }
      this.options.logger.debug('credential helper had no entry', { helper, host });
    }

    for (const key of keys) {
      const entry = config.auths?.[key];
      if (!entry) continue;
      const source = `${join(this.options.dockerConfigDir, 'config.json')} (${key})`;
      if (entry.identitytoken) {
        registerSecret(entry.identitytoken);
        return { identityToken: entry.identitytoken, username: entry.username, source };
      }
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon > 0) {
          registerSecret(entry.auth);
          registerCredentialForms(decoded.slice(0, colon), decoded.slice(colon + 1));
          return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
        }
      }
      if (entry.username && entry.password) {
        registerCredentialForms(entry.username, entry.password);
        return { username: entry.username, password: entry.password, source };
      }
    }
    return undefined;
  }
}

/**
 * Registers a password and every form it travels in (`user:password`, its base64 and base64url
 * as in a Basic header) with the redactor: a token service that echoes the header must not put
 * the pair into a result or a log line.
 */
export function registerCredentialForms(username: string, password: string): void {
  registerSecret(password);
  const pair = `${username}:${password}`;
  registerSecret(pair);
  registerSecret(Buffer.from(pair).toString('base64'));
  registerSecret(Buffer.from(pair).toString('base64url'));
}

export function basicHeader(credential: RegistryCredential): string | undefined {
  if (credential.username === undefined || credential.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
}
