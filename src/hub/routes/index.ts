// Every Hub route table, by the tool that serves it (the contract tests walk this).
import type { Route } from '../route.js';
import { auditRoutes } from './audit.js';
import { authRoutes } from './auth.js';
import { orgRoutes } from './org.js';
import { repoRoutes } from './repos.js';
import { scimRoutes } from './scim.js';
import { teamRoutes } from './teams.js';

export const HUB_ROUTE_TABLES: Readonly<Record<string, Readonly<Record<string, Route>>>> = {
  hub_auth: authRoutes,
  hub_repos: repoRoutes,
  hub_org: orgRoutes,
  hub_teams: teamRoutes,
  hub_audit: auditRoutes,
  hub_scim: scimRoutes,
};
