// HubClient: runs any route of the tables on the shared request base. Validated arguments in, the
// envelope out; path parameters encoded, bodies built from the table, SCIM on its own bearer,
// lists paged (all_pages follows pages up to an item and a page cap, says when it stopped and
// refuses a paging loop; a `next` link is read for its page number only, never followed), destructive
// routes previewed on dry_run (target and changes), and every auth failure given a hint for the
// credential in use.
import type { CredentialKind, HubTokenManager } from '../auth/hub-token.js';
import type { HttpResult, QueryValue, RequestBase } from '../http/client.js';
import { envelope, type Envelope } from '../http/envelope.js';
import { ToolError } from '../http/errors.js';
import type { Logger } from '../log.js';
import { changesFor } from './changes.js';
import { SCIM_TOKEN_HINT, withHint } from './hints.js';
import {
  ALL_PAGES_MAX_ITEMS,
  ALL_PAGES_MAX_PAGES,
  buildBody,
  buildPath,
  buildQuery,
  type AnyArgs,
  type Args,
  type Paging,
  type Route,
} from './route.js';

export const SCIM_MEDIA_TYPE = 'application/scim+json';

/** Arguments every routed call may carry besides the route's own. */
export interface CallExtras {
  dry_run?: boolean;
}

export interface HubClientOptions {
  /** Hub API requests, authenticated with the Hub JWT when credentials are configured. */
  hub: RequestBase;
  /** SCIM requests with DOCKERHUB_SCIM_TOKEN; undefined when it is not configured. */
  scim?: RequestBase;
  auth: HubTokenManager;
  logger: Logger;
  /** Item cap for all_pages. */
  maxItems?: number;
}

interface SendOverrides {
  method?: Route['method'];
  path?: string;
  query?: Record<string, QueryValue>;
  noBody?: boolean;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Hub's members list is typed as an array of one page; accept both shapes. */
function pageObject(data: unknown): Json | undefined {
  if (isObject(data)) return data;
  if (Array.isArray(data) && data.length === 1 && isObject(data[0])) return data[0];
  return undefined;
}

function itemsOf(data: Json, key: string): unknown[] | undefined {
  const direct = data[key];
  if (Array.isArray(direct)) return direct as unknown[];
  // SCIM servers spell it `Resources` (RFC 7644) or `resources` (Docker's spec).
  if (key === 'Resources' && Array.isArray(data.resources)) return data.resources as unknown[];
  return undefined;
}

function itemsKey(data: Json, key: string): string {
  return key === 'Resources' && !Array.isArray(data.Resources) && Array.isArray(data.resources) ? 'resources' : key;
}

function pageFromNext(next: unknown): number | undefined {
  if (typeof next !== 'string' || next.length === 0) return undefined;
  try {
    const page = Number(new URL(next, 'http://x').searchParams.get('page'));
    return Number.isInteger(page) && page > 0 ? page : undefined;
  } catch {
    return undefined;
  }
}

export class HubClient {
  private readonly options: HubClientOptions;
  private login2fa?: { token: string; at: number };

  constructor(options: HubClientOptions) {
    this.options = options;
  }

  get auth(): HubTokenManager {
    return this.options.auth;
  }

  get credentialKind(): CredentialKind {
    return this.options.auth.kind;
  }

  get scimConfigured(): boolean {
    return this.options.scim !== undefined;
  }

  /** Keeps the 2FA challenge of the last login so two_factor_login works without showing it. */
  rememberLogin2fa(token: string): void {
    this.login2fa = { token, at: Date.now() };
  }

  /** The kept challenge, if under 5 minutes old; it is used once. */
  takeLogin2fa(): string | undefined {
    const kept = this.login2fa;
    this.login2fa = undefined;
    return kept && Date.now() - kept.at < 300_000 ? kept.token : undefined;
  }

  /** Runs one route with validated arguments. */
  /**
   * Runs route `r`. With a route from a table (its literal type), `args` is checked against that
   * route's parameters at compile time; the tools pass arguments their zod schema validated.
   */
  async call<R extends Route>(r: R, typed: Args<R['params']> & CallExtras, signal?: AbortSignal): Promise<Envelope> {
    // Past the compile-time check the route machinery reads arguments by name.
    const args = typed as AnyArgs & CallExtras;
    if (r.atLeastOne && !r.atLeastOne.some((name) => args[name] !== undefined)) {
      throw new ToolError('invalid_argument', `give at least one of: ${r.atLeastOne.join(', ')}`);
    }
    if (r.upstream === 'scim' && !this.options.scim) {
      throw new ToolError(
        'unauthorized',
        'DOCKERHUB_SCIM_TOKEN is not configured, so SCIM calls cannot be made',
        undefined,
        SCIM_TOKEN_HINT,
      );
    }
    if ((r.destructive === true || r.destructiveWhen !== undefined) && args.dry_run === true) return this.preview(r, args, signal);
    if (r.paging) return this.paged(r, args, signal);
    return this.single(r, args, signal);
  }

