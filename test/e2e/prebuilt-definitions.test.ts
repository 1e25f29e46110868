// The bundle serves tools/list entries computed at build time (scripts/bundle.mjs embeds
// src/server/tool-definitions.ts's output). They must be exactly what the source computes for the
// same settings: for every combination of the settings they depend on, and with a subset of the
// tools enabled, the built server's tools/list equals describeTool's output from source.
import { describe, expect, it } from 'vitest';
import { DEFINITION_SETTINGS, definitionSet, type DefinitionSettings } from '../../src/server/tool-definitions.js';
import { connectStdio, minimalEnv } from '../helpers/mcp-session.js';
import { ENTRY } from '../helpers/spawn-server.js';

function flags(settings: DefinitionSettings): string[] {
  return [...(settings.readOnly ? ['--read-only'] : []), ...(settings.allowDestructive ? ['--allow-destructive'] : [])];
}

async function listed(args: string[], env?: Record<string, string>): Promise<unknown[]> {
  const session = await connectStdio({
    command: process.execPath,
    args: [ENTRY, ...args],
    ...(env ? { env: { ...minimalEnv(), ...env } } : {}),
  });
  try {
    return (await session.client.listTools()).tools;
  } finally {
    await session.close();
  }
}

/** Without DOCKERHUB_SCIM_TOKEN the server drops hub_scim, whose entry is built as if available. */
const withoutScim = (set: ReturnType<typeof definitionSet>): unknown[] => Object.values(set).filter((tool) => tool.name !== 'hub_scim');

/** The entries as they travel: JSON, so an absent field and an undefined one compare equal. */
const asSent = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

describe('built tools/list entries match the source', () => {
  it.each(DEFINITION_SETTINGS.map((settings) => [flags(settings).join(' ') || '(defaults)', settings] as const))(
    '%s',
    async (_label, settings) => {
      expect(await listed(flags(settings))).toEqual(asSent(withoutScim(definitionSet(settings))));
    },
  );

  it('with DOCKERHUB_SCIM_TOKEN set, hub_scim is listed with its built entry', async () => {
    const settings = { readOnly: false, allowDestructive: false };
    const all = Object.values(definitionSet(settings));
    expect(all.map((tool) => tool.name)).toContain('hub_scim');
    expect(await listed([], { DOCKERHUB_SCIM_TOKEN: 'scim-e2e-token' })).toEqual(asSent(all));
  });

  it('with a subset of the tools enabled, in catalog order', async () => {
    const settings = { readOnly: false, allowDestructive: true };
    const expected = Object.values(definitionSet(settings)).filter((tool) => ['hub_repos', 'hub_scout'].includes(tool.name));
    expect(await listed(['--tools', 'hub_scout,hub_repos', '--allow-destructive'])).toEqual(asSent(expected));
  });
});
