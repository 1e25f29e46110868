// Parameter and action descriptions a model can act on: every parameter says what it is in at
// least three words, unless the description is a unit or a format (`1-100`, `RFC 3339`,
// `os/arch[/variant]`, `Bytes`); no parameter or action is described by an HTTP verb, a bare
// "create", or a word that says nothing ("Optional", "Page", "Secret").
import { describe, expect, it } from 'vitest';
import { buildTools } from '../../../src/tools/catalog.js';
import { describeTool } from '../../../src/tools/framework.js';
import { testConfig } from '../../helpers/unit/app.js';

/** A format or unit: digits, or the punctuation of a pattern (`/`, `:`, `[`, `|`, `@`, `<`, `*`). */
const FORMAT = /[\d/:[\]|@<>*]/;
const UNITS = new Set(['bytes', 'days', 'seconds']);
const EMPTY_WORDS = /^(optional|page|secret|create|put|patch|get|post|delete|head)$/i;

const words = (text: string): number => text.trim().split(/\s+/).filter(Boolean).length;

function descriptionProblem(description: string | undefined): string | undefined {
  if (description === undefined || description.trim() === '') return 'no description';
  if (EMPTY_WORDS.test(description.trim())) return `says nothing: "${description}"`;
  if (words(description) >= 3 || FORMAT.test(description) || UNITS.has(description.trim().toLowerCase())) return undefined;
  return `under 3 words and not a unit or format: "${description}"`;
}

const CONFIGURATIONS: Record<string, Record<string, string>> = {
  default: {},
  'read-only': { DOCKERHUB_READ_ONLY: 'true' },
  destructive: { DOCKERHUB_ALLOW_DESTRUCTIVE: 'true' },
  // hub_scim is listed only with its SCIM token: everything at once.
  scim: { DOCKERHUB_ALLOW_DESTRUCTIVE: 'true', DOCKERHUB_SCIM_TOKEN: 'scim-test-token' },
};

for (const [configuration, env] of Object.entries(CONFIGURATIONS)) {
  describe(`descriptions, ${configuration} configuration`, () => {
    const config = testConfig(env);
    const tools = buildTools(config.enabledTools)
      .map((tool) => describeTool(tool, config))
      .filter((tool) => tool !== undefined);

    it('every parameter is described in 3+ words, or as a unit or format', () => {
      const problems = tools.flatMap((tool) =>
        Object.entries(tool.inputSchema.properties)
          .filter(([name]) => name !== 'action')
          .flatMap(([name, schema]) => {
            const problem = descriptionProblem((schema as { description?: string }).description);
            return problem ? [`${tool.name}.${name}: ${problem}`] : [];
          }),
      );
      expect(problems).toEqual([]);
    });

    it('no action is described by an HTTP verb or a bare verb', () => {
      const problems = tools.flatMap((tool) => {
        const list = (tool.inputSchema.properties.action as { description: string }).description;
        return list
          .split('; ')
          .map((line) => line.slice(line.indexOf(': ') + 2))
          .filter((text) => /^(PUT|PATCH|POST|HEAD|GET|DELETE)\b/.test(text) || EMPTY_WORDS.test(text.trim()))
          .map((text) => `${tool.name}: "${text}"`);
      });
      expect(problems).toEqual([]);
    });
  });
}

describe('the description rule', () => {
  it.each([
    ['Optional', false],
    ['Page', false],
    ['Docker ID', false],
    ['1-100', true],
    ['RFC 3339', true],
    ['Bytes', true],
    ['os/arch[/variant]', true],
    ['Page number, from 1', true],
  ] as const)('%s passes: %s', (text, passes) => {
    expect(descriptionProblem(text) === undefined).toBe(passes);
  });
});
