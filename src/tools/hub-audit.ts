// hub_audit: an organization's activity (audit) log.
import type { AppContext } from '../context.js';
import { auditRoutes } from '../hub/routes/audit.js';
import type { ToolSpec } from './framework.js';
import { routeActions } from './hub-shared/route-actions.js';

export function createHubAuditTool(): ToolSpec<AppContext> {
  return {
    name: 'hub_audit',
    title: 'Hub audit log',
    description: 'Org activity log.',
    openWorld: true,
    actions: routeActions('hub_audit', auditRoutes),
  };
}
