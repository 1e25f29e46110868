// Paged registry lists (tags, catalog): `Link: <…>; rel="next"` followed up to an item cap, each
// Link held to the registry's origin.
import { ToolError } from '../http/errors.js';
import type { RegistryClient } from './client.js';
import type { ImageRef } from './reference.js';

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
}

/** Lists tags (or catalog entries) page by page until the registry has no more or the cap. */
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
  while (url && items.length < options.maxItems) {
    const result: Awaited<ReturnType<typeof client.request<Record<string, unknown>>>> = await client.request<Record<string, unknown>>(ref, {
      path: url,
      query,
      scopes: options.scopes,
      signal: options.signal,
    });
    pages++;
    if (result.data === null || typeof result.data !== 'object' || Array.isArray(result.data)) {
      // A cut or corrupt body parses as text: never report it as an empty list.
      throw new ToolError(
        'upstream_error',
        `the registry answered ${options.path} with a body that is not a JSON object (truncated or corrupt)`,
      );
    }
    const page = result.data[options.field];
    // Some registries send `tags: null` for an empty repository.
    if (Array.isArray(page)) for (const item of page) if (typeof item === 'string') items.push(item);
    const link = nextLink(result.raw.get('link'));
    url = link ? client.transport.sameOrigin(ref.registry, link, 'pagination') : undefined;
    query = undefined; // the Link URL carries its own query
  }
  if (items.length > options.maxItems || url) {
    const kept = items.slice(0, options.maxItems);
    return { items: kept, next: kept[kept.length - 1], pages };
  }
  return { items, pages };
}
