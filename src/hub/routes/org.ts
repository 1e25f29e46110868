// hub_org routes: organization settings, members and invites.
import { z } from 'zod';
import { pageParams, route, segment, text } from '../route.js';

export const ROLES = ['owner', 'editor', 'member'] as const;

const org = segment('Org');
const username = segment('Docker ID');
const inviteId = segment('Invite id');
const role = z.enum(ROLES).describe('Role');

export const orgRoutes = {
  get_settings: route({
    description: 'settings',
    method: 'GET',
    path: '/v2/orgs/{org}/settings',
    params: { org },
    scope: 'organization owner',
  }),
  bulk_invite: route({
    description: 'invite',
    method: 'POST',
    path: '/v2/invites/bulk',
    params: {
      org,
      invitees: z
        .array(text(''))
        .refine((v) => v.length >= 1 && v.length <= 1000, { message: 'must have 1-1000 items' })
        .describe('Emails/IDs'),
      team: text('Team', 255).optional(),
      role: role.optional(),
      dry_run: z.boolean().optional().describe('Validate only, change nothing'),
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
    description: 'restricted images',
    method: 'PUT',
    path: '/v2/orgs/{org}/settings',
    params: {
      org,
      restricted_images_enabled: z.boolean().describe('On'),
      allow_official_images: z.boolean().optional().describe('Default true'),
      allow_verified_publishers: z.boolean().optional().describe('Default true'),
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
    description: 'members',
    method: 'GET',
    path: '/v2/orgs/{org}/members',
    params: {
      org,
      search: text('Search', 255).optional(),
      member_type: z.enum(['all', 'invitee', 'member']).optional().describe('Type'),
      role: role.optional(),
      ...pageParams,
    },
    query: { search: 'search', member_type: 'type', role: 'role' },
    paging: { mode: 'next', items: 'results' },
    plan: 'Team or Business',
  }),
  export_members: route({
    description: 'CSV',
    method: 'GET',
    path: '/v2/orgs/{org}/members/export',
    params: { org },
    accept: 'text/csv',
    read: 'text',
    plan: 'Team or Business',
  }),
  update_member: route({
    description: 'set role',
    method: 'PUT',
    path: '/v2/orgs/{org}/members/{username}',
    params: { org, username, role },
    body: { role: 'role' },
    write: true,
    scope: 'organization owner',
  }),
  remove_member: route({
    description: 'remove member',
    method: 'DELETE',
    path: '/v2/orgs/{org}/members/{username}',
    params: { org, username },
    destructive: true,
    scope: 'organization owner',
  }),
  list_invites: route({
    description: 'invites',
    method: 'GET',
    path: '/v2/orgs/{org}/invites',
    params: { org, ...pageParams },
    paging: { mode: 'local', items: 'data' },
  }),
  delete_invite: route({
    description: 'cancel',
    method: 'DELETE',
    path: '/v2/invites/{invite_id}',
    params: { invite_id: inviteId },
    destructive: true,
  }),
  resend_invite: route({
    description: 'resend',
    method: 'PATCH',
    path: '/v2/invites/{invite_id}/resend',
    params: { invite_id: inviteId },
    write: true,
  }),
};
