// The egress policy: the one place that decides whether the server may open a connection. Tool
// arguments name registries and upstream answers name redirect targets, token realms, upload
// `Location`s and `Link`s, so every one of them is attacker-chosen. The policy is applied twice:
// on the URL before a request is sent (a clear error, zero connection attempts), and on the
// resolved address at connect time (so a name that resolves to a forbidden address, or re-resolves
// to one later — DNS rebinding — is refused too).
import { BlockList, isIP } from 'node:net';
import { matchesHostPattern, parseHostPattern, type HostPattern } from '../util/host-pattern.js';
import { ToolError } from './errors.js';
import { findCause } from './network-errors.js';

/** Why a connection is refused, or undefined when it may go ahead. */
export type EgressVerdict = string | undefined;

export interface EgressOptions {
  /** stdio serves one local user; HTTP serves remote callers, who must not reach private networks. */
  transport: 'stdio' | 'streamable-http';
  /** DOCKER_REGISTRY_ALLOWED_HOSTS: `host[:port]` or `*.example.com[:port]`; empty = any public registry. */
  allowedRegistryHosts: readonly string[];
  /** URLs the operator configured (default registry, token realm, Hub, Scout): always reachable. */
  configuredUrls: readonly string[];
}

/** Addresses no setting opens: link-local (cloud metadata lives there), metadata services, unspecified, multicast. */
const NEVER = new BlockList();
NEVER.addSubnet('169.254.0.0', 16, 'ipv4');
NEVER.addSubnet('0.0.0.0', 8, 'ipv4');
NEVER.addSubnet('224.0.0.0', 4, 'ipv4');
NEVER.addSubnet('240.0.0.0', 4, 'ipv4');
NEVER.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
NEVER.addAddress('168.63.129.16', 'ipv4'); // Azure wire server
NEVER.addSubnet('fe80::', 10, 'ipv6');
NEVER.addSubnet('ff00::', 8, 'ipv6');
NEVER.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6
NEVER.addAddress('::', 'ipv6');

/** Loopback and private ranges: a developer's `localhost:5000` over stdio; over HTTP only when allowed. */
const PRIVATE = new BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');

const METADATA_NAMES = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
]);

