// The Scout GraphQL client: the request it sends, GraphQL `errors` in a 200 answer, entitlement
// and auth failures with their hints, and the Hub JWT shared with every other caller.
import { graphql, http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { repoRoutes } from '../../../src/hub/routes/repos.js';
import { ScoutClient } from '../../../src/scout/client.js';
import { graphqlError } from '../../../src/scout/errors.js';
import { ORGANIZATION_STATUS } from '../../../src/scout/queries.js';
import { HUB_URL } from '../../helpers/unit/app.js';
import { useMsw } from '../../helpers/unit/msw.js';
import {
  AMD64,
  baseHandlers,
  callScout,
  dataOf,
  errorOf,
  newCounters,
  OCI_MANIFEST,
  packagesAnswer,
  scout,
  SCOUT_URL,
  scoutApp,
  USER,
  type Counters,
} from '../../helpers/unit/scout-fixtures.js';

const msw = useMsw();
let counters: Counters;

beforeEach(() => {
  counters = newCounters();
  msw.server.use(...baseHandlers(counters, { 'myorg/app:1.0': { digest: AMD64, mediaType: OCI_MANIFEST } }));
});

const ORG_STATUS = {
  organizationStatus: {
    hasImageAnalysisEnabled: true,
    hasAnalyzedImages: false,
    hasEverAnalyzedImages: false,
    lastRepoEnablementChangeAt: null,
  },
};

describe('the GraphQL request', () => {
  it('POSTs the named document with operationName, the context and the Hub JWT', async () => {
    let body: Record<string, unknown> | undefined;
    let headers: Headers | undefined;
    msw.server.use(
      http.post(`${SCOUT_URL}/v1/graphql`, async ({ request }) => {
        headers = request.headers;
        body = (await request.json()) as Record<string, unknown>;
        return HttpResponse.json({ data: ORG_STATUS }, { headers: { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '99' } });
      }),
    );
    const app = scoutApp();
    const client = new ScoutClient(app.scout, app.hubAuth.kind);
    const result = await client.query(ORGANIZATION_STATUS, { organization: 'myorg' }, {});
    expect(body).toEqual({
      query: ORGANIZATION_STATUS.document,
      variables: { context: { organization: 'myorg' } },
      operationName: 'OrganizationStatus',
    });
    expect(headers?.get('authorization')).toBe(`Bearer ${counters.jwt}`);
    expect(headers?.get('content-type')).toBe('application/json');
    expect(result.data).toEqual(ORG_STATUS);
    expect(app.rateLimits.get('scout')).toMatchObject({ limit: 100, remaining: 99 });
  });

  it('one Hub JWT mint serves every Scout call, sequential or concurrent', async () => {
    msw.server.use(
      scout.query('OrganizationStatus', ({ request }) => {
        expect(request.headers.get('authorization')).toBe(`Bearer ${counters.jwt}`);
        return HttpResponse.json({ data: ORG_STATUS });
      }),
      scout.query('ImageVulnerabilities', () => HttpResponse.json({ data: packagesAnswer(AMD64, []) })),
    );
    const app = scoutApp();
    await Promise.all([
      callScout(app, { action: 'status', org: 'myorg' }),
      callScout(app, { action: 'status', org: 'myorg' }),
      callScout(app, { action: 'cves', repo: 'myorg/app:1.0' }),
    ]);
    dataOf(await callScout(app, { action: 'status', org: 'myorg' }));
    expect(counters.mints).toBe(1);
    expect(app.hubAuth.mints).toBe(1);
  });

  it('sends no Authorization when no credentials are configured (public data)', async () => {
    msw.server.use(
      scout.query('OrganizationStatus', ({ request }) => {
        expect(request.headers.get('authorization')).toBeNull();
        return HttpResponse.json({ data: ORG_STATUS });
      }),
    );
    dataOf(await callScout(scoutApp({}), { action: 'status', org: 'myorg' }));
    expect(counters.mints).toBe(0);
  });
});

describe('errors', () => {
  it('GraphQL errors with HTTP 200 become an isError result', async () => {
    msw.server.use(
      scout.query('OrganizationStatus', () =>
        HttpResponse.json({ data: null, errors: [{ message: 'downstream timed out', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR' } }] }),
      ),
    );
    const result = await callScout(scoutApp(), { action: 'status', org: 'myorg' });
    expect(result.isError).toBe(true);
    expect(errorOf(result)).toMatchObject({ type: 'upstream_error', message: 'Scout OrganizationStatus: downstream timed out' });
  });

  it('errors alongside partial data still fail the call', async () => {
    msw.server.use(
      scout.query('OrganizationStatus', () => HttpResponse.json({ data: ORG_STATUS, errors: [{ message: 'partial failure' }] })),
    );
    expect(errorOf(await callScout(scoutApp(), { action: 'status', org: 'myorg' })).message).toContain('partial failure');
  });

  it('FORBIDDEN in extensions.status is an entitlement error with the PAT hint', async () => {
    msw.server.use(
      scout.query('OrganizationStatus', () =>
        HttpResponse.json({
          data: null,
          errors: [{ message: 'access denied', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', status: 'FORBIDDEN' } }],
        }),
      ),
    );
    const error = errorOf(await callScout(scoutApp(), { action: 'status', org: 'myorg' }));
    expect(error).toMatchObject({ type: 'forbidden', status: 403 });
    expect(error.hint).toContain("Docker Scout must be enabled for 'myorg'");
    expect(error.hint).toContain('organization access tokens do not work with Scout');
  });

  it('HTTP 402 and 403 are entitlement errors; with an OAT configured the hint says so', async () => {
    msw.server.use(
      scout.query('OrganizationStatus', () => HttpResponse.json({ errors: [{ message: 'payment required' }] }, { status: 402 })),
    );
    const paid = errorOf(await callScout(scoutApp(), { action: 'status', org: 'myorg' }));
    expect(paid).toMatchObject({ type: 'forbidden', status: 402 });
    expect(paid.message).toContain('payment required');
    expect(paid.hint).toContain('personal access token');

    msw.server.use(http.post(`${SCOUT_URL}/v1/graphql`, () => HttpResponse.json({ message: 'forbidden' }, { status: 403 })));
    const oat = errorOf(
      await callScout(scoutApp({ DOCKER_HUB_USER: 'myorg', DOCKER_HUB_TOKEN: 'dckr_oat_abcdefghijklmnop' }), {
        action: 'status',
        org: 'myorg',
      }),
    );
    expect(oat).toMatchObject({ type: 'forbidden', status: 403 });
    expect(oat.hint).toMatch(/^The server uses an organization access token, which Scout rejects/);
  });

  it('a 401 re-mints the JWT once, then explains', async () => {
    let calls = 0;
    msw.server.use(
      http.post(`${SCOUT_URL}/v1/graphql`, () => {
        calls++;
        return HttpResponse.json({ message: 'unauthorized' }, { status: 401 });
      }),
    );
    const error = errorOf(await callScout(scoutApp(), { action: 'status', org: 'myorg' }));
    expect(calls).toBe(2);
    expect(counters.mints).toBe(2);
    expect(error).toMatchObject({ type: 'unauthorized', status: 401 });
    expect(error.hint).toContain('personal access token');
  });

  it('a non-JSON answer is an upstream error', async () => {
    msw.server.use(
      http.post(
        `${SCOUT_URL}/v1/graphql`,
        () => new HttpResponse('<html>maintenance</html>', { headers: { 'content-type': 'text/html' } }),
      ),
    );
    expect(errorOf(await callScout(scoutApp(), { action: 'status', org: 'myorg' }))).toMatchObject({ type: 'upstream_error' });
  });

  it('maps error codes', () => {
    const ctx = { kind: 'pat' as const, organization: 'o' };
    expect(graphqlError([{ message: 'x', extensions: { code: 'UNAUTHENTICATED' } }], 'Op', ctx).type).toBe('unauthorized');
    expect(graphqlError([{ message: 'x', extensions: { code: 'NOT_FOUND' } }], 'Op', ctx).type).toBe('not_found');
    expect(graphqlError([{ message: 'x', extensions: { code: 'BAD_USER_INPUT' } }], 'Op', ctx).type).toBe('bad_request');
    expect(graphqlError([{ message: 'x', extensions: { status: 403 } }], 'Op', ctx).type).toBe('forbidden');
    expect(graphqlError([{ message: 'x' }], 'Op', ctx).type).toBe('upstream_error');
  });
});

describe('the mint is the Hub one', () => {
  it('Scout and Hub calls share the JWT', async () => {
    msw.server.use(
      graphql.link(`${SCOUT_URL}/v1/graphql`).query('OrganizationStatus', () => HttpResponse.json({ data: ORG_STATUS })),
      http.get(`${HUB_URL}/v2/namespaces/${USER}/repositories/app`, ({ request }) => {
        expect(request.headers.get('authorization')).toBe(`Bearer ${counters.jwt}`);
        return HttpResponse.json({ username: USER });
      }),
    );
    const app = scoutApp();
    dataOf(await callScout(app, { action: 'status', org: 'myorg' }));
    await app.hubClient.call(repoRoutes.get, { namespace: USER, repository: 'app' });
    expect(counters.mints).toBe(1);
  });
});
