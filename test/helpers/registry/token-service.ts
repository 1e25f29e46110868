// A distribution "token auth" server for integration tests (GET flavour):
// `GET /token?service=...&scope=...&scope=...` with optional HTTP Basic credentials, answering
// `{token, access_token, expires_in, issued_at}`. Tokens are ES256 JWTs signed with jose; the JWT
// header carries the signing certificate in `x5c`, and the registry trusts that certificate through
// `auth.token.rootcertbundle` (= `certPath`). Every request is counted and logged so tests can
// assert request economy ("100 calls over 4 repositories = at most 4 token requests").
import { execFileSync } from 'node:child_process';
import { X509Certificate, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, importPKCS8, type CryptoKey } from 'jose';

export type Access = 'all' | 'pull';

export interface TokenUser {
  password: string;
  /** 'all' = pull, push, delete on every repository and `registry:catalog:*`; 'pull' = pull only. Default 'all'. */
  access?: Access;
}

export interface TokenServiceOptions {
  users?: Record<string, TokenUser>;
  /** Anonymous callers get `pull`: on every repository (true), on the listed repositories, or nothing (false, the default). */
  anonymousPull?: boolean | string[];
  /**
   * Full override of the permission rule: the actions `user` (null = anonymous) may have on a resource.
   * The token grants the intersection of these and the requested actions.
   */
  permit?: (user: string | null, type: string, name: string) => string[];
  /** `service` expected in requests and put into `aud`. Default 'test-registry'. */
  service?: string;
  /** JWT `iss`. Default 'test-token-service'. */
  issuer?: string;
  /** `expires_in` in the response; `null` omits the field (clients must then assume 60 s). Default 300. */
  expiresIn?: number | null;
  /** Real JWT lifetime in seconds when it should differ from `expiresIn` (e.g. to test a token that dies early). */
  tokenTtlSeconds?: number;
  /** Omit `issued_at` from the response. */
  omitIssuedAt?: boolean;
  /** Which token fields the response carries. Default 'both'. */
  fields?: 'both' | 'token' | 'access_token';
}

export interface ScopeRequest {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenRequestLog {
  user: string | null;
  service: string | null;
  /** The raw `scope` query values, in order. */
  scopes: string[];
  status: number;
  granted: ScopeRequest[];
  at: number;
}

export interface TokenServiceHandle {
  /** Base URL, http://127.0.0.1:PORT */
  url: string;
  /** The realm to configure in the registry: url + '/token' */
  realm: string;
  service: string;
  issuer: string;
  /** PEM file with the self-signed certificate (for `auth.token.rootcertbundle`). */
  certPath: string;
  /** Number of /token requests since start or the last reset() (failed ones included). */
  readonly tokenRequests: number;
  /** One entry per /token request since start or the last reset(). */
  readonly log: readonly TokenRequestLog[];
  /** Every scope string requested since the last reset(), flattened. */
  scopesRequested(): string[];
  reset(): void;
  /** Adds or replaces a user while running. */
  setUser(name: string, user: TokenUser): void;
  stop(): Promise<void>;
}

/** Splits `type:name:actions`; the name may itself contain ':' (host:port), so split from both ends. */
export function parseScope(scope: string): ScopeRequest | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  const type = scope.slice(0, first).replace(/\(.*\)$/, '');
  return {
    type,
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter((a) => a !== ''),
  };
}

function parseBasic(header: string | undefined): { user: string; password: string } | 'invalid' | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+(\S+)\s*$/i.exec(header);
  if (!match) return 'invalid';
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'invalid';
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

interface KeyMaterial {
  key: CryptoKey;
  certPem: string;
  x5c: string;
}

/** A fresh P-256 key and a self-signed certificate for it, made with the openssl CLI. */
async function makeKeyMaterial(dir: string): Promise<KeyMaterial> {
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '2',
        '-subj',
        '/CN=dockerhub-mcp test token service',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (err) {
    throw new Error(`openssl could not make the token service certificate (apt-get install openssl): ${String(err)}`);
  }
  const certPem = readFileSync(certPath, 'utf8');
  const key = await importPKCS8(readFileSync(keyPath, 'utf8'), 'ES256');
  rmSync(keyPath);
  return { key, certPem, x5c: new X509Certificate(certPem).raw.toString('base64') };
}

