// hub_teams: an organization's teams (the API calls them groups) and their members.
import type { AppContext } from '../context.js';
import { teamRoutes } from '../hub/routes/teams.js';
import { unlisted, type ToolSpec } from './framework.js';
import { routeActions } from './hub-shared/route-actions.js';

export function createHubTeamsTool(): ToolSpec<AppContext> {
  return {
    name: 'hub_teams',
    title: 'Hub teams',
    description: 'Org teams and members.',
    openWorld: true,
    actions: teamActions(),
  };
}

/** The reference's PUT update stays callable, unlisted: patch changes the same fields without replacing the rest. */
function teamActions(): ReturnType<typeof routeActions> {
  const actions = routeActions('hub_teams', teamRoutes);
  return { ...actions, update: unlisted(actions.update!) };
}
