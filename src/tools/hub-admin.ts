// hub_admin: what the server itself knows. Rate-limit telemetry, who it acts as, and its
// effective configuration (secrets shown only as set / not set).
import { TOOL_NAMES } from '../config-spec.js';
import type { AppContext } from '../context.js';
import { envelope } from '../http/envelope.js';
import { defineAction, exposure, type ToolSpec } from './framework.js';

function tokenKind(secret: string | undefined): string {
  if (!secret) return 'none';
  if (secret.startsWith('dckr_pat_')) return 'personal access token';
  if (secret.startsWith('dckr_oat_')) return 'organization access token';
  return 'password or other secret';
}

/** Which registries get which credential source (never a value). */
function registryCredentialSources(app: AppContext): Record<string, unknown> {
  const envTargets = app.credentials.envTargets();
  return {
    env_pair: envTargets.length > 0 ? envTargets : 'not set',
    docker_config: `${app.config.dockerConfig}/config.json entries, each for its own host:port only`,
    other_registries: 'anonymous unless $DOCKER_CONFIG has an entry for that host',
  };
}

export function createHubAdminTool(listTools: () => readonly ToolSpec<AppContext>[]): ToolSpec<AppContext> {
  return {
    name: 'hub_admin',
    title: 'Server diagnostics',
    description: "This server's rate limits, identity, settings.",
    openWorld: true,
    actions: {
      rate_limit: defineAction({
        description: 'last rate-limit headers seen, per upstream',
        params: {},
        run: async (_args, { app }) => {
          const all = app.rateLimits.all();
          const data = { hub: all.hub ?? null, registry: all.registry ?? null, scout: all.scout ?? null, ...all };
          return envelope(data, all.hub ?? null);
        },
      }),
      whoami: defineAction({
        description: 'who the server acts as: JWT claims',
        params: {},
        run: async (_args, { app, signal, caller }) => {
          const auth = app.hubAuth;
          const registries = registryCredentialSources(app);
          // Who called over OAuth (never the token); the rest is who the server acts as upstream.
          const oauth = caller
            ? {
                oauth_caller: {
                  subject: caller.subject,
                  client_id: caller.clientId,
                  scopes: caller.scopes,
                  expires_at: caller.expiresAt !== undefined ? new Date(caller.expiresAt * 1000).toISOString() : null,
                },
              }
            : {};
          if (auth.mode === 'anonymous') {
            return envelope({
              ...oauth,
              authenticated: false,
              identity: 'anonymous',
              mode: 'anonymous',
              note: 'Public Docker Hub data only. Set DOCKER_HUB_USER and DOCKER_HUB_TOKEN (or DOCKERHUB_JWT) to act as an account.',
              registry_credentials: registries,
            });
          }
          const claims = await auth.claims(signal);
          const expiresAt = auth.expiresAt;
          return envelope(
            {
              authenticated: true,
              identity: auth.identity ?? null,
              mode: auth.mode,
              source: auth.mode === 'jwt' ? 'DOCKERHUB_JWT' : 'DOCKER_HUB_USER / DOCKER_HUB_TOKEN',
              credential: auth.mode === 'jwt' ? 'static JWT' : tokenKind(app.config.hubToken),
              claims,
              expires_at: expiresAt !== undefined ? new Date(expiresAt).toISOString() : null,
              registry_credentials: registries,
              ...oauth,
            },
            app.rateLimits.get('hub') ?? null,
          );
        },
      }),
      config: defineAction({
        description: 'settings (secrets hidden), tools, gate',
        params: {},
        run: async (_args, { app }) => {
          const c = app.config;
          const tools: Record<string, unknown> = {};
          for (const spec of listTools()) {
            const e = exposure(spec, c);
            tools[spec.name] = {
              actions: e.exposed,
              unlisted: e.unlisted,
              disabled_destructive: e.gated,
              hidden_read_only: e.readOnlyHidden,
            };
          }
          const served = new Set(listTools().map((spec) => spec.name));
          // Enabled, but not listed: nothing it does can work in this configuration.
          const unavailable: Record<string, string> = {};
          for (const spec of listTools()) {
            const reason = spec.unavailable?.(c);
            if (reason !== undefined) unavailable[spec.name] = reason;
          }
          return envelope({
            version: app.version,
            transport: c.transport,
            safety: {
              allow_destructive: c.allowDestructive,
              read_only: c.readOnly,
              // Whether destructive calls wait for a human's yes (DOCKERHUB_CONFIRM).
              confirm: c.confirm,
            },
            tools,
            tools_not_served: TOOL_NAMES.filter((name) => !served.has(name)),
            tools_unavailable: unavailable,
            upstreams: { hub_url: c.hubUrl, registry_url: c.registryUrl, registry_auth_url: c.registryAuthUrl, scout_url: c.scoutUrl },
            egress: app.egress.describe(),
            credentials: {
              hub_mode: app.hubAuth.mode,
              hub_user: c.hubUser ?? null,
              // Key names avoid the redactor's secret-key rule: these are flags, not values.
              hub_secret_configured: c.hubToken !== undefined,
              hub_jwt_configured: c.hubJwt !== undefined,
              docker_config: c.dockerConfig,
            },
            http: {
              host: c.host,
              port: c.port,
              stateless: c.stateless,
              auth_required: c.mcpAuthToken !== undefined || c.oauthIssuer !== undefined,
              oauth_issuer: c.oauthIssuer ?? null,
              allowed_hosts: c.allowedHosts,
              allowed_origins: c.allowedOrigins,
              max_sessions: c.maxSessions,
              session_idle_seconds: c.sessionIdleSeconds,
              max_body_bytes: c.maxBodyBytes,
            },
            limits: {
              timeout_seconds: c.timeoutSeconds,
              max_result_bytes: c.maxResultBytes,
              stream_min_bytes_per_second: c.streamMinRate,
              stream_stall_seconds: c.streamStallSeconds,
              shutdown_grace_seconds: c.shutdownGraceSeconds,
            },
            log_level: c.logLevel,
          });
        },
      }),
    },
  };
}
