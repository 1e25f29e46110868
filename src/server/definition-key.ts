// Which of the build-time tools/list sets (tool-definitions.ts) a configuration uses. Apart from
// tool-definitions.ts, which loads every tool, so the stdio front door can look a set up cheaply.
import type { Config } from '../config.js';

/** What describeTool reads from the configuration. */
export type DefinitionSettings = Pick<Config, 'readOnly' | 'allowDestructive'>;

export function settingsKey(settings: DefinitionSettings): string {
  return `readOnly=${settings.readOnly},allowDestructive=${settings.allowDestructive}`;
}
