// hub_teams routes: an organization's teams (the API calls them groups) and their members.
import { pageParams, route, segment, text } from '../route.js';

const org = segment('Org name, e.g. acme');
const groupName = segment('Team name (slug)');
const search = text('Team name contains', 255).optional();
const name = text('Team name to set', 255);
const description = text('Free-text team description', 1000);
const groupPath = '/v2/orgs/{org}/groups/{group_name}';

export const teamRoutes = {
  list: route({
    description: 'org teams',
    method: 'GET',
    path: '/v2/orgs/{org}/groups',
    params: { org, search, ...pageParams },
    query: { search: 'search' },
    paging: { mode: 'next', items: 'results' },
    plan: 'Team or Business',
  }),
  create: route({
    description: 'new team',
    method: 'POST',
    path: '/v2/orgs/{org}/groups',
    params: { org, name, description: description.optional() },
    body: { name: 'name', description: 'description' },
    write: true,
    scope: 'organization owner',
  }),
  get: route({ description: 'one team', method: 'GET', path: groupPath, params: { org, group_name: groupName } }),
  update: route({
    description: 'replace name and description',
    method: 'PUT',
    path: groupPath,
    params: { org, group_name: groupName, name: name.optional(), description: description.optional() },
    // PUT requires `name`: keep the current one when only the description changes.
    body: { name: { build: (args) => args.name ?? args.group_name }, description: 'description' },
    atLeastOne: ['name', 'description'],
    // A PUT replaces the whole group: a description left out is cleared. `patch` edits in place.
    destructive: true,
    preview: groupPath,
    clears: ['description'],
    scope: 'organization owner',
  }),
  patch: route({
    description: 'change name or description',
    method: 'PATCH',
    path: groupPath,
    params: { org, group_name: groupName, name: name.optional(), description: description.optional() },
    body: { name: 'name', description: 'description' },
    atLeastOne: ['name', 'description'],
    write: true,
    scope: 'organization owner',
  }),
  delete: route({
    description: 'delete a team',
    method: 'DELETE',
    path: groupPath,
    params: { org, group_name: groupName },
    destructive: true,
    preview: groupPath,
    scope: 'organization owner',
  }),
  list_members: route({
    description: 'team members',
    method: 'GET',
    path: `${groupPath}/members`,
    params: { org, group_name: groupName, search, ...pageParams },
    query: { search: 'search' },
    paging: { mode: 'next', items: 'results' },
  }),
  add_member: route({
    description: 'add a member',
    method: 'POST',
    path: `${groupPath}/members`,
    params: { org, group_name: groupName, member: text('Docker ID or email', 255) },
    body: { member: 'member' },
    write: true,
    scope: 'organization owner',
  }),
  remove_member: route({
    description: 'remove a member',
    method: 'DELETE',
    path: `${groupPath}/members/{username}`,
    params: { org, group_name: groupName, username: segment('Docker ID (username)') },
    destructive: true,
    scope: 'organization owner',
  }),
};
