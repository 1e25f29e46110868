// The tools/list entries of every tool for each setting they depend on (read-only mode and the
// destructive gate). JSON Schema generation from the zod parameters is the largest piece of
// start-up work, and its result is fixed by the code: the build runs this module and embeds the
// result in the bundle (scripts/bundle.mjs → prebuilt-definitions.ts), so a process only looks
// its entries up. An e2e test compares the bundle's entries with these, computed from source.
import { settingsKey, type DefinitionSettings } from './definition-key.js';
import { allTools } from '../tools/catalog.js';
import { describeTool, type ToolDefinition } from '../tools/framework.js';

export { settingsKey, type DefinitionSettings };

/** Tool name → tools/list entry; a tool with no action to offer has none. */
export type DefinitionSet = Readonly<Record<string, ToolDefinition>>;

/** Settings key → the entries under those settings. */
export type DefinitionSets = Readonly<Record<string, DefinitionSet>>;

export const DEFINITION_SETTINGS: readonly DefinitionSettings[] = [false, true].flatMap((readOnly) =>
  [false, true].map((allowDestructive) => ({ readOnly, allowDestructive })),
);

export function definitionSet(settings: DefinitionSettings): DefinitionSet {
  const set: Record<string, ToolDefinition> = {};
  for (const tool of allTools()) {
    // Whether a tool is available (hub_scim needs its token) depends on other settings: the
    // entry is built as if it were, and catalogFor drops an unavailable tool at run time.
    const definition = describeTool({ ...tool, unavailable: undefined }, settings);
    if (definition) set[tool.name] = definition;
  }
  return set;
}

export function definitionSets(): DefinitionSets {
  return Object.fromEntries(DEFINITION_SETTINGS.map((settings) => [settingsKey(settings), definitionSet(settings)]));
}
