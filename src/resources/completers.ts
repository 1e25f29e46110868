// Values a client offers while a user types a prompt or resource-template argument: Hub
// namespaces and repositories, registry repositories and tags, a tag's digest. Each completer
// makes at most one or two upstream requests through the same clients (egress policy, auth,
// rate-limit telemetry) as the tools; the caller bounds it in time and swallows its errors.
import type { AppContext } from '../context.js';
import { repoRoutes } from '../hub/routes/repos.js';
import { listPaged } from '../registry/paging.js';
import { formatRef, isDigest, type ImageRef } from '../registry/reference.js';
import { BoundedMap } from '../util/bounded-map.js';

/** What an argument holds, and so how its values are completed. */
export type CompleterKind =
  /** `[host/]name[:tag]`: official images or a namespace's repositories, then tags after `:`. */
  | 'image'
  /** A Docker Hub namespace the login can act in (the user and their organizations). */
  | 'namespace'
  /** A repository of the `namespace` argument on Docker Hub. */
  | 'hub_repository'
  /** A registry host: the configured one or Docker Hub. */
  | 'registry'
  /** A repository path in the `registry` argument's registry. */
  | 'repository'
  /** A digest: the digest of the tag typed so far, in `registry`/`repository`. */
  | 'digest';

export interface Completion {
  values: string[];
  /** More values match than were sent. */
  hasMore: boolean;
}

/** The protocol's cap on values in one completion. */
export const MAX_COMPLETIONS = 100;
/** Tags read for one completion: one or two registry pages, never a whole 10,000-tag history. */
const TAG_SCAN = 1000;

export const EMPTY: Completion = { values: [], hasMore: false };

function pick(candidates: Iterable<string>, prefix: string, more = false): Completion {
  const lower = prefix.toLowerCase();
  const matching = [...new Set(candidates)].filter((value) => value.toLowerCase().startsWith(lower));
  return { values: matching.slice(0, MAX_COMPLETIONS), hasMore: more || matching.length > MAX_COMPLETIONS };
}

const results = (data: unknown): unknown[] => {
  const list = data !== null && typeof data === 'object' ? (data as Record<string, unknown>).results : undefined;
  return Array.isArray(list) ? (list as unknown[]) : [];
};

