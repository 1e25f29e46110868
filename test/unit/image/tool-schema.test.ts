// What the model sees of the image actions in hub_registry's one flat schema.
import { describe, expect, it } from 'vitest';
import { describeTool } from '../../../src/tools/framework.js';
import { createHubRegistryTool } from '../../../src/tools/hub-registry.js';

describe('hub_registry schema with the image actions', () => {
  const tool = describeTool(createHubRegistryTool(), { readOnly: true, allowDestructive: false })!;
  const props = tool.inputSchema.properties as Record<string, { enum?: string[]; description?: string }>;

  it('lists the four actions, reads, with their required parameters', () => {
    const action = props.action!;
    expect(action.enum).toEqual(expect.arrayContaining(['layers', 'files', 'read_file', 'packages']));
    // repo, which nearly every action requires, is marked required once, on the parameter.
    expect(action.description).toContain('read_file(path)');
    expect(props.repo!.description).toMatch(/; required$/);
    expect(tool.annotations.readOnlyHint).toBe(true);
  });

  it("offers every action's sort values on the shared `sort` parameter", () => {
    expect(props.sort!.enum).toEqual(['semver', 'name', 'path', 'size']);
    expect(props.sort!.description).toContain('size (largest first)');
  });
});
