// hub_scim: SCIM 2.0 user provisioning, on the organization's SCIM token (DOCKERHUB_SCIM_TOKEN).
import type { AppContext } from '../context.js';
import { scimRoutes } from '../hub/routes/scim.js';
import { toolUnavailable } from './availability.js';
import type { ToolSpec } from './framework.js';
import { routeActions } from './hub-shared/route-actions.js';

export function createHubScimTool(): ToolSpec<AppContext> {
  return {
    name: 'hub_scim',
    title: 'Hub SCIM',
    description: 'SCIM users; needs DOCKERHUB_SCIM_TOKEN.',
    openWorld: true,
    actions: routeActions('hub_scim', scimRoutes),
    // Every SCIM call authenticates with the organization's SCIM token and nothing else.
    unavailable: (config) => toolUnavailable('hub_scim', config),
  };
}
