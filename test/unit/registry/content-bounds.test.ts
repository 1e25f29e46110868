// Bounds on what one call makes the server do against a registry: index children handled per call
// (inspect, list_platforms, copy planning), pages followed per listing, Link headers that loop,
// and ports outside 1–65535 refused before any connection. Request counts come from msw's log.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  buildImage,
  buildIndex,
  callRegistry,
  exampleRegistry,
  failed,
  ok,
  REG_ORIGIN,
  registryApp,
  useRegistryMsw,
} from '../../helpers/unit-registry/fake-registry.js';

const msw = useRegistryMsw();
const REPO = 'reg.example.test/big/app';
const CHILDREN = 2000;

function serveBigIndex() {
  const images = Array.from({ length: CHILDREN }, (_, i) =>
    buildImage({ platform: { os: 'linux', architecture: `arch${i}` }, layers: [`layer ${i}`] }),
  );
  const built = buildIndex(images, false);
  msw.server.use(...exampleRegistry({ auth: 'none' }).putIndex('big/app', built, 'v1').handlers());
  return built;
}

describe(`an index with ${CHILDREN} children`, () => {
  it('inspect handles 256 children per call (513 requests, not 4,001) and pages on with platform_offset', async () => {
    serveBigIndex();
    const app = registryApp();
    const first = ok<{ platforms: { platform: string }[]; platforms_total: number }>(
      await callRegistry(app, { action: 'inspect', repo: `${REPO}:v1` }),
    );
    const requests = msw.seen.length;
    console.log(`inspect of a ${CHILDREN}-child index: ${requests} requests for the first page`);
    expect(requests).toBeLessThanOrEqual(1 + 2 * 256);
    expect(first.data.platforms).toHaveLength(256);
    expect(first.data.platforms_total).toBe(CHILDREN);
    expect(first.truncated).toBe(true);
    expect(first.next).toEqual({ platform_offset: 256 });

    msw.seen.length = 0;
    const last = ok<{ platforms: { platform: string }[] }>(
      await callRegistry(app, { action: 'inspect', repo: `${REPO}:v1`, platform_offset: 1792 }),
    );
    expect(last.data.platforms.map((p) => p.platform)).toEqual(Array.from({ length: 208 }, (_, i) => `linux/arch${1792 + i}`));
    expect(last.truncated).toBeUndefined();
    expect(msw.seen.length).toBeLessThanOrEqual(1 + 2 * 208);
  });

  it('list_platforms: one request, 256 platforms, then the next page', async () => {
    serveBigIndex();
    const app = registryApp();
    const page = ok<{ platforms: { platform: string }[]; platforms_total: number }>(
      await callRegistry(app, { action: 'list_platforms', repo: `${REPO}:v1` }),
    );
    expect(msw.seen).toHaveLength(1);
    expect(page.data.platforms).toHaveLength(256);
    expect(page.next).toEqual({ platform_offset: 256 });
    const next = ok<{ platforms: { platform: string }[] }>(
      await callRegistry(app, { action: 'list_platforms', repo: `${REPO}:v1`, platform_offset: 256 }),
    );
    expect(next.data.platforms[0]?.platform).toBe('linux/arch256');
  });

  it('copy refuses before fetching a single child, and says how to copy part of it', async () => {
    serveBigIndex();
    const error = failed(
      await callRegistry(registryApp(), { action: 'copy', repo: `${REPO}:v1`, target_repo: 'reg.example.test/big/copy', dry_run: true }),
    );
    expect(error.type).toBe('unsupported');
    expect(error.message).toContain('more than 256 child manifests');
    expect(error.hint).toMatch(/one by one/);
    expect(msw.seen).toHaveLength(1);
  });
});

describe('registry list paging', () => {
  const tagsUrl = `${REG_ORIGIN}/v2/big/app/tags/list`;

  it('a Link back to the same page stops at once with a clear upstream_error', async () => {
    msw.server.use(
      http.get(tagsUrl, ({ request }) =>
        HttpResponse.json(
          { name: 'big/app', tags: ['a', 'b'] },
          { headers: { link: `<${new URL(request.url).pathname}${new URL(request.url).search}>; rel="next"` } },
        ),
      ),
    );
    const error = failed(await callRegistry(registryApp(), { action: 'list_tags', repo: REPO }));
    expect(error.type).toBe('upstream_error');
    expect(error.message).toMatch(/Link header loops back to/);
    expect(msw.seen.length).toBeLessThanOrEqual(2);
  });

  it('a repeated last (a different URL each time) is a loop too', async () => {
    let page = 0;
    msw.server.use(
      http.get(tagsUrl, () => {
        page++;
        return HttpResponse.json(
          { name: 'big/app', tags: ['a'] },
          { headers: { link: `</v2/big/app/tags/list?last=a&page=${page}>; rel="next"` } },
        );
      }),
    );
    const error = failed(await callRegistry(registryApp(), { action: 'list_tags', repo: REPO }));
    expect(error.message).toMatch(/loops back/);
    expect(msw.seen.length).toBeLessThanOrEqual(3);
  });

  it('an endless but honest pager is cut at 200 pages with truncated and a way to continue', async () => {
    msw.server.use(
      http.get(tagsUrl, ({ request }) => {
        const after = Number(new URL(request.url).searchParams.get('last')?.slice(1) ?? '0');
        const tag = `t${String(after + 1).padStart(6, '0')}`;
        return HttpResponse.json(
          { name: 'big/app', tags: [tag] },
          { headers: { link: `</v2/big/app/tags/list?n=1&last=${tag}>; rel="next"` } },
        );
      }),
    );
    const result = ok<{ tags: string[] }>(await callRegistry(registryApp(), { action: 'list_tags', repo: REPO, max_items: 10000 }));
    expect(msw.seen).toHaveLength(200);
    expect(result.data.tags).toHaveLength(200);
    expect(result.truncated).toBe(true);
    expect(result.next).toEqual({ last: 't000200' });
  });

  it('_catalog with a looping Link: the same error', async () => {
    msw.server.use(
      http.get(`${REG_ORIGIN}/v2/_catalog`, () =>
        HttpResponse.json({ repositories: ['a/b'] }, { headers: { link: '</v2/_catalog?last=a%2Fb&n=1>; rel="next"' } }),
      ),
    );
    const error = failed(await callRegistry(registryApp(), { action: 'list_repositories', registry: 'reg.example.test' }));
    expect(error.message).toMatch(/loops back/);
    expect(msw.seen.length).toBeLessThanOrEqual(3);
  });
});

describe('reference grammar', () => {
  for (const repo of ['127.0.0.1:99999/x', 'reg.example.test:65536/x:1', 'localhost:0/x']) {
    it(`${repo}: invalid_argument naming the port, before any connection`, async () => {
      const error = failed(await callRegistry(registryApp(), { action: 'get_manifest', repo }));
      expect(error.type).toBe('invalid_argument');
      expect(error.message).toMatch(/port \d+ is out of range 1–65535/);
      expect(msw.seen).toHaveLength(0);
    });
  }
  it('api_version with registry 127.0.0.1:99999 too', async () => {
    const error = failed(await callRegistry(registryApp(), { action: 'api_version', registry: '127.0.0.1:99999' }));
    expect(error.type).toBe('invalid_argument');
    expect(msw.seen).toHaveLength(0);
  });
});
