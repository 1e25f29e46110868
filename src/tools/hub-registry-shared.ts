// What every hub_registry action shares: the parameter schemas (one name, one type, one meaning
// for read and write actions alike) and the one way a result is built — the envelope with the
// rate-limit snapshot of the registry the action talked to, and the shown headers of the
// response that finished it.
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { envelope, type Envelope } from '../http/envelope.js';
import type { HttpResult } from '../http/client.js';
import type { Registry } from '../registry/reference.js';
import { upstreamName } from '../registry/transport.js';

export const repo = z.string().min(1).max(512).describe('[host/]name[:tag|@digest]');
export const reference = z.string().max(200).optional().describe('Tag or digest (default latest)');
export const digest = z.string().min(1).max(200).describe('sha256:<hex>');
export const platform = z.string().max(60).optional().describe('os/arch[/variant]');

/** The result of a registry action: `data`, the registry's rate-limit snapshot, the status and shown headers. */
export function registryReply<T>(
  app: AppContext,
  registry: Registry,
  data: T,
  options: { status?: number; result?: HttpResult<unknown> } = {},
): Envelope<T> {
  const out = envelope(data, app.rateLimits.get(upstreamName(registry)) ?? null, options.status ?? options.result?.status_code ?? 200);
  if (options.result?.headers) out.headers = options.result.headers;
  return out;
}
