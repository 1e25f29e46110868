// What Scout failures mean for the user: GraphQL `errors` (often with HTTP 200), entitlement
// (402, FORBIDDEN), authentication, and images Scout never analysed.
import type { CredentialKind } from '../auth/hub-token.js';
import { ToolError } from '../http/errors.js';

export interface GraphqlError {
  message?: unknown;
  path?: unknown;
  extensions?: { code?: unknown; status?: unknown; [key: string]: unknown };
}

/** Who the server authenticates as and for which org, to word the hints. */
export interface ScoutErrorContext {
  kind: CredentialKind;
  organization?: string;
}

export function entitlementHint({ kind, organization }: ScoutErrorContext): string {
  const org = organization ? `'${organization}'` : 'the organization (pass org)';
  const base = `Docker Scout must be enabled for ${org}, and the server must use a JWT minted from a personal access token (DOCKER_HUB_USER + DOCKER_HUB_TOKEN=dckr_pat_…) of a member; organization access tokens do not work with Scout.`;
  if (kind === 'oat') return `The server uses an organization access token, which Scout rejects. ${base}`;
  if (kind === 'anonymous') return `No Docker credentials are configured, so only public data is readable. ${base}`;
  return base;
}

export function authHint(kind: CredentialKind): string {
  if (kind === 'anonymous')
    return 'Scout needs a Docker login: set DOCKER_HUB_USER and DOCKER_HUB_TOKEN (a personal access token) or DOCKERHUB_JWT.';
  if (kind === 'oat') return 'Organization access tokens do not work with Scout: use a personal access token (dckr_pat_…).';
  return 'Scout refused the Hub JWT: check DOCKER_HUB_USER / DOCKER_HUB_TOKEN (a personal access token) or DOCKERHUB_JWT.';
}

const text = (value: unknown): string =>
  typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);

/** Maps GraphQL `errors` to one ToolError (the first error decides the type). */
export function graphqlError(errors: readonly GraphqlError[], operation: string, ctx: ScoutErrorContext): ToolError {
  const messages = errors
    .slice(0, 3)
    .map((e) => text(e.message).slice(0, 300))
    .filter(Boolean);
  const message = `Scout ${operation}: ${messages.join('; ') || 'the query failed'}`;
  const signals = errors.map((e) => `${text(e.extensions?.code)} ${text(e.extensions?.status)}`.toUpperCase());
  const all = signals.join(' ');
  if (/FORBIDDEN|PAYMENT|ENTITLEMENT|\b40[23]\b/.test(all)) {
    return new ToolError('forbidden', message, /402/.test(all) ? 402 : 403, entitlementHint(ctx));
  }
  if (/UNAUTHENTICATED|UNAUTHORIZED|\b401\b/.test(all)) return new ToolError('unauthorized', message, 401, authHint(ctx.kind));
  if (/NOT_FOUND|\b404\b/.test(all)) return new ToolError('not_found', message, 404);
  if (/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED|BAD_REQUEST|\b400\b/.test(all)) return new ToolError('bad_request', message, 400);
  return new ToolError('upstream_error', message);
}

/** Adds Scout's own hints to an HTTP-level failure of the GraphQL POST. */
export function httpError(error: unknown, ctx: ScoutErrorContext): unknown {
  if (!(error instanceof ToolError)) return error;
  if (error.status === 402 || error.status === 403) return new ToolError('forbidden', error.message, error.status, entitlementHint(ctx));
  if (error.status === 401) return new ToolError('unauthorized', error.message, 401, authHint(ctx.kind));
  return error;
}

/** The error for an image Scout has no (complete) analysis of: never "0 vulnerabilities". */
export function notIndexed(image: string, sbomState: string | null | undefined, organization: string | undefined): ToolError {
  if (sbomState === 'INDEXING') {
    return new ToolError('not_found', `Scout is still analysing ${image} (sbomState INDEXING)`, undefined, 'Retry in a minute or two.');
  }
  if (sbomState === 'INDEXING_FAILED' || sbomState === 'INDEXING_UNAVAILABLE') {
    return new ToolError(
      'not_found',
      `Scout could not analyse ${image} (sbomState ${sbomState})`,
      undefined,
      'Re-push the image, or analyse it locally with `docker scout cves`.',
    );
  }
  return new ToolError(
    'not_found',
    `Scout has no analysis of ${image}${sbomState ? ` (sbomState ${sbomState})` : ''}; this does not mean it has no vulnerabilities`,
    undefined,
    notIndexedHint(organization),
  );
}

export function notIndexedHint(organization: string | undefined): string {
  return organization
    ? `Enable Scout for the repository (\`docker scout repo enable --org ${organization} <repo>\` or Hub repository settings) and push again; check the org with action status.`
    : 'For a private image pass org (its Docker organization). Otherwise enable Scout for the repository and push again, or analyse it locally with `docker scout cves`.';
}