const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** An IPv4 address carried in an IPv6 one (`::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`), else the input. */
export function unwrapAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  const version = isIP(bare);
  if (version === 4) return { address: bare, family: 'ipv4' };
  if (version !== 6) return undefined;
  const embedded = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(bare)?.[1];
  if (embedded) return { address: embedded, family: 'ipv4' };
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(bare);
  if (hex) {
    const high = parseInt(hex[1]!, 16);
    const low = parseInt(hex[2]!, 16);
    return { address: `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, family: 'ipv4' };
  }
  return { address: bare, family: 'ipv6' };
}

export type AddressClass = 'never' | 'private' | 'public';

export function classifyAddress(address: string): AddressClass {
  const ip = unwrapAddress(address);
  if (!ip) return 'public';
  if (NEVER.check(ip.address, ip.family)) return 'never';
  if (PRIVATE.check(ip.address, ip.family)) return 'private';
  return 'public';
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80';
}

/** `host:port` with the host lower-cased and IPv6 in brackets. */
function hostPort(hostname: string, port: string): string {
  const bare = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return `${isIP(bare) === 6 ? `[${bare}]` : bare}:${port}`;
}

function isLocalName(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost');
}

export class EgressPolicy {
  private readonly patterns: HostPattern[];
  /** host:port of every configured URL: reachable whatever the transport. */
  private readonly configured = new Set<string>();

  constructor(private readonly options: EgressOptions) {
    this.patterns = options.allowedRegistryHosts.map((text) => {
      const pattern = parseHostPattern(text);
      if (!pattern) throw new Error(`DOCKER_REGISTRY_ALLOWED_HOSTS: '${text}' is not host[:port] or *.domain[:port]`);
      return pattern;
    });
    for (const text of options.configuredUrls) {
      try {
        const url = new URL(text);
        this.configured.add(hostPort(url.hostname, url.port || defaultPort(url.protocol)));
      } catch {
        // Config validation has refused unreadable URLs already.
      }
    }
  }

  /** What `hub_admin config` shows. */
  describe(): Record<string, unknown> {
    return {
      registry_allow_list: this.options.allowedRegistryHosts.length > 0 ? [...this.options.allowedRegistryHosts] : 'any public registry',
      private_networks:
        this.options.transport === 'stdio'
          ? 'allowed (stdio serves a local user)'
          : 'only configured URLs and DOCKER_REGISTRY_ALLOWED_HOSTS (HTTP serves remote callers)',
      never: 'link-local 169.254.0.0/16 and fe80::/10, cloud metadata names and addresses, 0.0.0.0, multicast',
      redirects: 'at most 5, each re-checked; never https to http; a request body is never re-sent after a redirect',
    };
  }

  private isConfigured(hostname: string, port: string): boolean {
    return this.configured.has(hostPort(hostname, port));
  }

  private isAllowListed(hostname: string, port: string): boolean {
    return this.patterns.some((pattern) => matchesHostPattern(pattern, hostname, port));
  }

  /** Private ranges: over stdio always; over HTTP for configured and allow-listed hosts. */
  private privateAllowed(hostname: string, port: string): boolean {
    return this.options.transport === 'stdio' || this.isConfigured(hostname, port) || this.isAllowListed(hostname, port);
  }

  /**
   * A registry a tool call names (`registry`, or the host part of an image reference): the
   * allow-list applies here, before any connection. Docker Hub and the configured default
   * registry are always allowed.
   */
  registryVerdict(hostname: string, port: string, dockerHub: boolean): EgressVerdict {
    if (dockerHub || DOCKER_HUB_HOSTS.has(hostname.toLowerCase()) || this.isConfigured(hostname, port)) return undefined;
    if (this.patterns.length > 0 && !this.isAllowListed(hostname, port)) {
      return `registry ${hostPort(hostname, port)} is not in DOCKER_REGISTRY_ALLOWED_HOSTS`;
    }
    return undefined;
  }

  /** A URL about to be requested: scheme, never-names, literal addresses. Names are checked again at connect time. */
  urlVerdict(url: URL): EgressVerdict {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return `scheme ${url.protocol} is not allowed`;
    if (url.username !== '' || url.password !== '') return 'URLs carrying credentials are not followed';
    const port = url.port || defaultPort(url.protocol);
    const host = url.hostname
      .replace(/^\[|\]$/g, '')
      .toLowerCase()
      .replace(/\.$/, '');
    if (METADATA_NAMES.has(host)) return `${host} is a cloud metadata service`;
    if (isIP(host) !== 0) return this.addressVerdict(url.hostname, port, host);
    if (isLocalName(host) && !this.privateAllowed(host, port)) {
      return `${hostPort(host, port)} is a loopback name; over HTTP only configured hosts and DOCKER_REGISTRY_ALLOWED_HOSTS are reachable on private networks`;
    }
    return undefined;
  }

  /** The address a connection would go to (at connect time, after DNS). */
  addressVerdict(hostname: string, port: string, address: string): EgressVerdict {
    const kind = classifyAddress(address);
    if (kind === 'never') return `${address} is link-local, a cloud metadata address, unspecified or multicast`;
    if (kind === 'private' && !this.privateAllowed(hostname, port)) {
      return `${hostPort(hostname, port)} resolves to the private address ${address}; over HTTP only configured hosts and DOCKER_REGISTRY_ALLOWED_HOSTS are reachable on private networks`;
    }
    return undefined;
  }

  /** Throws `egress_denied` when `url` may not be requested. */
  checkUrl(url: URL, what: string): void {
    const verdict = this.urlVerdict(url);
    if (verdict) throw egressError(`${what}: ${verdict}`);
  }
}

export function egressError(message: string): ToolError {
  return new ToolError(
    'egress_denied',
    `refused by the egress policy: ${message}`,
    undefined,
    'The operator decides which hosts the server may reach: DOCKER_REGISTRY_ALLOWED_HOSTS, DOCKER_REGISTRY_URL; `hub_admin config` shows the policy.',
  );
}

/** The error a connect-time refusal travels as, through undici and fetch, to the request base. */
export class EgressRefusal extends Error {
  override name = 'EgressRefusal';
  readonly code = 'EGRESS_DENIED';
}

/** The refusal in an error's cause chain (fetch wraps connect errors in `TypeError: fetch failed`). */
export function egressRefusalIn(error: unknown): EgressRefusal | undefined {
  return findCause(
    error,
    (candidate): candidate is EgressRefusal =>
      candidate instanceof EgressRefusal || (candidate as Error & { code?: string }).code === 'EGRESS_DENIED',
  );
}

/** A policy that allows everything but the never-list: for tests and tools built without config. */
export function permissiveEgress(): EgressPolicy {
  return new EgressPolicy({ transport: 'stdio', allowedRegistryHosts: [], configuredUrls: [] });
}
