// The full attestation document, paged: an SBOM of a large image lists tens of thousands of
// packages, far over a tool result's byte cap. Every list in the predicate (packages, files,
// relationships, components, materials, resolvedDependencies, …) is cut to the same window of
// `page_size` items; the answer names each list's total and the next page while any has more.
import { obj, type JsonObject } from './json-fields.js';

export const DEFAULT_PAGE_SIZE = 100;

export interface DocumentPage {
  document: JsonObject;
  page: number;
  page_size: number;
  /** Lists that were paged: path → total items. */
  lists: Record<string, number>;
  /** The next page, while a list has items after this window. */
  next_page?: number;
}

export function pageDocument(predicate: JsonObject, page: number, pageSize = DEFAULT_PAGE_SIZE): DocumentPage {
  const document = structuredClone(predicate);
  const lists: Record<string, number> = {};
  let more = false;
  const start = page * pageSize;
  const visit = (node: JsonObject, path: string, depth: number): void => {
    for (const [key, value] of Object.entries(node)) {
      const here = path ? `${path}.${key}` : key;
      if (Array.isArray(value)) {
        if (value.length > pageSize || page > 0) {
          lists[here] = value.length;
          node[key] = value.slice(start, start + pageSize);
          if (start + pageSize < value.length) more = true;
        }
      } else if (depth < 2) {
        const child = obj(value);
        if (child) visit(child, here, depth + 1);
      }
    }
  };
  visit(document, '', 0);
  return { document, page, page_size: pageSize, lists, ...(more ? { next_page: page + 1 } : {}) };
}
