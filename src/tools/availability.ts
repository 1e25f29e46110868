// Which tools need a setting beyond being enabled: hub_scim answers nothing without the
// organization's SCIM token. Kept apart from the tool specs (which load zod and every client) so
// the stdio front door (src/server/stdio-front.ts) lists exactly the tools the full server would.
import type { Config } from '../config.js';
import type { ToolName } from '../config-spec.js';

type Requirement = (config: Partial<Config>) => string | undefined;

const REQUIREMENTS: Partial<Record<ToolName, Requirement>> = {
  hub_scim: (config) => (config.scimToken?.trim() ? undefined : 'DOCKERHUB_SCIM_TOKEN is not set'),
};

/** Why `tool` cannot serve under `config`, or undefined when it can. */
export function toolUnavailable(tool: ToolName, config: Partial<Config>): string | undefined {
  return REQUIREMENTS[tool]?.(config);
}
