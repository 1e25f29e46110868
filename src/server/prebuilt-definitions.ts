// The tools/list entries computed at build time (see tool-definitions.ts). Run from tsc's output,
// as tests and scripts do, there are none and the server computes its own; the bundle replaces
// this module with the entries scripts/bundle.mjs computed from the same code.
import type { DefinitionSets } from './tool-definitions.js';

export const PREBUILT_DEFINITIONS: DefinitionSets | undefined = undefined;
