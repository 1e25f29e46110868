// The egress policy as a pure function: which addresses, names, registries and URLs it refuses,
// per transport, with DOCKER_REGISTRY_ALLOWED_HOSTS and the configured URLs; and the start-up
// refusal of URLs carrying credentials.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { classifyAddress, EgressPolicy, unwrapAddress } from '../../../src/http/egress.js';

const stdio = new EgressPolicy({ transport: 'stdio', allowedRegistryHosts: [], configuredUrls: [] });
const http = new EgressPolicy({
  transport: 'streamable-http',
  allowedRegistryHosts: ['registry.internal:5000', '*.corp.example'],
  configuredUrls: ['http://127.0.0.1:5000', 'https://hub.docker.com'],
});

describe('address classes', () => {
  it.each([
    ['169.254.169.254', 'never'],
    ['169.254.0.1', 'never'],
    ['100.100.100.200', 'never'],
    ['0.0.0.0', 'never'],
    ['224.0.0.251', 'never'],
    ['fe80::1', 'never'],
    ['fd00:ec2::254', 'never'],
    ['::', 'never'],
    ['::ffff:169.254.169.254', 'never'],
    ['::ffff:a9fe:a9fe', 'never'],
    ['64:ff9b::169.254.169.254', 'never'],
    ['127.0.0.1', 'private'],
    ['127.9.9.9', 'private'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['::1', 'private'],
    ['fd12::1', 'private'],
    ['::ffff:127.0.0.1', 'private'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['2606:4700::1', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('reads IPv4 carried in IPv6', () => {
    expect(unwrapAddress('[::ffff:7f00:1]')).toEqual({ address: '127.0.0.1', family: 'ipv4' });
  });
});

describe('URLs before a request', () => {
  it('refuses metadata names and addresses on every transport', () => {
    for (const policy of [stdio, http]) {
      expect(policy.urlVerdict(new URL('http://169.254.169.254/latest/meta-data/'))).toMatch(/link-local|metadata/);
      expect(policy.urlVerdict(new URL('http://metadata.google.internal/computeMetadata/v1/'))).toMatch(/metadata/);
      expect(policy.urlVerdict(new URL('http://[fd00:ec2::254]/'))).toMatch(/metadata|link-local/);
      expect(policy.urlVerdict(new URL('http://0.0.0.0:8080/'))).toBeDefined();
    }
  });

  it('refuses other schemes and URLs with credentials', () => {
    expect(stdio.urlVerdict(new URL('file:///etc/passwd'))).toMatch(/scheme/);
    expect(stdio.urlVerdict(new URL('https://u:p@registry.example/'))).toMatch(/credentials/);
  });

  it('allows loopback over stdio, and over HTTP only for configured or allow-listed hosts', () => {
    expect(stdio.urlVerdict(new URL('http://127.0.0.1:5001/v2/'))).toBeUndefined();
    expect(stdio.urlVerdict(new URL('http://localhost:5001/v2/'))).toBeUndefined();
    expect(http.urlVerdict(new URL('http://127.0.0.1:5001/v2/'))).toMatch(/private address/);
    expect(http.urlVerdict(new URL('http://localhost:5001/v2/'))).toMatch(/loopback name/);
    expect(http.urlVerdict(new URL('http://127.0.0.1:5000/v2/'))).toBeUndefined();
    expect(http.addressVerdict('registry.internal', '5000', '10.0.0.7')).toBeUndefined();
    expect(http.addressVerdict('registry.internal', '5001', '10.0.0.7')).toMatch(/private address/);
    expect(http.addressVerdict('a.corp.example', '443', '192.168.3.4')).toBeUndefined();
  });

  it('allows public addresses on every transport', () => {
    expect(http.urlVerdict(new URL('https://ghcr.io/v2/'))).toBeUndefined();
    expect(http.addressVerdict('ghcr.io', '443', '140.82.112.34')).toBeUndefined();
  });
});

describe('registries a call names', () => {
  it('allows any registry when no allow-list is set', () => {
    expect(stdio.registryVerdict('ghcr.io', '443', false)).toBeUndefined();
  });

  it('refuses a registry outside DOCKER_REGISTRY_ALLOWED_HOSTS, naming the setting', () => {
    expect(http.registryVerdict('ghcr.io', '443', false)).toMatch(/DOCKER_REGISTRY_ALLOWED_HOSTS/);
    expect(http.registryVerdict('registry.internal', '5001', false)).toMatch(/DOCKER_REGISTRY_ALLOWED_HOSTS/);
    expect(http.registryVerdict('registry.internal', '5000', false)).toBeUndefined();
    expect(http.registryVerdict('x.corp.example', '443', false)).toBeUndefined();
    expect(http.registryVerdict('corp.example', '443', false)).toMatch(/DOCKER_REGISTRY_ALLOWED_HOSTS/);
  });

  it('always allows Docker Hub and the configured default registry', () => {
    expect(http.registryVerdict('registry-1.docker.io', '443', true)).toBeUndefined();
    expect(http.registryVerdict('docker.io', '443', false)).toBeUndefined();
    expect(http.registryVerdict('127.0.0.1', '5000', false)).toBeUndefined();
  });
});

describe('configuration', () => {
  const load = (env: Record<string, string>) => loadConfig({ argv: [], env: { HOME: '/nonexistent', ...env } });

  it.each(['DOCKERHUB_URL', 'DOCKER_REGISTRY_URL', 'DOCKER_SCOUT_URL', 'DOCKER_REGISTRY_AUTH_URL'])(
    'refuses a password in %s without echoing it',
    (name) => {
      let message = '';
      try {
        load({ [name]: 'https://admin:s3cr3t-Canary-91@registry.example:5000/path' });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        message = (error as Error).message;
      }
      expect(message).toContain(name);
      expect(message).toMatch(/user name or password/);
      expect(message).not.toContain('s3cr3t-Canary-91');
      expect(message).not.toContain('admin');
    },
  );

  it('never echoes an unparsable URL (it may hold a secret)', () => {
    expect(() => load({ DOCKERHUB_URL: 'https://u:s3cr3t@[bad' })).toThrow(/DOCKERHUB_URL: the value is not a URL/);
  });

  it('reads DOCKER_REGISTRY_ALLOWED_HOSTS and refuses malformed entries', () => {
    const outcome = load({ DOCKER_REGISTRY_ALLOWED_HOSTS: 'registry.internal:5000, *.corp.example' });
    expect(outcome.kind === 'config' && outcome.config.registryAllowedHosts).toEqual(['registry.internal:5000', '*.corp.example']);
    expect(() => load({ DOCKER_REGISTRY_ALLOWED_HOSTS: 'https://registry.internal/' })).toThrow(/DOCKER_REGISTRY_ALLOWED_HOSTS/);
  });
});