export async function startTokenService(opts: TokenServiceOptions = {}): Promise<TokenServiceHandle> {
  const service = opts.service ?? 'test-registry';
  const issuer = opts.issuer ?? 'test-token-service';
  const users = new Map(Object.entries(opts.users ?? {}));
  const dir = mkdtempSync(join(tmpdir(), 'token-service-'));
  const material = await makeKeyMaterial(dir);
  const certPath = join(dir, 'cert.pem');
  let log: TokenRequestLog[] = [];

  const permitted = (user: string | null, type: string, name: string): string[] => {
    if (opts.permit) return opts.permit(user, type, name);
    if (user === null) {
      const anon = opts.anonymousPull ?? false;
      if (type !== 'repository') return [];
      return anon === true || (Array.isArray(anon) && anon.includes(name)) ? ['pull'] : [];
    }
    const access = users.get(user)?.access ?? 'all';
    if (type === 'registry') return access === 'all' && name === 'catalog' ? ['*'] : [];
    if (type !== 'repository') return [];
    return access === 'all' ? ['pull', 'push', 'delete', '*'] : ['pull'];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ').filter((x) => x !== ''));
    const entry: TokenRequestLog = { user: null, service: url.searchParams.get('service'), scopes, status: 0, granted: [], at: Date.now() };
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      entry.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== '/token') return reply(404, { errors: [{ code: 'NOT_FOUND', message: 'no such endpoint' }] });
    log.push(entry);
    if (req.method !== 'GET') return reply(404, { errors: [{ code: 'UNSUPPORTED', message: 'only the GET flavour is served' }] });

    const creds = parseBasic(req.headers.authorization);
    if (creds === 'invalid' || (creds && users.get(creds.user)?.password !== creds.password)) {
      return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }, { 'www-authenticate': 'Basic realm="token"' });
    }
    const user = creds?.user ?? null;
    entry.user = user;
    if (entry.service !== null && entry.service !== service) {
      return reply(400, { errors: [{ code: 'INVALID_REQUEST', message: `unknown service ${entry.service}` }] });
    }

    const granted: ScopeRequest[] = [];
    for (const raw of scopes) {
      const scope = parseScope(raw);
      if (!scope) continue;
      const allowed = permitted(user, scope.type, scope.name);
      const actions = scope.actions.filter((a) => allowed.includes(a));
      const existing = granted.find((g) => g.type === scope.type && g.name === scope.name);
      if (existing) existing.actions = [...new Set([...existing.actions, ...actions])];
      else granted.push({ type: scope.type, name: scope.name, actions });
    }
    entry.granted = granted;

    const now = Math.floor(Date.now() / 1000);
    const expiresIn = opts.expiresIn === undefined ? 300 : opts.expiresIn;
    const ttl = opts.tokenTtlSeconds ?? expiresIn ?? 60;
    const token = await new SignJWT({ access: granted })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', x5c: [material.x5c] })
      .setIssuer(issuer)
      .setSubject(user ?? '')
      .setAudience(service)
      .setIssuedAt(now)
      .setNotBefore(now - 1)
      .setExpirationTime(now + ttl)
      .setJti(randomUUID())
      .sign(material.key);
    const body: Record<string, unknown> = {};
    const fields = opts.fields ?? 'both';
    if (fields !== 'access_token') body.token = token;
    if (fields !== 'token') body.access_token = token;
    if (expiresIn !== null) body.expires_in = expiresIn;
    if (!opts.omitIssuedAt) body.issued_at = new Date(now * 1000).toISOString();
    reply(200, body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    realm: `${url}/token`,
    service,
    issuer,
    certPath,
    get tokenRequests() {
      return log.length;
    },
    get log() {
      return log;
    },
    scopesRequested: () => log.flatMap((e) => e.scopes),
    reset: () => {
      log = [];
    },
    setUser: (name, user) => {
      users.set(name, user);
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
