// Registry credentials, in order: the environment (Docker Hub only: DOCKER_HUB_USER /
// DOCKER_HUB_TOKEN), then the user's docker config (`auths`, `credHelpers`, `credsStore`
// through `docker-credential-<name> get`), then anonymous. Never logged, never in a result.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { registerSecret } from '../http/redact.js';

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
  private readonly cache = new Map<string, Promise<RegistryCredential | undefined>>();

  constructor(private readonly options: CredentialSourceOptions) {}

  /** Credentials for a registry host; undefined means anonymous. Looked up once per host. */
  lookup(host: string, dockerHub: boolean): Promise<RegistryCredential | undefined> {
    const key = `${dockerHub ? 'hub' : host}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.resolve(host, dockerHub);
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

  private async resolve(host: string, dockerHub: boolean): Promise<RegistryCredential | undefined> {
    if (dockerHub && this.options.hubUser && this.options.hubToken) {
      return { username: this.options.hubUser, password: this.options.hubToken, source: 'DOCKER_HUB_USER / DOCKER_HUB_TOKEN' };
    }
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
          registerSecret(decoded.slice(colon + 1));
          return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
        }
      }
      if (entry.username && entry.password) {
        registerSecret(entry.password);
        return { username: entry.username, password: entry.password, source };
      }
    }
    return undefined;
  }
}

export function basicHeader(credential: RegistryCredential): string | undefined {
  if (credential.username === undefined || credential.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
}
