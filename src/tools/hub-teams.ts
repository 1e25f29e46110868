// hub_teams: an organization's teams (the API calls them groups) and their members.
import type { AppContext } from '../context.js';
import { teamRoutes } from '../hub/routes/teams.js';
import type { ToolSpec } from './framework.js';
import { routeActions } from './hub-shared/route-actions.js';

export function createHubTeamsTool(): ToolSpec<AppContext> {
  return {
    name: 'hub_teams',
    title: 'Hub teams',
    description: 'Org teams and members.',
    openWorld: true,
    actions: routeActions('hub_teams', teamRoutes),
  };
}
