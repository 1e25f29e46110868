// Checks an HTTP request passes before it reaches MCP: Host and Origin allow-lists (DNS
// rebinding), the bearer token (compared in constant time), and a capped body read.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopbackHost, type Config } from '../config.js';

/** Host name without port or IPv6 brackets, lower-cased. */
function hostnameOf(hostHeader: string): string {
  const value = hostHeader.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  return value.replace(/:\d+$/, '');
}

export function hostAllowed(hostHeader: string | undefined, config: Pick<Config, 'allowedHosts' | 'host'>): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.trim().toLowerCase();
  const name = hostnameOf(host);
  if (isLoopbackHost(name)) return true;
  if (name === config.host.toLowerCase() && config.host !== '0.0.0.0' && config.host !== '::') return true;
  return config.allowedHosts.some((allowed) => {
    const entry = allowed.toLowerCase();
    return entry === host || entry === name;
  });
}

export function originAllowed(origin: string | undefined, config: Pick<Config, 'allowedOrigins'>): boolean {
  if (origin === undefined) return true; // not a browser: Host and the token protect it
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if ((url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname)) return true;
  return config.allowedOrigins.some((allowed) => allowed.replace(/\/+$/, '').toLowerCase() === url.origin.toLowerCase());
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** True when the request carries `Authorization: Bearer <expected>`; constant time in the token. */
export function bearerMatches(header: string | undefined, expected: string): boolean {
  const match = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  const given = match?.[1] ?? '';
  // Hashing first makes both sides the same length, so timingSafeEqual never short-circuits.
  return timingSafeEqual(digest(given), digest(expected)) && given.length > 0;
}

export class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
}

/** Reads the request body, refusing more than `limit` bytes (declared or actual). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge(`body of ${declared} bytes exceeds ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge(`body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