  private async single(r: Route, args: AnyArgs, signal?: AbortSignal): Promise<Envelope> {
    const res = await this.send(r, args, {}, signal);
    const out = this.toEnvelope(res);
    if (r.exists) out.data = { exists: res.status_code < 300 };
    return out;
  }

  private toEnvelope(res: HttpResult<unknown>): Envelope {
    const out: Envelope = { status_code: res.status_code, data: res.data, rate_limit: res.rate_limit };
    if (res.headers) out.headers = res.headers;
    return out;
  }

  /** Sends one request for a route; `overrides` replace parts (paging, previews). */
  async send(r: Route, args: AnyArgs, overrides: SendOverrides, signal?: AbortSignal): Promise<HttpResult<unknown>> {
    const method = overrides.method ?? r.method;
    const base = r.upstream === 'scim' ? this.options.scim : this.options.hub;
    if (!base) throw new ToolError('unauthorized', 'DOCKERHUB_SCIM_TOKEN is not configured', undefined, SCIM_TOKEN_HINT);
    const headers: Record<string, string> = {};
    if (r.upstream === 'scim') headers.accept = SCIM_MEDIA_TYPE;
    if (r.accept) headers.accept = r.accept;
    const hasBody = r.body !== undefined && !overrides.noBody && method !== 'GET' && method !== 'HEAD';
    if (hasBody && r.upstream === 'scim') headers['content-type'] = SCIM_MEDIA_TYPE;
    const accept = [...(r.acceptStatus ?? []), ...(r.exists ? [404] : [])];
    try {
      return await base.request({
        method,
        path: buildPath(overrides.path ?? r.path, args),
        query: overrides.query ?? buildQuery(r, args),
        json: hasBody ? buildBody(r.body ?? {}, args) : undefined,
        headers,
        auth: r.upstream !== 'public',
        read: r.read === 'text' ? 'text' : 'auto',
        accept: accept.length > 0 ? accept : undefined,
        signal,
      });
    } catch (error) {
      throw withHint(error, r, args, this.credentialKind);
    }
  }

  /**
   * A dry run: the exact request that would be sent and, where one can be read, its target and
   * the fields the request would change on it.
   */
  private async preview(r: Route, args: AnyArgs, signal?: AbortSignal): Promise<Envelope> {
    const body = r.body !== undefined ? buildBody(r.body, args) : undefined;
    const request: Json = { method: r.method, path: buildPath(r.path, args) };
    if (body !== undefined) request.body = body;
    if (!r.preview) return envelope({ dry_run: true, would_send: request, target: null });
    const query = r.previewQuery?.(args) ?? {};
    const res = await this.send(r, args, { method: 'GET', path: r.preview, query, noBody: true }, signal);
    const out = this.toEnvelope(res);
    const target = r.previewSelect ? r.previewSelect(res.data, args) : res.data;
    const data: Json = { dry_run: true, would_send: request, target };
    const changes = body !== undefined ? changesFor(body, target, r.clears) : undefined;
    if (changes !== undefined) data.would_change = changes;
    out.data = data;
    return out;
  }

  private pageQuery(r: Route, args: AnyArgs, page: number, size: number | undefined): Record<string, QueryValue> {
    const query: Record<string, QueryValue> = buildQuery(r, args);
    switch (r.paging?.mode) {
      case 'offset':
        query.from = (page - 1) * (size ?? 25);
        query.size = size;
        break;
      case 'scim':
        query.startIndex = page;
        query.count = size;
        break;
      default:
        query.page = page === 1 && args.page === undefined ? undefined : page;
        query.page_size = size;
    }
    return query;
  }

