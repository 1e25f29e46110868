// hub_repos routes: repositories, tags, immutable tags, team permissions, search, namespaces.
import { z } from 'zod';
import { int, pageParams, route, segment, text } from '../route.js';

export const REPO_ORDERING = ['name', '-name', 'last_updated', '-last_updated', 'pull_count', '-pull_count'] as const;
export const TAG_ORDERING = ['name', '-name', 'last_updated', '-last_updated'] as const;
const REPO_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export const namespace = segment('User or org, e.g. library');
export const repository = segment('Repo name, e.g. nginx');
export const tag = segment('Tag name, e.g. latest', 128);
const repoPath = '/v2/namespaces/{namespace}/repositories/{repository}';
const shortDescription = text('One-line description (100 chars)', 100);
const fullDescription = text('README text, Markdown', 25000);
const rules = z
  .array(text(''))
  .refine((v) => v.length <= 100, { message: 'must have at most 100 items' })
  .describe('Tag regexes, e.g. ^v1');

export const repoRoutes = {
  list: route({
    description: 'repos with pull counts',
    method: 'GET',
    path: '/v2/namespaces/{namespace}/repositories',
    params: {
      namespace,
      name: text('Name filter; create: new repo name', 255).optional(),
      ordering: z.enum(REPO_ORDERING).optional().describe('Sort key (- descending)'),
      ...pageParams,
    },
    query: { name: 'name', ordering: 'ordering' },
    paging: { mode: 'next', items: 'results' },
  }),
  create: route({
    description: 'new repo',
    method: 'POST',
    path: '/v2/namespaces/{namespace}/repositories',
    params: {
      namespace,
      name: z
        .string()
        .refine((v) => v.length >= 2 && v.length <= 255 && REPO_NAME.test(v), {
          message: `must be 2-255 characters matching ${REPO_NAME.source}`,
        })
        .describe('New repo name'),
      description: shortDescription.optional(),
      full_description: fullDescription.optional(),
      registry: text('Registry host (docker.io)', 255).optional(),
      is_private: z.boolean().optional().describe('Private repo (false)'),
    },
    body: {
      name: 'name',
      namespace: 'namespace',
      description: 'description',
      full_description: 'full_description',
      registry: { param: 'registry', default: 'docker.io' },
      is_private: { param: 'is_private', default: false },
    },
    write: true,
    scope: 'repo:admin or scope-repository-create',
  }),
  get: route({ description: 'one repo: stats, settings', method: 'GET', path: repoPath, params: { namespace, repository } }),
  check: route({ description: 'exists: true/false', method: 'HEAD', path: repoPath, params: { namespace, repository }, exists: true }),
  update: route({
    description: 'set descriptions',
    method: 'PATCH',
    path: repoPath,
    params: { namespace, repository, description: shortDescription.optional(), full_description: fullDescription.optional() },
    body: { description: 'description', full_description: 'full_description' },
    atLeastOne: ['description', 'full_description'],
    write: true,
    offSpec: 'docker/hub-mcp (updateRepositoryInfo); DOCS list it for OATs',
    scope: 'repo:write',
  }),
  delete: route({
    description: 'delete the repo',
    method: 'DELETE',
    path: repoPath,
    params: { namespace, repository },
    destructive: true,
    preview: repoPath,
    offSpec: 'DOCS (OAT route list: repository delete)',
    scope: 'repo:admin',
  }),
  list_tags: route({
    description: 'tags with digests, dates',
    method: 'GET',
    path: `${repoPath}/tags`,
    params: {
      namespace,
      repository,
      name: text('Name filter; create: new repo name', 255).optional(),
      ordering: z.enum(TAG_ORDERING).optional().describe('Sort key (- descending)'),
      ...pageParams,
    },
    query: { name: 'name', ordering: 'ordering' },
    offSpecQuery: ['name', 'ordering'],
    paging: { mode: 'next', items: 'results' },
  }),
  check_tags: route({
    description: 'has tags: true/false',
    method: 'HEAD',
    path: `${repoPath}/tags`,
    params: { namespace, repository },
    exists: true,
  }),
  get_tag: route({
    description: 'one tag: images, dates',
    method: 'GET',
    path: `${repoPath}/tags/{tag}`,
    params: { namespace, repository, tag },
  }),
  check_tag: route({
    description: 'exists: true/false',
    method: 'HEAD',
    path: `${repoPath}/tags/{tag}`,
    params: { namespace, repository, tag },
    exists: true,
  }),
  delete_tag: route({
    description: 'delete the tag',
    method: 'DELETE',
    path: `${repoPath}/tags/{tag}`,
    params: { namespace, repository, tag },
    destructive: true,
    preview: `${repoPath}/tags/{tag}`,
    offSpec: 'DOCS (OAT route list: tag delete)',
    scope: 'repo:admin',
  }),
  set_immutable_tags: route({
    description: 'tag immutability on/off, rules',
    method: 'PATCH',
    path: `${repoPath}/immutabletags`,
    params: { namespace, repository, enabled: z.boolean().describe('Immutability on (true)'), rules: rules.optional() },
    body: { immutable_tags: 'enabled', immutable_tags_rules: { param: 'rules', default: [] } },
    write: true,
    // Turning protection off lets every tag be overwritten: a revocation of a guarantee.
    destructiveWhen: {
      args: 'enabled:false',
      reason: (args) => (args.enabled === false ? 'enabled:false lifts tag immutability, so every tag can be overwritten' : undefined),
    },
    // The repository's own record carries its immutable-tags settings.
    preview: repoPath,
    scope: 'repo:admin or scope-repository-settings-admin',
  }),
  verify_immutable_tags: route({
    description: 'tags each rule matches',
    method: 'POST',
    path: `${repoPath}/immutabletags/verify`,
    params: { namespace, repository, rules: rules.refine((v) => v.length > 0, { message: 'must have at least 1 item' }) },
    // One request per rule: the API takes a single regex.
    body: { regex: { build: (args): unknown => (Array.isArray(args.rules) ? (args.rules as unknown[])[0] : undefined) } },
  }),
  assign_group: route({
    description: 'grant a team access',
    method: 'POST',
    path: '/v2/repositories/{namespace}/{repository}/groups',
    params: {
      namespace,
      repository,
      group_id: int('Team id (number)', 1, Number.MAX_SAFE_INTEGER),
      permission: z.enum(['read', 'write', 'admin']).describe('Team access level'),
    },
    body: { group_id: 'group_id', permission: 'permission' },
    write: true,
    scope: 'repo:admin',
  }),
  search: route({
    description: 'public repos',
    method: 'GET',
    path: '/api/search/v4',
    params: {
      query: text('Search words, e.g. nginx', 255),
      official: z.boolean().optional().describe('Only Docker Official Images'),
      verified: z.boolean().optional().describe('Only Verified Publishers'),
      ...pageParams,
    },
    query: { query: 'query' },
    queryConst: { type: 'image' },
    queryFrom: (args) => {
      const badges = [args.official === true ? 'official' : undefined, args.verified === true ? 'verified_publisher' : undefined].filter(
        Boolean,
      );
      return { badges: badges.length > 0 ? badges.join(',') : undefined };
    },
    upstream: 'public',
    paging: { mode: 'offset', items: 'results' },
    offSpec: 'docker/hub-mcp (search v4)',
  }),
  list_namespaces: route({
    description: 'your namespaces',
    method: 'GET',
    path: '/v2/user/orgs',
    params: { ...pageParams },
    paging: { mode: 'next', items: 'results' },
    offSpec: 'docker/hub-mcp (listNamespaces: GET /v2/user/orgs)',
    oat: false,
  }),
};
