// hub_scim routes: SCIM 2.0 user provisioning. These use the organization's SCIM bearer token
// (DOCKERHUB_SCIM_TOKEN; the spec's bearerSCIMAuth) and application/scim+json, never the Hub JWT.
import { z } from 'zod';
import { int, route, segment, text } from '../route.js';

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const userId = segment('SCIM user id');
const givenName = text('Given (first) name', 255).optional();
const familyName = text('Family (last) name', 255).optional();
const active = z.boolean().describe('false deactivates the user');
const base = '/v2/scim/2.0';

/** SCIM PATCH operations (RFC 7644 §3.5.2) for the fields given. */
function patchOperations(args: Record<string, unknown>): unknown[] {
  const ops: unknown[] = [];
  if (args.active !== undefined) ops.push({ op: 'replace', path: 'active', value: args.active });
  if (args.given_name !== undefined) ops.push({ op: 'replace', path: 'name.givenName', value: args.given_name });
  if (args.family_name !== undefined) ops.push({ op: 'replace', path: 'name.familyName', value: args.family_name });
  return ops;
}

export const scimRoutes = {
  service_provider_config: route({
    description: 'SCIM features supported',
    method: 'GET',
    path: `${base}/ServiceProviderConfig`,
    params: {},
    upstream: 'scim',
  }),
  resource_types: route({ description: 'resource types', method: 'GET', path: `${base}/ResourceTypes`, params: {}, upstream: 'scim' }),
  resource_type: route({
    description: 'resource type',
    method: 'GET',
    path: `${base}/ResourceTypes/{name}`,
    params: { name: segment('Resource type, e.g. User') },
    upstream: 'scim',
  }),
  schemas: route({ description: 'schemas', method: 'GET', path: `${base}/Schemas`, params: {}, upstream: 'scim' }),
  schema: route({
    description: 'schema',
    method: 'GET',
    path: `${base}/Schemas/{schema_id}`,
    params: { schema_id: segment('Schema URN (urn:ietf:…)') },
    upstream: 'scim',
  }),
  list_users: route({
    description: 'users, SCIM list',
    method: 'GET',
    path: `${base}/Users`,
    params: {
      start_index: int('1-based first index', 1, 1000000).optional(),
      count: int('1-200', 1, 200).optional(),
      filter: text('SCIM filter, e.g. userName eq "a@b.c"', 1000).optional(),
      sort_by: text('Attribute to sort by', 100).optional(),
      sort_order: z.enum(['ascending', 'descending']).optional().describe('Direction of sort_by'),
      all_pages: z.boolean().optional().describe('Fetch every page (capped)'),
    },
    query: { filter: 'filter', sort_by: 'sortBy', sort_order: 'sortOrder' },
    paging: { mode: 'scim', items: 'Resources' },
    upstream: 'scim',
  }),
  get_user: route({
    description: 'one user',
    method: 'GET',
    path: `${base}/Users/{user_id}`,
    params: { user_id: userId },
    upstream: 'scim',
  }),
  create_user: route({
    description: 'provision a user',
    method: 'POST',
    path: `${base}/Users`,
    params: {
      user_name: z
        .string()
        .refine((v) => v.length <= 255 && /^[^@\s]+@[^@\s]+$/.test(v), { message: 'must be an email address' })
        .describe('Email, the login'),
      given_name: givenName,
      family_name: familyName,
    },
    body: {
      schemas: { value: [SCIM_USER_SCHEMA] },
      userName: 'user_name',
      name: { fields: { givenName: 'given_name', familyName: 'family_name' } },
    },
    write: true,
    upstream: 'scim',
  }),
  update_user: route({
    description: 'replace user; fields left out clear',
    method: 'PUT',
    path: `${base}/Users/{user_id}`,
    params: { user_id: userId, given_name: givenName, family_name: familyName, active: active.optional() },
    // Docker's PUT deactivates a user when `enabled` is left out, so it is always sent.
    body: {
      schemas: { value: [SCIM_USER_SCHEMA] },
      name: { fields: { givenName: 'given_name', familyName: 'family_name' } },
      enabled: { param: 'active', default: true },
    },
    // A PUT replaces the whole user: a name left out is cleared, active:false disables them.
    destructive: true,
    preview: `${base}/Users/{user_id}`,
    clears: ['name.givenName', 'name.familyName'],
    upstream: 'scim',
  }),
  patch_user: route({
    description: 'change name or active flag',
    method: 'PATCH',
    path: `${base}/Users/{user_id}`,
    params: { user_id: userId, active: active.optional(), given_name: givenName, family_name: familyName },
    body: { schemas: { value: [SCIM_PATCH_SCHEMA] }, Operations: { build: patchOperations } },
    atLeastOne: ['active', 'given_name', 'family_name'],
    write: true,
    // Disabling a user revokes their access to the organization.
    destructiveWhen: {
      args: 'active:false',
      reason: (args) => (args.active === false ? 'active:false deactivates the user (a revocation)' : undefined),
    },
    preview: `${base}/Users/{user_id}`,
    upstream: 'scim',
    offSpec: 'RFC 7644 §3.5.2 (SCIM PATCH); ServiceProviderConfig reports patch support',
  }),
  delete_user: route({
    description: 'delete the user',
    method: 'DELETE',
    path: `${base}/Users/{user_id}`,
    params: { user_id: userId },
    destructive: true,
    preview: `${base}/Users/{user_id}`,
    upstream: 'scim',
    offSpec: 'RFC 7644 §3.6 (SCIM DELETE)',
  }),
};
