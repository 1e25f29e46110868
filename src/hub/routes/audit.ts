// hub_audit routes: an organization's (or user's) activity log.
import { dateTime, pageParams, route, segment, text } from '../route.js';

const account = segment('Org or user name');

export const auditRoutes = {
  logs: route({
    description: 'audit events',
    method: 'GET',
    path: '/v2/auditlogs/{account}',
    params: {
      account,
      event_action: text('Event name (see actions)', 255).optional(),
      name: text('Object name filter', 255).optional(),
      actor: text('Actor username filter', 255).optional(),
      from_date: dateTime('RFC 3339').optional(),
      to_date: dateTime('RFC 3339').optional(),
      ...pageParams,
    },
    // The tool's own `action` selects the operation, so the upstream `action` filter is event_action.
    query: { event_action: 'action', name: 'name', actor: 'actor', from_date: 'from', to_date: 'to' },
    paging: { mode: 'page', items: 'logs' },
    scope: 'organization owner or scope-activity-read',
    plan: 'Team or Business',
  }),
  actions: route({
    description: 'event names to filter by',
    method: 'GET',
    path: '/v2/auditlogs/{account}/actions',
    params: { account },
    scope: 'organization owner or scope-activity-read',
    plan: 'Team or Business',
  }),
};
