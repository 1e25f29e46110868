// Turns a failed Hub call into an error the user can act on: which credential was refused and
// why (wrong secret, an organization access token on a route that refuses them, a PAT without
// the scope, a plan-gated feature), or which names to check.
import type { CredentialKind } from '../auth/hub-token.js';
import { ToolError } from '../http/errors.js';
import { pathParams, type AnyArgs, type Route } from './route.js';

export const SCIM_TOKEN_HINT =
  "SCIM calls use the organization's SCIM token, not the Hub login: an owner generates it in the Admin Console (Security → SSO connection → SCIM setup) and the operator sets it as DOCKERHUB_SCIM_TOKEN. SCIM needs a Business plan with SSO.";

const ANONYMOUS_HINT =
  'This needs a Docker Hub login: the operator sets DOCKER_HUB_USER and DOCKER_HUB_TOKEN (a personal access token) or DOCKERHUB_JWT.';

function names(r: Route, args: AnyArgs): string {
  const shown = pathParams(r.path)
    .filter((name) => args[name] !== undefined)
    .map((name) => `${name} '${String(args[name])}'`);
  return shown.length > 0 ? shown.join(', ') : 'the names given';
}

function unauthorizedHint(kind: CredentialKind, r: Route): string {
  if (r.upstream === 'scim') return `The SCIM token was refused. ${SCIM_TOKEN_HINT}`;
  switch (kind) {
    case 'anonymous':
      return ANONYMOUS_HINT;
    case 'jwt':
      return 'DOCKERHUB_JWT was refused; Hub JWTs expire within minutes and a static one cannot be renewed. Prefer DOCKER_HUB_USER + DOCKER_HUB_TOKEN so the server re-mints.';
    default:
      return 'Docker Hub refused a freshly minted token for this call; the account may lack access, or the token was revoked.';
  }
}

function forbiddenHint(kind: CredentialKind, r: Route, detail: string): string {
  if (r.upstream === 'scim') return `The SCIM token lacks access. ${SCIM_TOKEN_HINT}`;
  if (/organization access token|\boat\b/i.test(detail) || (kind === 'oat' && r.oat === false)) {
    return 'This route refuses organization access tokens (dckr_oat_…): use a personal access token of an organization owner for it.';
  }
  const parts: string[] = [];
  if (kind === 'anonymous') parts.push(ANONYMOUS_HINT);
  if (kind === 'pat')
    parts.push(
      `The personal access token may lack the scope${r.scope ? ` (${r.scope})` : ''}, or its user the role, for this; PAT scopes cannot be raised after creation: create a new PAT.`,
    );
  if (kind === 'oat')
    parts.push(
      `The organization access token may lack the scope${r.scope ? ` (${r.scope})` : ''} or the repository for this; an owner edits it in the Admin Console.`,
    );
  if (kind === 'password' || kind === 'jwt') parts.push(`The account may lack the role${r.scope ? ` (${r.scope})` : ''} for this.`);
  if (r.plan) parts.push(`This feature needs a Docker ${r.plan} plan.`);
  else parts.push('Some features need a paid Docker plan.');
  return parts.join(' ');
}

/** Rewrites the hint of a Hub error for this route and credential; other errors pass unchanged. */
export function withHint(error: unknown, r: Route, args: AnyArgs, kind: CredentialKind): unknown {
  if (!(error instanceof ToolError) || error.status === undefined) return error;
  let hint: string | undefined;
  if (error.status === 401) hint = unauthorizedHint(kind, r);
  else if (error.status === 403) hint = forbiddenHint(kind, r, error.message);
  else if (error.status === 404) {
    hint = `Check ${names(r, args)}: names are case-sensitive${kind === 'anonymous' ? ', and private or organization data answers 404 without a login' : ''}.`;
    if (r.offSpec) hint += ' This route is not in Docker’s published API and may not be available.';
  }
  if (hint === undefined) return error;
  return new ToolError(error.type, error.message, error.status, hint);
}
