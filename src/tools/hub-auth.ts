// hub_auth: Hub tokens. create_token / login check credentials (the JWT itself stays redacted);
// PAT and OAT management. A created PAT or OAT is shown once, in its create result only.
import { decodeClaims, expiryOf } from '../auth/hub-token.js';
import type { AppContext } from '../context.js';
import { ToolError, upstreamMessage } from '../http/errors.js';
import { registerCallSecret } from '../redact.js';
import { authRoutes } from '../hub/routes/auth.js';
import { unlisted, type Action, type ToolSpec } from './framework.js';
import { routeActions, stringAt, type Runner } from './hub-shared/route-actions.js';

function tokenFacts(jwt: string | undefined): Record<string, unknown> {
  if (!jwt) return {};
  return { claims: decodeClaims(jwt), expires_at: new Date(expiryOf(jwt, Date.now())).toISOString() };
}

/**
 * Hub's answer as an object to add facts to. Spreading a string would make one key per character
 * (a 2 MB answer, two million keys); anything but an object is kept whole under `body`.
 */
function fieldsOf(data: unknown): Record<string, unknown> {
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : { body: data };
}

const createToken: Runner<typeof authRoutes.create_token> = async (args, { app, signal }) => {
  registerCallSecret(args.secret);
  const res = await app.hubClient.call(authRoutes.create_token, args, signal);
  return { ...res, data: { ...fieldsOf(res.data), ...tokenFacts(stringAt(res.data, 'access_token')) } };
};

const login: Runner<typeof authRoutes.login> = async (args, { app, signal }) => {
  registerCallSecret(args.password);
  const res = await app.hubClient.call(authRoutes.login, args, signal);
  if (res.status_code === 401) {
    const challenge = stringAt(res.data, 'login_2fa_token');
    if (!challenge) {
      throw new ToolError(
        'unauthorized',
        `Login failed (HTTP 401)${upstreamMessage(res.data) ? `: ${upstreamMessage(res.data)}` : ''}`,
        401,
        'Check the user name and password; accounts in SSO-enforced organizations must log in with a personal access token.',
      );
    }
    app.hubClient.rememberLogin2fa(challenge);
    return {
      ...res,
      data: {
        ...fieldsOf(res.data),
        two_factor_required: true,
        next: 'call two_factor_login with the TOTP code; the server kept the challenge',
      },
    };
  }
  return { ...res, data: { ...fieldsOf(res.data), ...tokenFacts(stringAt(res.data, 'token')) } };
};

const twoFactorLogin: Runner<typeof authRoutes.two_factor_login> = async (args, { app, signal }) => {
  const challenge = args.login_2fa_token ?? app.hubClient.takeLogin2fa();
  if (!challenge) throw new ToolError('invalid_argument', 'no 2FA challenge pending: call login first (challenges last 5 minutes)');
  const res = await app.hubClient.call(authRoutes.two_factor_login, { ...args, login_2fa_token: challenge }, signal);
  return { ...res, data: { ...fieldsOf(res.data), ...tokenFacts(stringAt(res.data, 'token')) } };
};

/** The created token's value is shown once, in this result only. */
function revealing<R extends (typeof authRoutes)['create_pat'] | (typeof authRoutes)['create_oat']>(route: R): Runner<R> {
  return async (args, { app, signal }) => {
    const res = await app.hubClient.call(route, args, signal);
    const token = stringAt(res.data, 'token');
    return token ? { ...res, reveal: [token] } : res;
  };
}

export function createHubAuthTool(): ToolSpec<AppContext> {
  return {
    name: 'hub_auth',
    title: 'Hub tokens',
    description: 'Logins, PATs, OATs; a new token shows once.',
    openWorld: true,
    actions: legacyLoginUnlisted(
      routeActions(
        'hub_auth',
        authRoutes,
        {
          create_token: createToken,
          login,
          two_factor_login: twoFactorLogin,
          create_pat: revealing(authRoutes.create_pat),
          create_oat: revealing(authRoutes.create_oat),
        },
        // The server keeps login's 2FA challenge and sends it itself.
        { two_factor_login: ['login_2fa_token'] },
      ),
    ),
  };
}

/**
 * The reference's legacy password login and its 2FA step stay callable by name, unlisted:
 * create_token checks the same credentials (a password, PAT or OAT) in one call.
 */
function legacyLoginUnlisted(actions: Record<string, Action<AppContext>>): Record<string, Action<AppContext>> {
  return { ...actions, login: unlisted(actions.login!), two_factor_login: unlisted(actions.two_factor_login!) };
}
