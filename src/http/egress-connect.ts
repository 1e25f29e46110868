// The egress policy at connect time: undici's connector with a DNS lookup that refuses forbidden
// addresses before a socket is opened, and a check of literal IP hosts (which skip the lookup).
// Checking the resolved address, not the name, is what defeats DNS rebinding.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { buildConnector } from 'undici';
import { EgressRefusal, type EgressPolicy } from './egress.js';
import { BoundedMap } from '../util/bounded-map.js';

export type LookupAll = (hostname: string, options: LookupAllOptions) => Promise<LookupAddress[]>;

const systemLookupAll: LookupAll = (hostname, options) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, options, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for net.connect that resolves every address and refuses the name if any is forbidden. */
export function guardedLookup(policy: EgressPolicy, port: string, resolveAll: LookupAll = systemLookupAll) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolveAll(hostname, { ...options, all: true }).then(
      (addresses) => {
        for (const entry of addresses) {
          const verdict = policy.addressVerdict(hostname, port, entry.address);
          if (verdict) {
            callback(new EgressRefusal(verdict), '', 0);
            return;
          }
        }
        if (options.all === true) callback(null, addresses);
        else if (addresses[0]) callback(null, addresses[0].address, addresses[0].family);
        else callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

type Connector = ReturnType<typeof buildConnector>;
type ConnectOptions = Parameters<Connector>[0];

/**
 * Wraps undici's connector. `build` receives the lookup to install. One inner connector per port
 * (a lookup does not see the port, and allow-list entries may name one); ports are few.
 */
export function guardedConnector(
  policy: EgressPolicy,
  build: (lookup: ReturnType<typeof guardedLookup>) => Connector,
  resolveAll?: LookupAll,
): Connector {
  // Ports come from tool arguments: keep the connectors of the 64 most recent.
  const byPort = new BoundedMap<string, Connector>(64);
  return (options: ConnectOptions, callback) => {
    const port = options.port || (options.protocol === 'https:' ? '443' : '80');
    const host = options.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) {
      const verdict = policy.addressVerdict(host, port, host);
      if (verdict) {
        callback(new EgressRefusal(verdict), null);
        return;
      }
    }
    let inner = byPort.get(port);
    if (!inner) {
      inner = build(guardedLookup(policy, port, resolveAll));
      byPort.set(port, inner);
    }
    inner(options, callback);
  };
}
