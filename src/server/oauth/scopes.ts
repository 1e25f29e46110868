// What an OAuth caller may do, from its token's scopes: the read scope to use the server at all,
// the write scope for a write, the destructive scope (with the write scope) for a destructive
// action. These narrow the operator's read-only mode and destructive gate; they never widen them.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Config } from '../../config.js';
import { ToolError } from '../../http/errors.js';
import type { CallAllowance, Caller } from '../../tools/framework.js';
import '../../tools/tool-errors.js';

export interface ScopeNames {
  read: string;
  write: string;
  destructive: string;
}

export function scopeNames(config: Pick<Config, 'oauthScopesRead' | 'oauthScopesWrite' | 'oauthScopesDestructive'>): ScopeNames {
  return { read: config.oauthScopesRead, write: config.oauthScopesWrite, destructive: config.oauthScopesDestructive };
}

/** The scopes a call needs, in the order they are checked. */
export function scopesNeeded(need: { write: boolean; destructive: boolean }, names: ScopeNames): string[] {
  const scopes = [names.read];
  if (need.write || need.destructive) scopes.push(names.write);
  if (need.destructive) scopes.push(names.destructive);
  return scopes;
}

/** The per-call check for a request that came with an OAuth token; none for the static token or stdio. */
export function allowanceFor(auth: AuthInfo | undefined, names: ScopeNames): CallAllowance | undefined {
  if (!auth) return undefined;
  const held = new Set(auth.scopes);
  return (need, label) => {
    const missing = scopesNeeded(need, names).find((scope) => !held.has(scope));
    if (missing === undefined) return;
    throw new ToolError(
      'insufficient_scope',
      `${label} needs the OAuth scope '${missing}', which the access token does not carry`,
      403,
      `Ask the authorization server for a token with scope '${missing}' (the client requests it; an administrator grants it).`,
    );
  };
}

/** The caller as tools may show it: subject, client and scopes, never the token. */
export function callerOf(auth: AuthInfo | undefined): Caller | undefined {
  if (!auth) return undefined;
  const subject = auth.extra?.subject;
  return {
    subject: typeof subject === 'string' ? subject : null,
    clientId: auth.clientId,
    scopes: [...auth.scopes],
    ...(auth.expiresAt !== undefined ? { expiresAt: auth.expiresAt } : {}),
  };
}
