// hub_auth routes: token minting (current and legacy login), personal access tokens (PATs) and
// organization access tokens (OATs).
import { z } from 'zod';
import { dateTime, pageParams, route, segment, text, type AnyArgs } from '../route.js';

export const PAT_SCOPES = ['repo:admin', 'repo:write', 'repo:read', 'repo:public_read'] as const;

const uuid = segment('PAT id (uuid)');
const org = segment('Org name, e.g. acme');
const tokenId = segment('OAT id (uuid)');
const tokenLabel = text('Label for the PAT', 100);
const label = text('Label for the OAT', 100);
const description = text('Free-text token description', 1000);
const isActive = z.boolean().describe('false deactivates the token');
const expiresAt = dateTime('RFC 3339');
const resourceItem = z.strictObject({
  type: z.enum(['TYPE_REPO', 'TYPE_ORG']),
  path: text('Repo glob or org'),
  scopes: z.array(text('')).refine((v) => v.length > 0),
});
// Typed items: Gemini refuses an array whose items have no type, and then every tool of the server.
const resources = z
  .array(resourceItem)
  .refine((items) => items.length > 0, { message: 'must be a non-empty list of {type, path, scopes}' })
  .describe('Access the token grants');

// Deactivating a token revokes it until someone turns it back on; replacing an OAT's resources can
// take away access a pipeline relies on. Either is a destructive effect of an `update`.
const deactivates = (args: AnyArgs): string | undefined =>
  args.is_active === false ? 'is_active:false deactivates the token (a revocation)' : undefined;

export const authRoutes = {
  create_token: route({
    description: 'check credentials: claims, expiry',
    method: 'POST',
    path: '/v2/auth/token',
    params: {
      identifier: text('Docker ID or org name', 255),
      secret: text('Password, PAT or OAT', 4096),
    },
    body: { identifier: 'identifier', secret: 'secret' },
    upstream: 'public',
  }),
  login: route({
    description: 'legacy password login: claims or 2FA step',
    method: 'POST',
    path: '/v2/users/login',
    params: {
      username: segment('Docker ID (username)'),
      password: text('Password/PAT', 4096),
    },
    body: { username: 'username', password: 'password' },
    upstream: 'public',
    acceptStatus: [401],
  }),
  two_factor_login: route({
    description: 'finish a 2FA login: claims',
    method: 'POST',
    path: '/v2/users/2fa-login',
    params: {
      code: z
        .string()
        .refine((v) => /^\d{6,8}$/.test(v), { message: 'must be a 6-8 digit code' })
        .describe('6-8 digit TOTP'),
      login_2fa_token: text('From login; the server keeps it', 4096).optional(),
    },
    body: { login_2fa_token: 'login_2fa_token', code: 'code' },
    upstream: 'public',
  }),
  list_pats: route({
    description: 'your PATs',
    method: 'GET',
    path: '/v2/access-tokens',
    params: { ...pageParams },
    paging: { mode: 'next', items: 'results' },
    oat: false,
  }),
  create_pat: route({
    description: 'new PAT',
    method: 'POST',
    path: '/v2/access-tokens',
    params: {
      token_label: tokenLabel,
      scopes: z
        .array(z.enum(PAT_SCOPES))
        .refine((v) => v.length > 0, { message: 'must have at least 1 item' })
        .describe('Access scopes to grant'),
      expires_at: expiresAt.optional(),
    },
    body: { token_label: 'token_label', scopes: 'scopes', expires_at: 'expires_at' },
    write: true,
    oat: false,
  }),
  get_pat: route({
    description: 'one PAT',
    method: 'GET',
    path: '/v2/access-tokens/{uuid}',
    params: { uuid },
    oat: false,
  }),
  update_pat: route({
    description: 'relabel or (de)activate a PAT',
    method: 'PATCH',
    path: '/v2/access-tokens/{uuid}',
    params: { uuid, token_label: tokenLabel.optional(), is_active: isActive.optional() },
    body: { token_label: 'token_label', is_active: 'is_active' },
    atLeastOne: ['token_label', 'is_active'],
    write: true,
    destructiveWhen: { args: 'is_active:false', reason: deactivates },
    preview: '/v2/access-tokens/{uuid}',
    oat: false,
  }),
  delete_pat: route({
    description: 'revoke a PAT',
    method: 'DELETE',
    path: '/v2/access-tokens/{uuid}',
    params: { uuid },
    destructive: true,
    preview: '/v2/access-tokens/{uuid}',
    oat: false,
  }),
  list_oats: route({
    description: 'org access tokens',
    method: 'GET',
    path: '/v2/orgs/{org}/access-tokens',
    params: { org, ...pageParams },
    paging: { mode: 'next', items: 'results' },
    scope: 'organization owner',
  }),
  create_oat: route({
    description: 'new OAT',
    method: 'POST',
    path: '/v2/orgs/{org}/access-tokens',
    params: { org, label, description: description.optional(), expires_at: expiresAt.optional(), resources: resources.optional() },
    body: { label: 'label', description: 'description', resources: 'resources', expires_at: 'expires_at' },
    write: true,
    scope: 'organization owner',
    plan: 'Team or Business',
  }),
  get_oat: route({
    description: 'one OAT',
    method: 'GET',
    path: '/v2/orgs/{org}/access-tokens/{token_id}',
    params: { org, token_id: tokenId },
    scope: 'organization owner',
  }),
  update_oat: route({
    description: 'relabel, rescope or (de)activate an OAT',
    method: 'PATCH',
    path: '/v2/orgs/{org}/access-tokens/{token_id}',
    params: {
      org,
      token_id: tokenId,
      label: label.optional(),
      description: description.optional(),
      is_active: isActive.optional(),
      resources: resources.optional(),
    },
    body: { label: 'label', description: 'description', resources: 'resources', is_active: 'is_active' },
    atLeastOne: ['label', 'description', 'is_active', 'resources'],
    write: true,
    destructiveWhen: {
      args: 'is_active:false or resources',
      reason: (args) =>
        deactivates(args) ??
        (args.resources !== undefined ? "resources replaces the token's whole access (it can take access away)" : undefined),
    },
    preview: '/v2/orgs/{org}/access-tokens/{token_id}',
    scope: 'organization owner',
  }),
  delete_oat: route({
    description: 'revoke an OAT',
    method: 'DELETE',
    path: '/v2/orgs/{org}/access-tokens/{token_id}',
    params: { org, token_id: tokenId },
    destructive: true,
    preview: '/v2/orgs/{org}/access-tokens/{token_id}',
    scope: 'organization owner',
  }),
};
