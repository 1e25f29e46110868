// prune_tags: which tags go (pattern, age, keep-newest, protected), the dry run listing exactly
// what would go, and the real run deleting one by one, reporting each, stopping on auth errors.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { planPrune, type TagInfo } from '../../../src/hub/prune.js';
import { call, hubApp, HUB, sc, useHub } from '../../helpers/unit/hub-harness.js';

const DAY = 86_400_000;
const NOW = Date.parse('2025-06-01T00:00:00Z');
const tag = (name: string, daysAgo: number): TagInfo => ({
  tag: name,
  digest: `sha256:${name}`,
  last_pushed: new Date(NOW - daysAgo * DAY).toISOString(),
  last_pulled: null,
});
const TAGS = [tag('latest', 1), tag('v3', 2), tag('v2', 40), tag('v1', 100), tag('dev-a', 5), tag('dev-b', 60), tag('dev-c', 90)];

describe('planPrune', () => {
  it('older than N days, never the protected latest', () => {
    const plan = planPrune(TAGS, { namespace: 'a', repository: 'b', older_than_days: 30 }, NOW);
    // newest first among the matching, unprotected tags pushed more than 30 days ago
    expect(plan.delete.map((t) => t.tag)).toEqual(['v2', 'dev-b', 'dev-c', 'v1']);
    expect(plan.protected).toEqual(['latest']);
  });
  it('beyond the newest K of a pattern', () => {
    const plan = planPrune(TAGS, { namespace: 'a', repository: 'b', pattern: '^dev-', keep: 1 }, NOW);
    expect(plan.delete.map((t) => t.tag)).toEqual(['dev-b', 'dev-c']);
    expect(plan.kept).toBe(1);
    expect(plan.matched).toBe(3);
  });
  it('both rules must hold, custom protection, and a limit', () => {
    const plan = planPrune(TAGS, { namespace: 'a', repository: 'b', keep: 2, older_than_days: 50, protect: ['^v1$'], limit: 1 }, NOW);
    // newest two kept (latest is no longer protected by default: v3 and latest); v1 protected.
    expect(plan.delete.map((t) => t.tag)).toEqual(['dev-b']);
    expect(plan.over_limit).toBe(1);
    expect(plan.protected).toEqual(['v1']);
  });
});

describe('prune_tags through the tool', () => {
  const hub = useHub();
  const now = Date.now();
  const results = [
    { name: 'latest', digest: 'sha256:aaa', tag_last_pushed: new Date(now - DAY).toISOString(), tag_last_pulled: null, extra: 1 },
    {
      name: 'v2',
      digest: 'sha256:bbb',
      tag_last_pushed: new Date(now - 10 * DAY).toISOString(),
      tag_last_pulled: new Date(now - 2 * DAY).toISOString(),
    },
    { name: 'v1', images: [{ digest: 'sha256:ccc' }], tag_last_pushed: new Date(now - 100 * DAY).toISOString(), tag_last_pulled: null },
    { name: 'v0', digest: 'sha256:ddd', last_updated: new Date(now - 200 * DAY).toISOString() },
  ];
  const listing = () =>
    http.get(`${HUB}/v2/namespaces/acme/repositories/web/tags`, ({ request }) => {
      const page = Number(new URL(request.url).searchParams.get('page') ?? 1);
      return HttpResponse.json(
        page === 1
          ? { count: 4, next: `${HUB}/v2/namespaces/acme/repositories/web/tags?page=2`, results: results.slice(0, 2) }
          : { count: 4, next: null, results: results.slice(2) },
      );
    });

  it('dry run by default: lists exactly what would go and deletes nothing', async () => {
    hub.useToken();
    hub.server.use(listing());
    const result = await call(hubApp(), 'hub_repos', { action: 'prune_tags', namespace: 'acme', repository: 'web', older_than_days: 30 });
    expect(result.isError).toBeFalsy();
    expect(sc(result).data).toMatchObject({
      dry_run: true,
      scanned: 4,
      protected: ['latest'],
      would_delete: [
        { tag: 'v1', digest: 'sha256:ccc', last_pushed: results[2]!.tag_last_pushed, last_pulled: null },
        { tag: 'v0', digest: 'sha256:ddd', last_pushed: results[3]!.last_updated, last_pulled: null },
      ],
    });
    expect(hub.calls().every((c) => c.method === 'GET')).toBe(true);
    expect(hub.calls()[0]!.query).toMatchObject({ ordering: '-last_updated', page_size: '100' });
  });

  it('needs older_than_days or keep', async () => {
    const result = await call(hubApp(), 'hub_repos', { action: 'prune_tags', namespace: 'acme', repository: 'web', dry_run: true });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.structuredContent)).toContain('older_than_days');
    expect(hub.seen).toHaveLength(0);
  });

  it('the real run deletes one by one and reports each', async () => {
    hub.useToken();
    hub.server.use(
      listing(),
      http.delete(`${HUB}/v2/namespaces/acme/repositories/web/tags/:tag`, ({ params }) =>
        params.tag === 'v1' ? new HttpResponse(null, { status: 204 }) : HttpResponse.json({ detail: 'not found' }, { status: 404 }),
      ),
    );
    const result = await call(hubApp(), 'hub_repos', {
      action: 'prune_tags',
      namespace: 'acme',
      repository: 'web',
      keep: 1,
      dry_run: false,
    });
    const data = sc(result).data as { deleted: number; failed: number; results: { tag: string; status: string }[]; stopped: unknown };
    expect(data.results.map((r) => [r.tag, r.status])).toEqual([
      ['v1', 'deleted'],
      ['v0', 'failed'],
    ]);
    expect(data).toMatchObject({ deleted: 1, failed: 1, stopped: null });
    expect(
      hub
        .calls()
        .filter((c) => c.method === 'DELETE')
        .map((c) => c.path),
    ).toEqual(['/v2/namespaces/acme/repositories/web/tags/v1', '/v2/namespaces/acme/repositories/web/tags/v0']);
  });

  it('stops on the first auth error', async () => {
    hub.useToken();
    hub.server.use(
      listing(),
      http.delete(`${HUB}/v2/namespaces/acme/repositories/web/tags/:tag`, () =>
        HttpResponse.json({ detail: 'insufficient scope' }, { status: 403 }),
      ),
    );
    const result = await call(hubApp(), 'hub_repos', {
      action: 'prune_tags',
      namespace: 'acme',
      repository: 'web',
      keep: 0,
      older_than_days: 0,
      protect: [],
      dry_run: false,
    });
    const data = sc(result).data as { results: unknown[]; not_attempted: number; stopped: string };
    expect(data.results).toHaveLength(1);
    expect(data.not_attempted).toBe(3);
    expect(data.stopped).toMatch(/first auth error \(HTTP 403\)/);
    expect(hub.calls().filter((c) => c.method === 'DELETE')).toHaveLength(1);
  });
});
