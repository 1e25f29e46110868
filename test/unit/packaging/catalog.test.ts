// The catalog entries: server.json (official MCP Registry) and server.yaml (Docker's MCP catalog)
// are what src/docs/catalog.ts renders from the settings table and package.json (run `npm run
// docs` after changing either), and each passes its catalog's published rules.
//
// server.json is validated against test/helpers/packaging/mcp-server-json.schema.json, a stand-in
// for the registry's 2025-12-11 JSON schema written from the registry's documentation: the
// published file cannot be fetched here and no npm package ships it. Its $comment states what it
// covers and where it is stricter or looser. server.yaml is checked against the rules Docker's
// registry validator (docker/mcp-registry cmd/validate) applies to a local server entry.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { SETTINGS } from '../../../src/config-spec.js';
import {
  CATALOG_SETTINGS,
  MCP_REGISTRY_SCHEMA,
  dockerCatalogServer,
  mcpRegistryServer,
  type PackageInfo,
} from '../../../src/docs/catalog.js';

const read = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
const PKG = JSON.parse(read('package.json')) as PackageInfo;
const serverJson = JSON.parse(read('server.json')) as Record<string, unknown> & {
  name: string;
  packages: {
    registryType: string;
    registryBaseUrl?: string;
    identifier: string;
    environmentVariables: { name: string; isSecret: boolean }[];
  }[];
};
const serverYaml = parseYaml(read('server.yaml')) as {
  name: string;
  image: string;
  type: string;
  about: { title: string; description: string };
  source: { project: string; commit?: string };
  run: { allowHosts: string[] };
  config: {
    secrets: { name: string; env: string }[];
    env: { name: string; value: string }[];
    parameters: { properties: Record<string, unknown> };
  };
};

// ajv-formats is CommonJS; its default export arrives wrapped under ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv,
) => Ajv;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(read('test/helpers/packaging/mcp-server-json.schema.json')) as object);
const errorsOf = (doc: unknown): string[] => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

describe('server.json (MCP Registry)', () => {
  it('is what `npm run docs` renders from the settings table and package.json', () => {
    expect(serverJson).toEqual(mcpRegistryServer(PKG));
  });

  it('passes the server.json schema', () => {
    expect(serverJson.$schema).toBe(MCP_REGISTRY_SCHEMA);
    expect(errorsOf(serverJson)).toEqual([]);
  });

  it('the schema bites: a bad name, a long description, a version range or `latest` are refused', () => {
    const npm = serverJson.packages[0]!;
    expect(errorsOf({ ...serverJson, name: 'no-namespace' })).not.toEqual([]);
    expect(errorsOf({ ...serverJson, description: 'x'.repeat(101) })).not.toEqual([]);
    expect(errorsOf({ ...serverJson, version: '^1.2.3' })).not.toEqual([]);
    expect(errorsOf({ ...serverJson, packages: [{ ...npm, version: 'latest' }] })).not.toEqual([]);
    expect(errorsOf({ ...serverJson, packages: [{ ...npm, version: undefined }] })).not.toEqual([]);
    expect(errorsOf({ ...serverJson, packages: [{ ...npm, enviromentVariables: [] }] })).not.toEqual([]);
  });

  it("meets the official registry's ownership rules: npm mcpName and the image label name the server", () => {
    expect(serverJson.name).toBe(PKG.mcpName);
    const npm = serverJson.packages.find((p) => p.registryType === 'npm');
    expect(npm?.registryBaseUrl).toBe('https://registry.npmjs.org');
    expect(npm?.identifier).toBe(PKG.name);
    const label = /io\.modelcontextprotocol\.server\.name="([^"]+)"/.exec(read('Dockerfile'))?.[1];
    expect(label).toBe(serverJson.name);
    expect(serverJson.packages.find((p) => p.registryType === 'oci')?.identifier).toMatch(/^docker\.io\/[a-z0-9-]+\/[a-z0-9-]+:\d/);
  });

  it('lists each catalog setting under its variable name, secret exactly when the settings table says so', () => {
    for (const pkg of serverJson.packages) {
      const byName = new Map(pkg.environmentVariables.map((v) => [v.name, v]));
      for (const key of CATALOG_SETTINGS) {
        const setting = SETTINGS.find((s) => s.key === key)!;
        expect(byName.get(setting.env[0]!)?.isSecret, setting.env[0]).toBe(setting.kind === 'secret');
      }
      expect(byName.size).toBe(CATALOG_SETTINGS.length);
    }
  });
});

describe('server.yaml (Docker MCP catalog)', () => {
  it('is what `npm run docs` renders from the settings table and package.json', () => {
    expect(serverYaml).toEqual(dockerCatalogServer(PKG));
  });

  it("follows Docker's rules for a local server entry", () => {
    expect(serverYaml.name).toMatch(/^[a-z0-9-]+$/);
    expect(serverYaml.type).toBe('server');
    expect(serverYaml.image).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
    const title = serverYaml.about.title;
    expect(title).not.toMatch(/MCP|Server/);
    for (const word of title.split(/\s+/)) expect(word[0], title).toBe(word[0]!.toUpperCase());
    expect(serverYaml.source.project).toMatch(/^https:\/\/github\.com\//);
    for (const secret of serverYaml.config.secrets) expect(secret.name).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9._-]+$/);
    for (const env of serverYaml.config.env) {
      expect(env.value.startsWith(`{{${serverYaml.name}.`), env.name).toBe(true);
      const parameter = env.value.slice(`{{${serverYaml.name}.`.length, -2);
      expect(Object.keys(serverYaml.config.parameters.properties), env.name).toContain(parameter);
    }
  });

  it('passes credentials as secrets, never as plain env', () => {
    const secretVars = SETTINGS.filter((s) => s.kind === 'secret' && (CATALOG_SETTINGS as readonly string[]).includes(s.key)).map(
      (s) => s.env[0],
    );
    expect(serverYaml.config.secrets.map((s) => s.env).sort()).toEqual([...secretVars].sort());
    for (const env of serverYaml.config.env) expect(secretVars).not.toContain(env.name);
  });

  it('allows egress to every upstream the default settings name, on 443', () => {
    for (const setting of SETTINGS.filter((s) => s.kind === 'url' && typeof s.default === 'string')) {
      expect(serverYaml.run.allowHosts).toContain(`${new URL(setting.default as string).hostname}:443`);
    }
    for (const host of serverYaml.run.allowHosts) expect(host).toMatch(/^[a-z0-9.-]+:\d+$/);
  });

  it('starts anonymous and valid when the gateway passes every unset parameter as an empty string', () => {
    const env = Object.fromEntries(serverYaml.config.env.map((e) => [e.name, '']));
    const outcome = loadConfig({ argv: [], env });
    expect(outcome.kind).toBe('config');
    if (outcome.kind === 'config') expect(outcome.config.hubUser).toBeUndefined();
  });

  it('pins no commit in the checked-in file (gen-catalog.mjs --commit adds it for a submission)', () => {
    expect(serverYaml.source.commit).toBeUndefined();
    expect(dockerCatalogServer(PKG, 'a'.repeat(40)).source).toEqual({ project: serverYaml.source.project, commit: 'a'.repeat(40) });
  });
});
