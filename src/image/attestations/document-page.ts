// The full attestation document, paged: an SBOM of a large image lists tens of thousands of
// packages, far over a tool result's byte cap. Every list in the predicate (packages, files,
// relationships, components, materials, resolvedDependencies, …) is cut to the same window of
// `page_size` items; the answer names each list's total and the next page while any has more.
// A page must fit in one tool result: were it cut by the result caps, the items between the cut
// and the next page would never be shown. So the window shrinks, deterministically (from the
// document, the asked size and the byte budget alone), until every page of every list fits; the
// answer's page_size says the size used, and asking again with the same page_size gives the same.
import { obj, type JsonObject } from './json-fields.js';

export const DEFAULT_PAGE_SIZE = 100;
/** Bytes one document page may take when the caller gives no budget (half the default result cap). */
export const DEFAULT_DOCUMENT_BYTES = 100_000;
/** The result cap on items in one list (create-server's caps): a larger page would be cut. */
export const RESULT_MAX_ITEMS = 500;

const bytesOf = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

type Lists = Array<{ owner: JsonObject; key: string; path: string; items: unknown[] }>;

/** The arrays paged: every list in the predicate up to two objects deep. */
function listsIn(document: JsonObject): Lists {
  const out: Lists = [];
  const visit = (node: JsonObject, path: string, depth: number): void => {
    for (const [key, value] of Object.entries(node)) {
      const here = path ? `${path}.${key}` : key;
      if (Array.isArray(value)) out.push({ owner: node, key, path: here, items: value });
      else if (depth < 2) {
        const child = obj(value);
        if (child) visit(child, here, depth + 1);
      }
    }
  };
  visit(document, '', 0);
  return out;
}

/** The largest page size ≤ `asked` whose every page fits in `budget` bytes (at least 1). */
function fittingSize(lists: Lists, fixed: number, asked: number, budget: number): number {
  const sizes = lists.map((list) => list.items.map((item) => bytesOf(item) + 1));
  const worstPage = (size: number): number => {
    let total = fixed;
    for (const items of sizes) {
      let worst = 0;
      for (let start = 0; start < items.length; start += size) {
        let sum = 0;
        for (let i = start; i < Math.min(start + size, items.length); i++) sum += items[i]!;
        worst = Math.max(worst, sum);
      }
      total += worst;
    }
    return total;
  };
  let size = Math.max(1, Math.min(asked, RESULT_MAX_ITEMS));
  for (let need = worstPage(size); need > budget && size > 1; need = worstPage(size)) {
    size = Math.max(1, Math.min(size - 1, Math.floor((size * budget) / need)));
  }
  return size;
}

export interface DocumentPage {
  document: JsonObject;
  page: number;
  page_size: number;
  /** Lists that were paged: path → total items. */
  lists: Record<string, number>;
  /** The next page, while a list has items after this window. */
  next_page?: number;
}

export function pageDocument(
  predicate: JsonObject,
  page: number,
  askedSize = DEFAULT_PAGE_SIZE,
  budget = DEFAULT_DOCUMENT_BYTES,
): DocumentPage {
  const document = structuredClone(predicate);
  const all = listsIn(document);
  for (const list of all) list.owner[list.key] = [];
  const pageSize = fittingSize(all, bytesOf(document), askedSize, budget);
  const lists: Record<string, number> = {};
  let more = false;
  const start = page * pageSize;
  for (const { owner, key, path, items } of all) {
    if (items.length > pageSize || page > 0) {
      lists[path] = items.length;
      owner[key] = items.slice(start, start + pageSize);
      if (start + pageSize < items.length) more = true;
    } else owner[key] = items;
  }
  return { document, page, page_size: pageSize, lists, ...(more ? { next_page: page + 1 } : {}) };
}
