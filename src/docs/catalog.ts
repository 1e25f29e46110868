// The catalog entries, rendered from the settings table (config-spec.ts) and package.json so they
// cannot drift from the code: server.json for the official MCP Registry and server.yaml for
// Docker's MCP catalog (github.com/docker/mcp-registry). `npm run docs` writes both files
// (scripts/gen-catalog.mjs); test/unit/packaging/catalog.test.ts fails when they differ from what
// this module renders, and validates them against each catalog's published rules.
import { SETTINGS, type Setting } from '../config-spec.js';

/** The fields of package.json the catalogs are made from. */
export interface PackageInfo {
  name: string;
  version: string;
  description: string;
  mcpName: string;
  homepage: string;
  repository: { url: string };
}

export const MCP_REGISTRY_SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

/**
 * The settings a person installing the server from a catalog sets: credentials, the safety gates,
 * which tools are served, which registries may be named. Everything else about each entry (names,
 * description, default, secret or not) comes from the settings table. The HTTP-transport settings
 * stay out (a catalog starts the server over stdio), and so does every setting whose empty value
 * would be an error: Docker's gateway passes an unset parameter as an empty string.
 */
export const CATALOG_SETTINGS = [
  'hubUser',
  'hubToken',
  'hubJwt',
  'scimToken',
  'readOnly',
  'allowDestructive',
  'tools',
  'registryAllowedHosts',
] as const;

/** Title shown by catalog front ends (Docker's rules: no "MCP" or "Server", every word capitalized). */
export const TITLE = 'Docker Hub, OCI Registries And Scout';

/** Hosts the server talks to with the default settings, besides the ones the URL settings name. */
const EXTRA_HOSTS = [
  // Docker Hub's registry redirects blob downloads (layers, configs) to its CDN.
  'production.cloudflare.docker.com',
];

function setting(key: string): Setting {
  const found = SETTINGS.find((s) => s.key === key);
  if (!found) throw new Error(`catalog: no setting '${key}' in config-spec.ts`);
  return found;
}

const plain = (text: string): string => text.replace(/`/g, '');

function defaultString(s: Setting): string | undefined {
  if (s.default === undefined || (Array.isArray(s.default) && s.default.length === 0)) return undefined;
  return Array.isArray(s.default) ? s.default.join(',') : String(s.default);
}

/** The image reference the catalogs name: the repository's Docker Hub namespace. */
export function imageName(pkg: PackageInfo): string {
  const repo = new URL(pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, ''));
  return repo.pathname.replace(/^\//, '').toLowerCase();
}

function repositoryUrl(pkg: PackageInfo): string {
  return pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
}

// ---------------------------------------------------------------------------------------------
// server.json (MCP Registry)

interface EnvironmentVariable {
  name: string;
  description: string;
  isRequired: boolean;
  isSecret: boolean;
  format: 'string' | 'boolean' | 'number';
  default?: string;
  choices?: string[];
}

function environmentVariables(): EnvironmentVariable[] {
  return CATALOG_SETTINGS.map((key) => {
    const s = setting(key);
    const variable: EnvironmentVariable = {
      name: s.env[0]!,
      description: plain(s.description),
      isRequired: false,
      isSecret: s.kind === 'secret',
      format: s.kind === 'bool' ? 'boolean' : s.kind === 'int' ? 'number' : 'string',
    };
    const value = defaultString(s);
    if (value !== undefined) variable.default = value;
    if (s.kind === 'enum' && s.values) variable.choices = [...s.values];
    return variable;
  });
}

export function mcpRegistryServer(pkg: PackageInfo): Record<string, unknown> {
  const env = environmentVariables();
  return {
    $schema: MCP_REGISTRY_SCHEMA,
    name: pkg.mcpName,
    title: TITLE,
    description: pkg.description,
    version: pkg.version,
    websiteUrl: pkg.homepage,
    repository: { url: repositoryUrl(pkg), source: 'github' },
    packages: [
      {
        registryType: 'npm',
        registryBaseUrl: 'https://registry.npmjs.org',
        identifier: pkg.name,
        version: pkg.version,
        runtimeHint: 'npx',
        transport: { type: 'stdio' },
        environmentVariables: env,
      },
      {
        registryType: 'oci',
        identifier: `docker.io/${imageName(pkg)}:${pkg.version}`,
        runtimeHint: 'docker',
        transport: { type: 'stdio' },
        environmentVariables: env,
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// server.yaml (Docker MCP catalog)

/** host:port of every upstream the default settings reach, for the catalog's egress allow-list. */
export function defaultUpstreamHosts(): string[] {
  const urls = SETTINGS.filter((s) => s.kind === 'url' && typeof s.default === 'string').map((s) => new URL(s.default as string));
  const hosts = [...urls.map((url) => `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`)];
  for (const host of EXTRA_HOSTS) hosts.push(`${host}:443`);
  return [...new Set(hosts)];
}

/** Docker's secret names are `prefix.name`; the prefix is the server's catalog name. */
const secretName = (server: string, s: Setting): string => `${server}.${s.env[0]!.toLowerCase()}`;

export function dockerCatalogServer(pkg: PackageInfo, commit?: string): Record<string, unknown> {
  const server = pkg.name;
  const chosen = CATALOG_SETTINGS.map(setting);
  const secrets = chosen
    .filter((s) => s.kind === 'secret')
    .map((s) => ({ name: secretName(server, s), env: s.env[0]!, example: `<${s.env[0]!}>`, description: plain(s.description) }));
  const plainSettings = chosen.filter((s) => s.kind !== 'secret');
  const parameterName = (s: Setting): string => s.env[0]!.toLowerCase();
  const properties: Record<string, Record<string, unknown>> = {};
  for (const s of plainSettings) {
    const property: Record<string, unknown> = { type: s.kind === 'bool' ? 'boolean' : 'string', description: plain(s.description) };
    if (s.default !== undefined && !(Array.isArray(s.default) && s.default.length === 0)) {
      property.default = s.kind === 'bool' ? s.default : defaultString(s);
    }
    properties[parameterName(s)] = property;
  }
  return {
    name: server,
    image: imageName(pkg),
    type: 'server',
    meta: { category: 'devops', tags: ['docker', 'dockerhub', 'registry', 'oci', 'scout', 'devops'] },
    about: { title: TITLE, description: pkg.description, icon: 'https://avatars.githubusercontent.com/u/5429470?s=200&v=4' },
    source: commit ? { project: repositoryUrl(pkg), commit } : { project: repositoryUrl(pkg) },
    run: { allowHosts: defaultUpstreamHosts() },
    config: {
      description: 'Docker Hub credentials (optional: anonymous access reads public data) and the safety settings',
      secrets,
      env: plainSettings.map((s) => ({
        name: s.env[0]!,
        example: defaultString(s) ?? '',
        value: `{{${server}.${parameterName(s)}}}`,
      })),
      parameters: { type: 'object', properties },
    },
  };
}
