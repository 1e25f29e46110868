// The build embeds definitionSets() in the bundle and catalogFor looks a full Config up in it by
// settingsKey: the key must follow only the settings the entries depend on, and every reachable
// combination of them must have its set (test/e2e/prebuilt-definitions.test.ts checks the
// bundle's copy against the source).
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../src/config.js';
import { DEFINITION_SETTINGS, definitionSet, definitionSets, settingsKey } from '../../../src/server/tool-definitions.js';

function config(argv: string[]): Config {
  const outcome = loadConfig({ argv, env: {} });
  if (outcome.kind !== 'config') throw new Error('expected a configuration');
  return outcome.config;
}

describe('prebuilt tool definitions', () => {
  it('hold one set for each combination of read-only mode and the destructive gate', () => {
    const sets = definitionSets();
    expect(Object.keys(sets)).toHaveLength(4);
    for (const argv of [[], ['--read-only'], ['--allow-destructive'], ['--read-only', '--allow-destructive']]) {
      expect(sets[settingsKey(config(argv))], argv.join(' ')).toBeDefined();
    }
  });

  it('are looked up by those two settings only: enabled tools, tokens and limits do not change the key', () => {
    const plain = config(['--allow-destructive']);
    const other = config(['--allow-destructive', '--tools', 'hub_repos', '--transport', 'http', '--port', '9999']);
    expect(settingsKey(other)).toBe(settingsKey(plain));
    expect(settingsKey(config(['--read-only']))).not.toBe(settingsKey(plain));
  });

  it('differ where the settings make them differ: the gate open offers more actions', () => {
    const [closed, open] = [false, true].map((allowDestructive) => definitionSet({ readOnly: false, allowDestructive }));
    const enumOf = (set: typeof closed): number =>
      Object.values(set!).reduce((sum, tool) => sum + (tool.inputSchema.properties.action as { enum: string[] }).enum.length, 0);
    expect(enumOf(open)).toBeGreaterThan(enumOf(closed));
    expect(DEFINITION_SETTINGS).toHaveLength(4);
  });
});
