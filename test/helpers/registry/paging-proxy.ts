// A counting proxy that makes `/v2/<name>/tags/list` and `/v2/_catalog` honour `n` and `last` and
// emit RFC 5988 `Link: <...>; rel="next"` headers the way distribution v3 does, because Debian's
// distribution 2.8 ignores them and returns every tag at once. It fetches the full list from the
// upstream (with the client's Authorization header, so auth challenges pass through unchanged) and
// slices it. Everything else is forwarded and counted like any counting proxy.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startCountingProxy, type CountingProxyHandle, type CountingProxyOptions, type InterceptContext } from './counting-proxy.js';

export interface PagingProxyOptions extends Omit<CountingProxyOptions, 'intercept'> {
  /** Page size used when the client sends no `n` (default: none, i.e. the whole list like distribution). */
  defaultPageSize?: number;
  /** Upper bound for `n` (distribution's `tags.maxtags`, default 1000). */
  maxPageSize?: number;
  /** 'relative' (default, like distribution): `</v2/...>`; 'absolute': `<http://proxy/v2/...>`. */
  linkStyle?: 'relative' | 'absolute';
}

export interface PagingProxyHandle extends CountingProxyHandle {
  /** Number of list requests answered with a page. */
  readonly pagesServed: number;
}

function errorBody(code: string, message: string): string {
  return JSON.stringify({ errors: [{ code, message, detail: null }] });
}

/** Fetches a whole list from the upstream, following its own Link headers if it paginates. */
async function fetchAll(
  ctx: InterceptContext,
  path: string,
  key: 'tags' | 'repositories',
  authorization: string | undefined,
): Promise<{ ok: true; name?: string; items: string[] } | { ok: false; res: Response }> {
  const items: string[] = [];
  let name: string | undefined;
  let next: string | undefined = path;
  while (next) {
    const res = await fetch(new URL(next, ctx.upstream), { headers: authorization ? { authorization } : {} });
    if (res.status !== 200) return { ok: false, res };
    const body = (await res.json()) as { name?: string; tags?: string[] | null; repositories?: string[] | null };
    name ??= body.name;
    items.push(...(body[key] ?? []));
    const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.headers.get('link') ?? '');
    next = link?.[1];
  }
  return { ok: true, ...(name !== undefined ? { name } : {}), items };
}

export async function startPagingProxy(opts: PagingProxyOptions): Promise<PagingProxyHandle> {
  let pages = 0;
  const maxPage = opts.maxPageSize ?? 1000;

  const intercept = async (req: IncomingMessage, res: ServerResponse, ctx: InterceptContext): Promise<boolean> => {
    if (req.method !== 'GET') return false;
    const url = new URL(req.url ?? '/', 'http://proxy');
    const tags = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    const isCatalog = url.pathname === '/v2/_catalog';
    if (!tags && !isCatalog) return false;
    req.resume();

    const rawN = url.searchParams.get('n');
    const last = url.searchParams.get('last');
    let n: number | undefined = opts.defaultPageSize;
    if (rawN !== null) {
      if (!/^\d+$/.test(rawN)) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(errorBody('PAGINATION_NUMBER_INVALID', 'invalid number of results requested'));
        return true;
      }
      n = Math.min(Number(rawN), maxPage);
    }

    const key = isCatalog ? 'repositories' : 'tags';
    const all = await fetchAll(ctx, url.pathname, key, req.headers.authorization);
    if (!all.ok) {
      const headers: Record<string, string> = {};
      all.res.headers.forEach((value, name) => {
        if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') {
          headers[name] = name === 'www-authenticate' ? ctx.rewrite(value) : value;
        }
      });
      res.writeHead(all.res.status, headers);
      res.end(Buffer.from(await all.res.arrayBuffer()));
      return true;
    }

    const sorted = [...all.items].sort();
    const after = last === null ? sorted : sorted.filter((item) => item > last);
    const page = n === undefined ? after : after.slice(0, n);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'docker-distribution-api-version': 'registry/2.0',
    };
    if (n !== undefined && n > 0 && after.length > page.length) {
      const target = `${url.pathname}?n=${n}&last=${encodeURIComponent(page[page.length - 1]!)}`;
      headers.link = `<${opts.linkStyle === 'absolute' ? ctx.origin + target : target}>; rel="next"`;
    }
    const body = isCatalog ? { repositories: page } : { name: all.name ?? decodeURIComponent(tags![1]!), tags: page };
    pages++;
    res.writeHead(200, headers);
    res.end(JSON.stringify(body));
    return true;
  };

  const proxy = await startCountingProxy({ ...opts, intercept });
  return Object.defineProperty(proxy, 'pagesServed', { get: () => pages, enumerable: true }) as PagingProxyHandle;
}
