// mcp_config.json is copied into clients as it is: its placeholders must not read as credentials
// (a placeholder user name once started the server in credentials mode, minting with a bogus
// secret), and it must not name a package nobody has published (npx would run a stranger's).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { SETTINGS } from '../../../src/config-spec.js';

interface Entry {
  type?: string;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
}

const PKG = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { name: string };
const config = JSON.parse(readFileSync(new URL('../../../mcp_config.json', import.meta.url), 'utf8')) as {
  mcpServers: Record<string, Entry>;
};
const entries = Object.entries(config.mcpServers);
const KNOWN = new Set(SETTINGS.flatMap((setting) => setting.env));
const CREDENTIALS = new Set(
  SETTINGS.filter((setting) => setting.kind === 'secret' || setting.key === 'hubUser').flatMap((setting) => setting.env),
);

describe('mcp_config.json', () => {
  it('has a node entry on the built bundle, a container entry and an HTTP entry', () => {
    const values = entries.map(([, entry]) => entry);
    expect(values.some((e) => e.command === 'node' && e.args?.some((a) => a.endsWith('dist/main.cjs')))).toBe(true);
    expect(values.some((e) => e.command === 'docker' && e.args?.includes('-i'))).toBe(true);
    expect(values.some((e) => e.url?.endsWith('/mcp'))).toBe(true);
  });

  it('has no npx entry for the unpublished package', () => {
    for (const [name, entry] of entries) {
      expect(entry.command === 'npx' && entry.args?.includes(PKG.name), name).toBe(false);
    }
  });

  it('names only variables the server reads, and leaves every credential empty', () => {
    for (const [name, entry] of entries) {
      for (const [variable, value] of Object.entries(entry.env ?? {})) {
        expect(KNOWN.has(variable), `${name}: ${variable}`).toBe(true);
        if (CREDENTIALS.has(variable)) expect(value, `${name}: ${variable}`).toBe('');
      }
      expect(entry.headers ?? {}, name).toEqual({});
    }
  });

  it('starts every stdio entry anonymous, exactly as written', () => {
    for (const [name, entry] of entries) {
      if (!entry.env) continue;
      const outcome = loadConfig({ argv: [], env: entry.env });
      expect(outcome.kind, name).toBe('config');
      if (outcome.kind !== 'config') continue;
      expect(outcome.config.hubUser, name).toBeUndefined();
      expect(outcome.config.hubToken, name).toBeUndefined();
    }
  });

  it('the credential check bites: a filled-in placeholder would start in credentials mode', () => {
    const outcome = loadConfig({ argv: [], env: { DOCKER_HUB_USER: '<your Docker Hub user>', DOCKER_HUB_TOKEN: '<a PAT>' } });
    expect(outcome.kind === 'config' && outcome.config.hubUser).toBe('<your Docker Hub user>');
  });
});
