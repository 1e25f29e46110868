// Paged registry lists (tags, catalog): `Link: <…>; rel="next"` followed up to an item cap and a
// page cap, each Link held to the registry's origin and refused when it loops back.
import { ToolError } from '../http/errors.js';
import type { RegistryClient } from './client.js';
import type { ImageRef } from './reference.js';
import { jsonTextDepth, UPSTREAM_JSON_BOUNDS } from '../util/json-bounds.js';

export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

export interface PagedList {
  items: string[];
  /** Pass as `last` to continue, when the list was cut at the cap. */
  next?: string;
  pages: number;
  /** Cut at the item or page cap: more may follow from `next`. */
  truncated?: boolean;
}

/** Pages followed per listing at most; a registry that pages 10 names at a time still gets 2,000. */
export const MAX_PAGES = 200;

function parsePage(text: unknown, path: string): Record<string, unknown> {
  // Read as text and parsed here, so a page nested deeper than any list needs never reaches
  // JSON.parse's callers; a cut or corrupt body must never read as an empty list.
  const body = typeof text === 'string' ? text : '';
  if (jsonTextDepth(body) > UPSTREAM_JSON_BOUNDS.maxDepth)
    throw new ToolError(
      'invalid_content',
      `the registry answered ${path} with JSON nested deeper than ${UPSTREAM_JSON_BOUNDS.maxDepth} levels`,
    );
  let value: unknown;
  try {
    value = JSON.parse(body) as unknown;
  } catch {
    value = undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ToolError('upstream_error', `the registry answered ${path} with a body that is not a JSON object (truncated or corrupt)`);
  }
  return value as Record<string, unknown>;
}

/**
 * Lists tags (or catalog entries) page by page until the registry has no more, the item cap, or
 * MAX_PAGES. A `Link` that comes back to a page already read (or repeats a `last`) is an error:
 * following it would loop for as long as the registry answers.
 */
export async function listPaged(
  client: RegistryClient,
  ref: ImageRef,
  options: {
    path: string;
    field: 'tags' | 'repositories';
    scopes: string[];
    n?: number;
    last?: string;
    maxItems: number;
    signal?: AbortSignal;
  },
): Promise<PagedList> {
  const items: string[] = [];
  let pages = 0;
  let url: string | undefined = options.path;
  let query: Record<string, string | number | undefined> | undefined = {
    n: options.n ?? Math.min(options.maxItems, 1000),
    last: options.last,
  };
  const first = new URL(options.path, ref.registry.origin);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) first.searchParams.set(key, String(value));
  const seenUrls = new Set<string>([first.toString()]);
  const seenLasts = new Set<string>(options.last !== undefined ? [options.last] : []);
  let pendingLast: string | undefined;
  while (url && items.length < options.maxItems && pages < MAX_PAGES) {
    const result: Awaited<ReturnType<typeof client.request<string>>> = await client.request<string>(ref, {
      path: url,
      query,
      scopes: options.scopes,
      read: 'text',
      signal: options.signal,
    });
    pages++;
    const page = parsePage(result.data, options.path)[options.field];
    // Some registries send `tags: null` for an empty repository.
    if (Array.isArray(page)) for (const item of page) if (typeof item === 'string') items.push(item);
    const link = nextLink(result.raw.get('link'));
    url = link ? client.transport.sameOrigin(ref.registry, link, 'pagination') : undefined;
    query = undefined; // the Link URL carries its own query
    if (url) {
      const last = new URL(url).searchParams.get('last') ?? undefined;
      if (seenUrls.has(url) || (last !== undefined && seenLasts.has(last))) {
        throw new ToolError(
          'upstream_error',
          `the registry's Link header loops back to ${url.slice(0, 300)} (a page already read, after ${pages} pages); stopped`,
          undefined,
          'The registry pages wrongly; pass a larger n, or max_items, to read more in one page.',
        );
      }
      seenUrls.add(url);
      if (last !== undefined) seenLasts.add(last);
      pendingLast = last;
    }
  }
  if (items.length > options.maxItems || url) {
    const kept = items.slice(0, options.maxItems);
    const next = kept[kept.length - 1] ?? pendingLast;
    return { items: kept, ...(next !== undefined ? { next } : {}), pages, truncated: true };
  }
  return { items, pages };
}
