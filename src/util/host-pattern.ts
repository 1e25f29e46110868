// `host[:port]` and `*.example.com[:port]` patterns, as operators write them in allow-lists.

export interface HostPattern {
  /** Exact host, or the suffix after `*.`. */
  host: string;
  wildcard: boolean;
  port?: string;
}

/** The pattern, or undefined when `text` is not one. */
export function parseHostPattern(text: string): HostPattern | undefined {
  const trimmed = text.trim().toLowerCase();
  const match = /^(\*\.)?(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/.exec(trimmed);
  if (!match) return undefined;
  const host = match[2]!.replace(/^\[|\]$/g, '');
  const pattern: HostPattern = { host, wildcard: match[1] !== undefined };
  if (match[3] !== undefined) pattern.port = String(Number(match[3]));
  return pattern;
}

export function matchesHostPattern(pattern: HostPattern, hostname: string, port: string): boolean {
  if (pattern.port !== undefined && pattern.port !== port) return false;
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return pattern.wildcard ? host.endsWith(`.${pattern.host}`) : host === pattern.host;
}
