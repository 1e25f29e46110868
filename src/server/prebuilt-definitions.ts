// The tools/list entries computed at build time (see tool-definitions.ts). Run from tsc's output,
// as tests and scripts do, there are none and the server computes its own; the bundle replaces
// this module with one that reads the entries scripts/bundle.mjs wrote beside it, one JSON file
// per setting combination (dist/chunks/tool-definitions-*.json). Read, not embedded: V8 scans
// every byte of a module at each start, and only one of the four sets is ever used.
//
// Each entry is its JSON text (JSON.stringify of the ToolDefinition): the stdio front door writes
// the texts into its tools/list answer without parsing them, and the full server parses the
// entries it serves once.
import type { DefinitionSettings } from './definition-key.js';

/** Tool name → the JSON text of its tools/list entry. */
export type PrebuiltDefinitions = Readonly<Record<string, string>>;

/** The entries for these settings, or undefined where there are none (the server computes them). */
export function prebuiltDefinitions(_settings: DefinitionSettings): PrebuiltDefinitions | undefined {
  return undefined;
}
