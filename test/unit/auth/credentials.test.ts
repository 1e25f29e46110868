// Registry credentials: the environment for Docker Hub, then the docker config (`auths` in its
// three shapes, `credHelpers`, `credsStore`), then anonymous; every secret found is registered
// with the redactor so no result or log line can carry it.
import { randomUUID } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { basicHeader, CredentialSource, type CredentialSourceOptions } from '../../../src/auth/credentials.js';
import { redactString } from '../../../src/redact.js';
import { silentLogger } from '../../../src/log.js';
import { registryApp, tempDir } from '../../helpers/unit-registry/fake-registry.js';

/** A secret no value pattern recognises: only registration can hide it. */
const secret = (label: string): string => `${label}-${randomUUID()}`;
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function configDir(config: unknown): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
}

function source(options: Partial<CredentialSourceOptions> & { dockerConfigDir: string }): CredentialSource {
  return new CredentialSource({ logger: silentLogger, runHelper: async () => undefined, ...options });
}

function expectHidden(value: string): void {
  const line = `before ${value} after`;
  expect(redactString(line)).not.toContain(value);
}

describe('the environment (Docker Hub only)', () => {
  it('DOCKER_HUB_USER / DOCKER_HUB_TOKEN are the Hub credential', async () => {
    const token = secret('hubtok');
    const creds = source({ dockerConfigDir: tempDir(), hubUser: 'alice', hubToken: token });
    expect(await creds.lookup('registry-1.docker.io', true)).toEqual({
      username: 'alice',
      password: token,
      source: 'DOCKER_HUB_USER / DOCKER_HUB_TOKEN',
    });
  });

  it('are not sent to another registry', async () => {
    const creds = source({ dockerConfigDir: tempDir(), hubUser: 'alice', hubToken: secret('hubtok') });
    expect(await creds.lookup('reg.example.test', false)).toBeUndefined();
  });

  it('win over a docker config entry for Hub', async () => {
    const token = secret('hubtok');
    const dir = configDir({ auths: { 'https://index.docker.io/v1/': { auth: b64(`bob:${secret('pw')}`) } } });
    expect(await source({ dockerConfigDir: dir, hubUser: 'alice', hubToken: token }).lookup('registry-1.docker.io', true)).toMatchObject({
      username: 'alice',
      password: token,
    });
  });

  it('the configured token is registered with the redactor when the app starts', () => {
    const token = secret('envtok');
    registryApp({ DOCKER_HUB_USER: 'alice', DOCKER_HUB_TOKEN: token });
    expectHidden(token);
  });
});

describe('docker config.json auths', () => {
  it('`auth` (base64 user:password) under https://index.docker.io/v1/ is the Hub credential', async () => {
    const password = secret('pw');
    const dir = configDir({ auths: { 'https://index.docker.io/v1/': { auth: b64(`bob:${password}`) } } });
    const found = await source({ dockerConfigDir: dir }).lookup('registry-1.docker.io', true);
    expect(found).toEqual({ username: 'bob', password, source: `${join(dir, 'config.json')} (https://index.docker.io/v1/)` });
    expect(found?.source).not.toContain(password);
    expectHidden(password);
    expectHidden(b64(`bob:${password}`));
  });

  it('a password holding a colon is kept whole', async () => {
    const password = `${secret('pw')}:with:colons`;
    const dir = configDir({ auths: { 'https://index.docker.io/v1/': { auth: b64(`bob:${password}`) } } });
    expect((await source({ dockerConfigDir: dir }).lookup('registry-1.docker.io', true))?.password).toBe(password);
  });

  it('`username` / `password` under host:port for another registry', async () => {
    const password = secret('pw');
    const dir = configDir({ auths: { 'localhost:5000': { username: 'carol', password } } });
    const creds = source({ dockerConfigDir: dir });
    expect(await creds.lookup('localhost:5000', false)).toMatchObject({ username: 'carol', password });
    expectHidden(password);
  });

  it('`identitytoken` becomes an identity token (with the username kept)', async () => {
    const identity = secret('idtok');
    const dir = configDir({ auths: { 'reg.example.test': { username: 'dave', identitytoken: identity, auth: b64('dave:') } } });
    const found = await source({ dockerConfigDir: dir }).lookup('reg.example.test', false);
    expect(found).toMatchObject({ identityToken: identity, username: 'dave' });
    expect(found?.password).toBeUndefined();
    expectHidden(identity);
  });

  it('https:// forms of the host key work for other registries', async () => {
    const password = secret('pw');
    const dir = configDir({ auths: { 'https://reg.example.test': { auth: b64(`erin:${password}`) } } });
    expect(await source({ dockerConfigDir: dir }).lookup('reg.example.test', false)).toMatchObject({ username: 'erin', password });
  });

  it('the Hub key is not used for other registries, nor a host key for Hub', async () => {
    const dir = configDir({
      auths: {
        'https://index.docker.io/v1/': { auth: b64(`hub:${secret('pw')}`) },
        'localhost:5000': { auth: b64(`local:${secret('pw')}`) },
      },
    });
    const creds = source({ dockerConfigDir: dir });
    expect((await creds.lookup('localhost:5000', false))?.username).toBe('local');
    expect((await creds.lookup('registry-1.docker.io', true))?.username).toBe('hub');
    expect(await creds.lookup('localhost:5001', false)).toBeUndefined();
    expect(await creds.lookup('reg.example.test', false)).toBeUndefined();
  });

  it('no config file, or a broken one, means anonymous (no throw)', async () => {
    expect(await source({ dockerConfigDir: tempDir() }).lookup('registry-1.docker.io', true)).toBeUndefined();
    expect(await source({ dockerConfigDir: configDir('{not json') }).lookup('registry-1.docker.io', true)).toBeUndefined();
  });

  it('an `auth` without a colon is skipped', async () => {
    const dir = configDir({ auths: { 'reg.example.test': { auth: b64('nocolon') } } });
    expect(await source({ dockerConfigDir: dir }).lookup('reg.example.test', false)).toBeUndefined();
  });
});

