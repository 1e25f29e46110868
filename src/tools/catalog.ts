// The catalog: every tool the server can serve, in the order tools/list shows them, and the
// subset a configuration enables. The README's tool table is rendered from this list.
import { TOOL_NAMES, type ToolName } from '../config-spec.js';
import type { AppContext } from '../context.js';
import type { ToolSpec } from './framework.js';
import { createHubAdminTool } from './hub-admin.js';
import { createHubAuditTool } from './hub-audit.js';
import { createHubAuthTool } from './hub-auth.js';
import { createHubOrgTool } from './hub-org.js';
import { createHubReposTool } from './hub-repos.js';
import { createHubScimTool } from './hub-scim.js';
import { createHubTeamsTool } from './hub-teams.js';
import { createHubRegistryTool } from './hub-registry.js';
import { createHubScoutTool } from './hub-scout.js';

/** The tools named in `enabled` that exist, in catalog order. */
export function buildTools(enabled: readonly ToolName[]): readonly ToolSpec<AppContext>[] {
  const served: ToolSpec<AppContext>[] = [];
  const candidates = [
    createHubAuthTool(),
    createHubReposTool(),
    createHubOrgTool(),
    createHubTeamsTool(),
    createHubAuditTool(),
    createHubScimTool(),
    createHubAdminTool(() => served),
    createHubRegistryTool(),
    createHubScoutTool(),
  ];
  const wanted = new Set(enabled);
  for (const tool of candidates) if (wanted.has(tool.name)) served.push(tool);
  return served;
}

export function allTools(): readonly ToolSpec<AppContext>[] {
  return buildTools(TOOL_NAMES);
}