  private nextPosition(mode: Paging['mode'], data: Json, count: number, position: number, size: number): number | undefined {
    switch (mode) {
      case 'next':
        return pageFromNext(data.next);
      case 'page':
        return count >= size ? position + 1 : undefined;
      case 'offset': {
        const total = typeof data.total === 'number' ? data.total : Infinity;
        return count >= size && position * size < total ? position + 1 : undefined;
      }
      default: {
        const total = typeof data.totalResults === 'number' ? data.totalResults : 0;
        return count > 0 && position - 1 + count < total ? position + count : undefined;
      }
    }
  }

  private async paged(r: Route, args: AnyArgs, signal?: AbortSignal): Promise<Envelope> {
    const paging = r.paging!;
    const cap = this.options.maxItems ?? ALL_PAGES_MAX_ITEMS;
    const all = args.all_pages === true;
    const scim = paging.mode === 'scim';
    const sizeArg = (scim ? args.count : args.page_size) as number | undefined;
    const startArg = (scim ? args.start_index : args.page) as number | undefined;

    if (paging.mode === 'local') {
      const res = await this.send(r, args, {}, signal);
      const out = this.toEnvelope(res);
      const data = pageObject(res.data);
      const list = data ? itemsOf(data, paging.items) : undefined;
      if (!data || !list) return out;
      const page = startArg ?? 1;
      const size = all ? cap : (sizeArg ?? (args.page === undefined ? cap : 100));
      const from = all ? 0 : (page - 1) * size;
      const slice = list.slice(from, from + size);
      out.data = { ...data, [paging.items]: slice, count: list.length };
      if (from + slice.length < list.length) {
        out.truncated = true;
        out.next = { page: all ? 2 : page + 1 };
      }
      return out;
    }

    if (!all) {
      const res = await this.send(r, args, { query: this.pageQuery(r, args, startArg ?? 1, sizeArg) }, signal);
      if (scim) {
        // SCIM's own parameters were mapped already; only re-send what the caller gave.
        return this.toEnvelope(res);
      }
      const out = this.toEnvelope(res);
      const data = pageObject(res.data);
      if (data && paging.mode === 'next') {
        const nextPage = pageFromNext(data.next);
        if (nextPage !== undefined) out.next = { page: nextPage };
      }
      return out;
    }

    // all_pages: bigger pages mean fewer round trips.
    const size = sizeArg ?? 100;
    const start = startArg ?? 1;
    let position = start;
    const collected: unknown[] = [];
    let first: HttpResult<unknown> | undefined;
    let last: Json | undefined;
    let key = paging.items;
    let more = false;
    // The pages read: a `next` back to one of them is a loop.
    const read = new Set<number>();
    let lastRead = start;
    for (;;) {
      const res = await this.send(r, args, { query: this.pageQuery(r, args, position, size) }, signal);
      first ??= res;
      const data = pageObject(res.data);
      const list = data ? itemsOf(data, paging.items) : undefined;
      if (!data || !list) return this.toEnvelope(res);
      key = itemsKey(data, paging.items);
      last = data;
      read.add(position);
      lastRead = position;
      // A loop, not push(...list): a page of 300,000 items would overflow the argument stack.
      for (const item of list) {
        if (collected.length > cap) break;
        collected.push(item);
      }
      const nextPosition = this.nextPosition(paging.mode, data, list.length, position, size);
      if (nextPosition === undefined) break;
      if (read.has(nextPosition)) {
        throw new ToolError(
          'upstream_error',
          `Hub's paging for ${buildPath(r.path, args)} leads back to page ${nextPosition}, already read (a paging loop); stopped after ${read.size} pages`,
        );
      }
      position = nextPosition;
      if (collected.length >= cap || read.size >= ALL_PAGES_MAX_PAGES) {
        more = true;
        break;
      }
    }
    const out = this.toEnvelope(first);
    const merged: Json = { ...pageObject(first.data), [key]: collected.slice(0, cap) };
    if (paging.mode === 'next' && last) merged.next = more ? last.next : null;
    out.data = merged;
    if (more || collected.length > cap) {
      out.truncated = true;
      // Where to resume: the page holding the first item not shown (it may repeat a few). Items
      // are gathered to one past the cap, so that item is on the last page read when it was read.
      const resume = collected.length > cap ? lastRead : position;
      out.next = scim ? { start_index: start + Math.min(collected.length, cap), count: size } : { page: resume, page_size: size };
    }
    const pages = read.size;
    this.options.logger.debug('hub all_pages', { path: r.path, pages, items: collected.length, truncated: out.truncated === true });
    return out;
  }
}