describe('credential helpers', () => {
  it('credHelpers names the helper for one host; it is asked for that host', async () => {
    const password = secret('helperpw');
    const runHelper = vi.fn(async () => ({ Username: 'frank', Secret: password }));
    const dir = configDir({ credHelpers: { 'reg.example.test': 'acme' } });
    const found = await source({ dockerConfigDir: dir, runHelper }).lookup('reg.example.test', false);
    expect(found).toEqual({ username: 'frank', password, source: 'docker-credential-acme' });
    expect(runHelper).toHaveBeenCalledWith('acme', 'reg.example.test');
    expectHidden(password);
  });

  it('credsStore serves Docker Hub under https://index.docker.io/v1/', async () => {
    const password = secret('storepw');
    const runHelper = vi.fn(async (_helper: string, serverUrl: string) =>
      serverUrl === 'https://index.docker.io/v1/' ? { Username: 'gina', Secret: password } : undefined,
    );
    const dir = configDir({ credsStore: 'desktop', auths: { 'https://index.docker.io/v1/': {} } });
    expect(await source({ dockerConfigDir: dir, runHelper }).lookup('registry-1.docker.io', true)).toEqual({
      username: 'gina',
      password,
      source: 'docker-credential-desktop',
    });
    expect(runHelper.mock.calls[0]).toEqual(['desktop', 'https://index.docker.io/v1/']);
  });

  it('a host-specific credHelper wins over credsStore', async () => {
    const runHelper = vi.fn(async (helper: string) => ({ Username: helper, Secret: secret('pw') }));
    const dir = configDir({ credsStore: 'desktop', credHelpers: { 'reg.example.test': 'ecr-login' } });
    expect((await source({ dockerConfigDir: dir, runHelper }).lookup('reg.example.test', false))?.username).toBe('ecr-login');
  });

  it('Username "<token>" from a helper marks an identity token', async () => {
    const identity = secret('helperid');
    const dir = configDir({ credsStore: 'desktop' });
    const found = await source({ dockerConfigDir: dir, runHelper: async () => ({ Username: '<token>', Secret: identity }) }).lookup(
      'reg.example.test',
      false,
    );
    expect(found).toEqual({ identityToken: identity, source: 'docker-credential-desktop' });
    expectHidden(identity);
  });

  it('a helper with no entry (or failing) falls back to auths', async () => {
    const password = secret('pw');
    const dir = configDir({ credsStore: 'desktop', auths: { 'reg.example.test': { username: 'hank', password } } });
    const runHelper = vi.fn(async () => {
      throw new Error('helper crashed');
    });
    expect(await source({ dockerConfigDir: dir, runHelper }).lookup('reg.example.test', false)).toMatchObject({
      username: 'hank',
      password,
    });
    expect(runHelper).toHaveBeenCalled();
  });

  it('a host is looked up once; later lookups reuse the answer', async () => {
    const runHelper = vi.fn(async () => ({ Username: 'ivy', Secret: secret('pw') }));
    const creds = source({ dockerConfigDir: configDir({ credsStore: 'desktop' }), runHelper });
    const [a, b] = await Promise.all([creds.lookup('reg.example.test', false), creds.lookup('reg.example.test', false)]);
    await creds.lookup('reg.example.test', false);
    expect(a).toEqual(b);
    expect(runHelper).toHaveBeenCalledTimes(1);
  });
});

describe('the real helper protocol (docker-credential-<name> get)', () => {
  const oldPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = oldPath;
  });

  it('writes the server URL to stdin and reads {Username, Secret} from stdout', async () => {
    const bin = tempDir();
    const script = join(bin, 'docker-credential-unittest');
    writeFileSync(
      script,
      '#!/bin/sh\n[ "$1" = get ] || exit 3\nread -r url\nprintf \'{"ServerURL":"%s","Username":"u-%s","Secret":"s3cret-for-%s"}\' "$url" "$url" "$url"\n',
    );
    chmodSync(script, 0o755);
    process.env.PATH = `${bin}:${oldPath ?? ''}`;
    const found = await new CredentialSource({
      dockerConfigDir: configDir({ credHelpers: { 'reg.example.test': 'unittest' } }),
      logger: silentLogger,
    }).lookup('reg.example.test', false);
    expect(found).toEqual({
      username: 'u-reg.example.test',
      password: 's3cret-for-reg.example.test',
      source: 'docker-credential-unittest',
    });
  });

  it('a helper name outside [A-Za-z0-9_.-] is never run, even when such a program exists', async () => {
    const bin = tempDir();
    const script = join(bin, 'docker-credential-evil name');
    writeFileSync(script, '#!/bin/sh\nprintf \'{"Username":"x","Secret":"should-not-be-read"}\'\n');
    chmodSync(script, 0o755);
    process.env.PATH = `${bin}:${oldPath ?? ''}`;
    const found = await new CredentialSource({ dockerConfigDir: configDir({ credsStore: 'evil name' }), logger: silentLogger }).lookup(
      'reg.example.test',
      false,
    );
    expect(found).toBeUndefined();
  });
});

describe('basicHeader', () => {
  it('is Basic base64(user:password), and undefined for an identity token', () => {
    expect(basicHeader({ username: 'u', password: 'p:w', source: 's' })).toBe(`Basic ${b64('u:p:w')}`);
    expect(basicHeader({ identityToken: 'x', source: 's' })).toBeUndefined();
  });
});
