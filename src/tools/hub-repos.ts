// hub_repos: repositories, tags, immutable tags, team access, search, namespaces and prune_tags.
import type { AppContext } from '../context.js';
import { envelope, type Envelope } from '../http/envelope.js';
import { ToolError } from '../http/errors.js';
import { pruneParams, pruneTags } from '../hub/prune.js';
import { repoRoutes } from '../hub/routes/repos.js';
import { defineAction, unlisted, type Action, type ToolSpec } from './framework.js';
import { routeActions, type Runner } from './hub-shared/route-actions.js';

const verifyImmutableTags: Runner<typeof repoRoutes.verify_immutable_tags> = async (args, { app, signal }) => {
  const rules = args.rules;
  const results: { regex: string; tags: unknown }[] = [];
  let last: Envelope = envelope(null);
  for (const rule of rules) {
    last = await app.hubClient.call(repoRoutes.verify_immutable_tags, { ...args, rules: [rule] }, signal);
    const data = last.data as { tags?: unknown } | null;
    results.push({ regex: rule, tags: data?.tags ?? data });
  }
  return { ...last, data: { rules: results } };
};

/** The orgs list of Hub's answer; an answer whose `results` is not a list is refused, not guessed at. */
function orgResults(data: unknown): unknown[] {
  const results = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>).results : undefined;
  if (results === undefined || results === null) return [];
  if (!Array.isArray(results)) {
    throw new ToolError('invalid_content', `Hub answered GET /v2/user/orgs with 'results' that is not a list (${typeof results})`);
  }
  return results;
}

const listNamespaces: Runner<typeof repoRoutes.list_namespaces> = async (args, { app, signal }) => {
  const auth = app.hubAuth;
  if (auth.kind === 'anonymous') {
    throw new ToolError(
      'unauthorized',
      'hub_repos.list_namespaces needs a Docker Hub login',
      undefined,
      'The operator sets DOCKER_HUB_USER and DOCKER_HUB_TOKEN (or DOCKERHUB_JWT).',
    );
  }
  if (auth.kind === 'oat') {
    return envelope({
      user: null,
      namespaces: [auth.identity ?? null],
      orgs: null,
      note: 'An organization access token acts for its organization only.',
    });
  }
  const claims = await auth.claims(signal);
  const user = typeof claims.username === 'string' ? claims.username : (auth.identity ?? null);
  const res = await app.hubClient.call(repoRoutes.list_namespaces, args, signal);
  const results = orgResults(res.data);
  const orgNames = results
    .map((o) =>
      o !== null && typeof o === 'object' ? ((o as Record<string, unknown>).orgname ?? (o as Record<string, unknown>).name) : undefined,
    )
    .filter((name): name is string => typeof name === 'string');
  return { ...res, data: { user, namespaces: [...(user ? [user] : []), ...orgNames], orgs: res.data } };
};

export function createHubReposTool(): ToolSpec<AppContext> {
  return {
    name: 'hub_repos',
    title: 'Hub repos',
    description: 'Repos and tags.',
    openWorld: true,
    actions: reposActions(),
  };
}

function reposActions(): Record<string, Action<AppContext>> {
  const routes = routeActions(
    'hub_repos',
    repoRoutes,
    { verify_immutable_tags: verifyImmutableTags, list_namespaces: listNamespaces },
    // Docker Hub repositories live on docker.io, the default; the reference's callers may still say so.
    { create: ['registry'] },
  );
  const out: Record<string, Action<AppContext>> = { ...routes, prune_tags: pruneTagsAction };
  // The reference's existence checks stay callable, unlisted: get, list_tags and get_tag answer
  // the same question (a missing one is not_found).
  for (const name of ['check', 'check_tags', 'check_tag']) out[name] = unlisted(out[name]!);
  return out;
}

const pruneTagsAction: Action<AppContext> = defineAction<typeof pruneParams, AppContext>({
  description: 'dry run unless dry_run:false',
  params: pruneParams,
  destructive: true,
  previewByDefault: true,
  run: (args, ctx) =>
    pruneTags(ctx.app.hubClient, args, {
      signal: ctx.signal,
      progress: (done, total, message) => ctx.progress(done, total, message),
    }),
});
