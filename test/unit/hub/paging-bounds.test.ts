// Hub listings with all_pages against a hostile or broken Hub: a 300,000-item page, a `next` link
// that leads back to a page already read, an endless run of empty pages, and a `next` link naming
// another origin. Each ends with a bounded result or a clear upstream_error, never a crash or an
// endless loop.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { ALL_PAGES_MAX_PAGES } from '../../../src/hub/route.js';
import { call, HUB, hubApp, sc, useHub } from '../../helpers/unit/hub-harness.js';

const LIST = `${HUB}/v2/namespaces/acme/repositories`;
const pageOf = (request: Request): number => Number(new URL(request.url).searchParams.get('page') ?? 1);

const errorOf = (result: { structuredContent: Record<string, unknown>; isError?: boolean }) => {
  expect(result.isError).toBe(true);
  return (result.structuredContent as { error: { type: string; message: string } }).error;
};

describe('all_pages against a hostile Hub', () => {
  const hub = useHub();

  it('a single page of 300,000 items is cut to the item cap, not a stack overflow', async () => {
    const results = Array.from({ length: 300_000 }, (_, i) => ({ name: `r${i}` }));
    hub.server.use(
      http.get(LIST, ({ request }) =>
        HttpResponse.json({ count: 600_000, next: `${LIST}?page=${pageOf(request) + 1}&page_size=100`, results }),
      ),
    );
    const result = await call(hubApp({}), 'hub_repos', { action: 'list', namespace: 'acme', all_pages: true });
    expect(result.isError).toBeFalsy();
    expect((sc(result).data as { results: unknown[] }).results).toHaveLength(500);
    expect(sc(result).truncated).toBe(true);
    // Item 500 is on page 1 (the page ignored page_size): resume there.
    expect(sc(result).next).toEqual({ page: 1, page_size: 100 });
    expect(hub.seen).toHaveLength(1);
  });

  it('a next link back to a page already read is a loop: upstream_error naming the page', async () => {
    hub.server.use(
      http.get(LIST, ({ request }) => {
        const n = pageOf(request);
        // 1 → 2 → 3 → 2
        const next = n === 3 ? 2 : n + 1;
        return HttpResponse.json({ count: 1000, next: `${LIST}?page=${next}&page_size=100`, results: [{ name: `p${n}` }] });
      }),
    );
    const error = errorOf(await call(hubApp({}), 'hub_repos', { action: 'list', namespace: 'acme', all_pages: true }));
    expect(error.type).toBe('upstream_error');
    expect(error.message).toContain('page 2');
    expect(error.message).toMatch(/already|loop/);
    expect(hub.seen).toHaveLength(3);
  });

  it('a next link to the page itself is a loop too', async () => {
    hub.server.use(http.get(LIST, () => HttpResponse.json({ count: 10, next: `${LIST}?page=1`, results: [{ name: 'a' }] })));
    const error = errorOf(await call(hubApp({}), 'hub_repos', { action: 'list', namespace: 'acme', all_pages: true }));
    expect(error).toMatchObject({ type: 'upstream_error' });
    expect(error.message).toContain('page 1');
    expect(hub.seen).toHaveLength(1);
  });

  it(`endless empty pages stop after ${ALL_PAGES_MAX_PAGES} pages, truncated, with where to go on`, async () => {
    hub.server.use(
      http.get(LIST, ({ request }) => HttpResponse.json({ count: 1, next: `${LIST}?page=${pageOf(request) + 1}`, results: [] })),
    );
    const result = await call(hubApp({}), 'hub_repos', { action: 'list', namespace: 'acme', all_pages: true });
    expect(result.isError).toBeFalsy();
    expect(hub.seen).toHaveLength(ALL_PAGES_MAX_PAGES);
    expect(sc(result).truncated).toBe(true);
    expect(sc(result).next).toEqual({ page: ALL_PAGES_MAX_PAGES + 1, page_size: 100 });
  });

  it('pages smaller than page_size resume at the page holding the first item not shown', async () => {
    hub.server.use(
      http.get(LIST, ({ request }) => {
        const n = pageOf(request);
        return HttpResponse.json({
          count: 10_000,
          next: `${LIST}?page=${n + 1}`,
          results: Array.from({ length: 30 }, (_, i) => ({ name: `p${n}-${i}` })),
        });
      }),
    );
    const result = await call(hubApp({}), 'hub_repos', { action: 'list', namespace: 'acme', all_pages: true });
    const results = (sc(result).data as { results: { name: string }[] }).results;
    expect(results).toHaveLength(500);
    // 500 = 16 full pages of 30 + 20 of page 17: item 500 is p17-20.
    expect(results.at(-1)!.name).toBe('p17-19');
    expect(sc(result).next).toEqual({ page: 17, page_size: 100 });
  });

  it('a next link naming another origin is read for its page number only: every request stays on Hub', async () => {
    const hosts: string[] = [];
    const record = ({ request }: { request: Request }): void => {
      hosts.push(new URL(request.url).host);
    };
    hub.server.events.on('request:start', record);
    hub.server.use(
      http.get(LIST, ({ request }) => {
        const n = pageOf(request);
        return HttpResponse.json({
          count: 2,
          next: n === 1 ? 'https://evil.example/v2/namespaces/acme/repositories?page=2' : null,
          results: [{ name: `p${n}` }],
        });
      }),
    );
    const result = await call(hubApp({}), 'hub_repos', { action: 'list', namespace: 'acme', all_pages: true });
    expect(result.isError).toBeFalsy();
    expect((sc(result).data as { results: { name: string }[] }).results.map((r) => r.name)).toEqual(['p1', 'p2']);
    expect(new Set(hosts)).toEqual(new Set([new URL(HUB).host]));
    hub.server.events.removeListener('request:start', record);
  });
});
