// hub_org routes: organization settings, members and invites.
import { z } from 'zod';
import { pageParams, route, segment, text } from '../route.js';

export const ROLES = ['owner', 'editor', 'member'] as const;

const org = segment('Org name, e.g. acme');
const username = segment('Docker ID (username)');
const inviteId = segment('Invite id (uuid)');
const role = z.enum(ROLES).describe('Org role to give');

/** The member called `username` in a members page (Hub wraps some pages in a one-item array). */
function memberNamed(data: unknown, username: string): unknown {
  const page = Array.isArray(data) && data.length === 1 ? (data[0] as unknown) : data;
  if (page === null || typeof page !== 'object') return null;
  const results = (page as Record<string, unknown>).results;
  if (!Array.isArray(results)) return null;
  const wanted = username.toLowerCase();
  return (
    results.find(
      (m: unknown) =>
        m !== null &&
        typeof m === 'object' &&
        typeof (m as Record<string, unknown>).username === 'string' &&
        ((m as Record<string, unknown>).username as string).toLowerCase() === wanted,
    ) ?? null
  );
}

export const orgRoutes = {
  get_settings: route({
    description: 'org settings',
    method: 'GET',
    path: '/v2/orgs/{org}/settings',
    params: { org },
    scope: 'organization owner',
  }),
  bulk_invite: route({
    description: 'invite people',
    method: 'POST',
    path: '/v2/invites/bulk',
    params: {
      org,
      invitees: z
        .array(text(''))
        .refine((v) => v.length >= 1 && v.length <= 1000, { message: 'must have 1-1000 items' })
        .describe('Emails or Docker IDs'),
      team: text('Team to join', 255).optional(),
      role: role.optional(),
      dry_run: z.boolean().optional().describe('Validate only, invite nobody'),
    },
    body: {
      org: 'org',
      invitees: 'invitees',
      team: 'team',
      role: { param: 'role', default: 'member' },
      dry_run: { param: 'dry_run', default: false },
    },
    write: true,
  }),
  update_settings: route({
    description: 'image-access rules',
    method: 'PUT',
    path: '/v2/orgs/{org}/settings',
    params: {
      org,
      restricted_images_enabled: z.boolean().describe('Restrict images members pull'),
      allow_official_images: z.boolean().optional().describe('Allow Official Images (true)'),
      allow_verified_publishers: z.boolean().optional().describe('Allow Verified Publishers (true)'),
    },
    body: {
      restricted_images: {
        fields: {
          enabled: 'restricted_images_enabled',
          allow_official_images: { param: 'allow_official_images', default: true },
          allow_verified_publishers: { param: 'allow_verified_publishers', default: true },
        },
      },
    },
    destructive: true,
    preview: '/v2/orgs/{org}/settings',
    scope: 'organization owner',
    plan: 'Business',
  }),
  list_members: route({
    description: 'members and roles',
    method: 'GET',
    path: '/v2/orgs/{org}/members',
    params: {
      org,
      search: text('Name or email contains', 255).optional(),
      member_type: z.enum(['all', 'invitee', 'member']).optional().describe('Members, invitees or all'),
      role: role.optional(),
      ...pageParams,
    },
    query: { search: 'search', member_type: 'type', role: 'role' },
    paging: { mode: 'next', items: 'results' },
    plan: 'Team or Business',
  }),
  export_members: route({
    description: 'members as CSV',
    method: 'GET',
    path: '/v2/orgs/{org}/members/export',
    params: { org },
    accept: 'text/csv',
    read: 'text',
    plan: 'Team or Business',
  }),
  update_member: route({
    description: 'change a role',
    method: 'PUT',
    path: '/v2/orgs/{org}/members/{username}',
    params: { org, username, role },
    body: { role: 'role' },
    // Any role change can be a demotion (an owner made a member). There is no GET of one member:
    // a dry run finds them by search.
    destructive: true,
    preview: '/v2/orgs/{org}/members',
    previewQuery: (args) => ({ search: String(args.username) }),
    previewSelect: (data, args) => memberNamed(data, String(args.username)),
    scope: 'organization owner',
  }),
  remove_member: route({
    description: 'remove a member',
    method: 'DELETE',
    path: '/v2/orgs/{org}/members/{username}',
    params: { org, username },
    destructive: true,
    scope: 'organization owner',
  }),
  list_invites: route({
    description: 'pending invites',
    method: 'GET',
    path: '/v2/orgs/{org}/invites',
    params: { org, ...pageParams },
    paging: { mode: 'local', items: 'data' },
  }),
  delete_invite: route({
    description: 'cancel an invite',
    method: 'DELETE',
    path: '/v2/invites/{invite_id}',
    params: { invite_id: inviteId },
    destructive: true,
  }),
  resend_invite: route({
    description: 'resend the email',
    method: 'PATCH',
    path: '/v2/invites/{invite_id}/resend',
    params: { invite_id: inviteId },
    write: true,
  }),
};
