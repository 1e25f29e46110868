// hub_org: organization settings, members (CSV export included) and invites.
import type { AppContext } from '../context.js';
import { orgRoutes } from '../hub/routes/org.js';
import type { ToolSpec } from './framework.js';
import { routeActions } from './hub-shared/route-actions.js';

export function createHubOrgTool(): ToolSpec<AppContext> {
  return {
    name: 'hub_org',
    title: 'Hub orgs',
    description: 'Org settings, members, invites.',
    openWorld: true,
    actions: routeActions('hub_org', orgRoutes),
  };
}