const nameOf = (item: unknown, ...keys: string[]): string | undefined => {
  if (item === null || typeof item !== 'object') return undefined;
  for (const key of keys) {
    const value = (item as Record<string, unknown>)[key];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
};

async function hubNamespaces(app: AppContext, prefix: string, signal: AbortSignal): Promise<Completion> {
  const auth = app.hubAuth;
  if (auth.kind === 'anonymous') return EMPTY;
  const own = auth.identity ? [auth.identity] : [];
  // An organization access token acts for its organization only, and cannot list orgs.
  if (auth.kind === 'oat') return pick(own, prefix);
  const res = await app.hubClient.call(repoRoutes.list_namespaces, { page_size: 100 }, signal);
  const orgs = results(res.data)
    .map((org) => nameOf(org, 'orgname', 'name'))
    .filter((name): name is string => name !== undefined);
  return pick([...own, ...orgs], prefix);
}

/** Repositories of a Hub namespace whose name starts with `prefix` (Hub filters by substring). */
async function hubRepositories(app: AppContext, namespace: string, prefix: string, signal: AbortSignal): Promise<Completion> {
  const res = await app.hubClient.call(
    repoRoutes.list,
    { namespace, page_size: 100, ordering: 'name', ...(prefix ? { name: prefix } : {}) },
    signal,
  );
  const names = results(res.data)
    .map((repo) => nameOf(repo, 'name'))
    .filter((name): name is string => name !== undefined);
  const next = (res.data as Record<string, unknown> | null)?.next;
  return pick(names, prefix, typeof next === 'string' && next.length > 0);
}

/**
 * Tag lists read for completion, per process, kept briefly: a client asks again at every
 * keystroke, and each ask would otherwise list the repository's tags anew.
 */
const tagLists = new WeakMap<AppContext, BoundedMap<string, { at: number; tags: string[]; truncated: boolean }>>();
export const TAG_LIST_TTL_MS = 30_000;

async function tags(app: AppContext, ref: ImageRef, prefix: string, signal: AbortSignal): Promise<Completion> {
  let cache = tagLists.get(app);
  if (!cache) tagLists.set(app, (cache = new BoundedMap(64)));
  const key = `${ref.registry.origin}/${ref.repository}`;
  let entry = cache.get(key);
  if (!entry || Date.now() - entry.at > TAG_LIST_TTL_MS) {
    const listed = await listPaged(app.registry, ref, {
      path: `/v2/${ref.repository}/tags/list`,
      field: 'tags',
      scopes: app.registry.pull(ref),
      maxItems: TAG_SCAN,
      signal,
    });
    entry = { at: Date.now(), tags: listed.items, truncated: listed.truncated === true };
    cache.set(key, entry);
  }
  return pick(entry.tags, prefix, entry.truncated);
}

/** `nginx:1.2` → tags of nginx starting 1.2; `acme/ap` → repositories of acme starting ap; `ngi` → nginx. */
async function images(app: AppContext, value: string, signal: AbortSignal): Promise<Completion> {
  const slash = value.lastIndexOf('/');
  const colon = value.lastIndexOf(':');
  if (colon > slash) {
    const name = value.slice(0, colon);
    const found = await tags(app, app.registry.parse(name), value.slice(colon + 1), signal);
    return { ...found, values: found.values.map((tag) => `${name}:${tag}`) };
  }
  if (slash < 0) {
    // A bare name on Docker Hub is an official image (library/…); two letters before asking.
    if (value.length < 2 || !app.registry.defaultRegistry().dockerHub) return EMPTY;
    return hubRepositories(app, 'library', value, signal);
  }
  const head = value.slice(0, slash);
  const ref = app.registry.parse(`${head}/x`);
  // What the user typed before the repository path (`ghcr.io/`, `docker.io/`, or nothing).
  const repoHead = ref.repository.slice(0, -'/x'.length);
  const typedHost = head.slice(0, head.length - repoHead.length);
  const found = ref.registry.dockerHub
    ? await hubRepositories(app, repoHead.split('/')[0]!, value.slice(slash + 1), signal).then((c) => ({
        ...c,
        values: c.values.map((name) => `${repoHead}/${name}`),
      }))
    : await catalog(app, ref, value.slice(typedHost.length), signal);
  return { ...found, values: found.values.map((path) => `${typedHost}${path}`) };
}

/** A non-Hub registry's catalog (often refused; the caller swallows that) filtered by `prefix`. */
async function catalog(app: AppContext, ref: ImageRef, prefix: string, signal: AbortSignal): Promise<Completion> {
  const listed = await listPaged(
    app.registry,
    { registry: ref.registry, repository: 'catalog' },
    {
      path: '/v2/_catalog',
      field: 'repositories',
      scopes: ['registry:catalog:*'],
      maxItems: TAG_SCAN,
      signal,
    },
  );
  return pick(listed.items, prefix, listed.truncated === true);
}

/** The host a `registry` argument names, as formatRef writes it. */
function hostOf(app: AppContext, registry: string | undefined): string {
  return formatRef({ registry: app.registry.registryNamed(registry), repository: 'x' }).split('/')[0]!;
}

export async function complete(
  app: AppContext,
  kind: CompleterKind,
  value: string,
  context: Readonly<Record<string, string>>,
  signal: AbortSignal,
): Promise<Completion> {
  switch (kind) {
    case 'image':
      return images(app, value, signal);
    case 'namespace':
      return hubNamespaces(app, value, signal);
    case 'hub_repository': {
      const namespace = context.namespace;
      return namespace ? hubRepositories(app, namespace, value, signal) : EMPTY;
    }
    case 'registry':
      return pick([hostOf(app, undefined), 'docker.io'], value);
    case 'repository': {
      if (/[:@]/.test(value)) return EMPTY;
      const host = hostOf(app, context.registry);
      // On Docker Hub a name without a namespace is an official image: library/<name>.
      const official = host === 'docker.io' && !value.includes('/');
      if (official && value.length < 2) return EMPTY;
      const path = official ? `library/${value}` : value;
      const found = await images(app, `${host}/${path}`, signal);
      return { ...found, values: found.values.map((name) => name.slice(host.length + 1)) };
    }
    case 'digest': {
      // A tag typed in the digest field completes to the digest it points at (one HEAD).
      if (!context.repository || value.length === 0 || isDigest(value)) return EMPTY;
      const ref = app.registry.parse(`${hostOf(app, context.registry)}/${context.repository}`, value);
      const head = await app.registry.headManifest(ref, value, signal);
      return head.digest && isDigest(head.digest) ? { values: [head.digest], hasMore: false } : EMPTY;
    }
  }
}
