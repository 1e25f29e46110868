// Every tool's tools/list entry, in every configuration, against the schema rules of the major
// clients: one client refusing one schema can refuse the whole server (Gemini drops every tool
// of a server when one function declaration is invalid). The rules are data, each with the
// source that states it; a check is a predicate over one tool, its input schema's subschemas, or
// its top-level parameters.
import { describe, expect, it } from 'vitest';
import { buildTools } from '../../../src/tools/catalog.js';
import { describeTool, type ToolDefinition } from '../../../src/tools/framework.js';
import { testConfig } from '../../helpers/unit/app.js';

type Schema = Record<string, unknown>;

/** Name clients see the server by: the key in mcp_config.json ("dockerhub") or the server's own name. */
const SERVER_NAMES = ['dockerhub', 'dockerhub-mcp'];

const CONFIGURATIONS: Record<string, Record<string, string>> = {
  default: {},
  'read-only': { DOCKERHUB_READ_ONLY: 'true' },
  destructive: { DOCKERHUB_ALLOW_DESTRUCTIVE: 'true' },
  // hub_scim is listed only with its SCIM token: everything at once.
  scim: { DOCKERHUB_ALLOW_DESTRUCTIVE: 'true', DOCKERHUB_SCIM_TOKEN: 'scim-test-token' },
};

/** Every subschema of the input schema (the root included), with its path. */
function subschemas(schema: Schema, path = 'inputSchema'): { path: string; schema: Schema }[] {
  const out = [{ path, schema }];
  const properties = schema.properties as Record<string, Schema> | undefined;
  for (const [name, child] of Object.entries(properties ?? {})) out.push(...subschemas(child, `${path}.${name}`));
  if (schema.items && typeof schema.items === 'object') out.push(...subschemas(schema.items as Schema, `${path}[]`));
  for (const key of ['anyOf', 'oneOf', 'allOf'])
    for (const [i, child] of ((schema[key] as Schema[] | undefined) ?? []).entries())
      out.push(...subschemas(child, `${path}.${key}[${i}]`));
  return out;
}

/** Keywords of Gemini's Schema object (a select subset of the OpenAPI 3.0 schema object). */
const GEMINI_KEYWORDS = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'default',
  'items',
  'minimum',
  'maximum',
]);
const GEMINI_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

interface Rule {
  client: string;
  rule: string;
  source: string;
  /** Problems with this tool, as messages (empty when it passes). */
  check(tool: ToolDefinition): string[];
}

const eachSubschema =
  (bad: (schema: Schema) => string | undefined) =>
  (tool: ToolDefinition): string[] =>
    subschemas(tool.inputSchema as unknown as Schema).flatMap(({ path, schema }) => {
      const problem = bad(schema);
      return problem ? [`${tool.name} ${path}: ${problem}`] : [];
    });

const RULES: Rule[] = [
  {
    client: 'Gemini',
    rule: 'only keywords of the OpenAPI 3.0 subset (no additionalProperties, $ref, $schema, const, $defs)',
    source: 'https://ai.google.dev/api/caching#Schema (Schema: "a select subset of an OpenAPI 3.0 schema object")',
    check: eachSubschema((schema) => {
      const extra = Object.keys(schema).filter((key) => !GEMINI_KEYWORDS.has(key));
      return extra.length > 0 ? `keywords ${extra.join(', ')}` : undefined;
    }),
  },
  {
    client: 'Gemini',
    rule: 'every schema has one type from the Type enum (no type lists, no untyped `{}`)',
    source: 'https://ai.google.dev/api/caching#Type (Schema.type: "Required. Data type.")',
    check: eachSubschema((schema) =>
      typeof schema.type === 'string' && GEMINI_TYPES.has(schema.type) ? undefined : `type ${JSON.stringify(schema.type)}`,
    ),
  },
  {
    client: 'Gemini',
    rule: 'every array has typed items',
    source: 'https://ai.google.dev/api/caching#Schema (items: "Schema of the elements of Type.ARRAY"); the refusal in issue 13',
    check: eachSubschema((schema) =>
      schema.type === 'array' && typeof (schema.items as Schema | undefined)?.type !== 'string' ? 'array without typed items' : undefined,
    ),
  },
  {
    client: 'Gemini',
    rule: 'no object schema without properties',
    source: 'Gemini API error "properties: should be non-empty for OBJECT type" (https://ai.google.dev/gemini-api/docs/function-calling)',
    check: eachSubschema((schema) =>
      schema.type === 'object' && Object.keys((schema.properties as object | undefined) ?? {}).length === 0
        ? 'object without properties'
        : undefined,
    ),
  },
  {
    client: 'Gemini',
    rule: 'enum only on strings',
    source: 'https://ai.google.dev/api/caching#Schema (enum: "for Type.STRING with enum format")',
    check: eachSubschema((schema) =>
      schema.enum !== undefined && schema.type !== 'string' ? `enum on ${String(schema.type)}` : undefined,
    ),
  },
  {
    client: 'Gemini',
    rule: 'function name of a-z, A-Z, 0-9, _ . : -, at most 64 characters',
    source: 'https://ai.google.dev/api/caching#FunctionDeclaration (name)',
    check: (tool) => (/^[a-zA-Z0-9_.:-]{1,64}$/.test(tool.name) ? [] : [`name ${tool.name}`]),
  },
  {
    client: 'all (issue 13)',
    rule: 'no anyOf / oneOf / allOf at any level (Gemini refuses mixed-type anyOf; clients flatten combinators differently)',
    source: 'issue 13, "Schemas for every client"; https://ai.google.dev/api/caching#Schema (anyOf of one type only)',
    check: eachSubschema((schema) => {
      const found = ['anyOf', 'oneOf', 'allOf', 'not'].filter((key) => key in schema);
      return found.length > 0 ? found.join(', ') : undefined;
    }),
  },
  {
    client: 'OpenAI (non-strict)',
    rule: 'parameters are a JSON Schema with type "object" at the root, without enum/anyOf/oneOf/allOf/not there',
    source: 'https://platform.openai.com/docs/guides/function-calling (Defining functions: parameters, "a JSON Schema object")',
    check: (tool) => {
      const root = tool.inputSchema as unknown as Schema;
      const bad = ['enum', 'anyOf', 'oneOf', 'allOf', 'not'].filter((key) => key in root);
      return root.type === 'object' && bad.length === 0 ? [] : [`${tool.name} root: type ${String(root.type)} ${bad.join(', ')}`];
    },
  },
  {
    client: 'OpenAI (non-strict)',
    rule: 'every array schema has items',
    source: 'OpenAI API error "array schema missing items" (https://platform.openai.com/docs/guides/function-calling)',
    check: eachSubschema((schema) => (schema.type === 'array' && schema.items === undefined ? 'array without items' : undefined)),
  },
  {
    client: 'OpenAI / Claude',
    rule: 'tool name matches ^[a-zA-Z0-9_-]{1,64}$',
    source:
      'https://platform.openai.com/docs/api-reference/chat/create (tools[].function.name); https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use (name)',
    check: (tool) => (NAME.test(tool.name) ? [] : [`name ${tool.name}`]),
  },
  {
    client: 'Claude',
    rule: 'tool description at most 2,048 characters (longer ones are cut)',
    source:
      'Claude Code MCP docs, tool descriptions truncated at 2,048 characters (https://docs.anthropic.com/en/docs/claude-code/mcp); issue 13',
    check: (tool) => (tool.description.length <= 2048 ? [] : [`${tool.name} description is ${tool.description.length} characters`]),
  },
  {
    client: 'Claude',
    rule: 'each parameter description at most 2,048 characters',
    source: 'as above: descriptions past 2,048 characters are cut, and a cut action list hides actions',
    check: (tool) =>
      Object.entries(tool.inputSchema.properties).flatMap(([name, schema]) => {
        const length = ((schema as Schema).description as string | undefined)?.length ?? 0;
        return length <= 2048 ? [] : [`${tool.name}.${name} description is ${length} characters`];
      }),
  },
  {
    client: 'Cursor',
    rule: 'server name + tool name at most 60 characters',
    source:
      'https://docs.cursor.com/context/model-context-protocol (tools whose combined server and tool name exceeds 60 characters are dropped)',
    check: (tool) =>
      SERVER_NAMES.filter((server) => `${server}${tool.name}`.length > 60).map(
        (server) => `${server} + ${tool.name} is over 60 characters`,
      ),
  },
  {
    client: 'MCP',
    rule: 'inputSchema and outputSchema are objects (type "object")',
    source: 'https://modelcontextprotocol.io/specification/2025-06-18/server/tools (Tool: inputSchema, outputSchema)',
    check: (tool) => (tool.inputSchema.type === 'object' && tool.outputSchema.type === 'object' ? [] : [`${tool.name} schema root`]),
  },
];

for (const [configuration, env] of Object.entries(CONFIGURATIONS)) {
  describe(`client schema rules, ${configuration} configuration`, () => {
    const config = testConfig(env);
    const tools = buildTools(config.enabledTools)
      .map((tool) => describeTool(tool, config))
      .filter((tool) => tool !== undefined);

    it('serves tools to check', () => {
      expect(tools.length).toBeGreaterThan(0);
    });

    it.each(RULES.map((rule) => [`${rule.client}: ${rule.rule}`, rule] as const))('%s', (_name, rule) => {
      expect(tools.flatMap((tool) => rule.check(tool))).toEqual([]);
    });
  });
}

describe('the rules catch what they name', () => {
  const tool = (inputSchema: Schema, name = 'hub_x'): ToolDefinition =>
    ({ name, title: 'x', description: 'x', inputSchema, outputSchema: { type: 'object' }, annotations: {} }) as unknown as ToolDefinition;
  const broken: [string, ToolDefinition][] = [
    ['untyped array items', tool({ type: 'object', properties: { a: { type: 'array', items: {}, description: 'x' } } })],
    ['anyOf', tool({ type: 'object', properties: { a: { anyOf: [{ type: 'object' }, { type: 'string' }] } } })],
    ['additionalProperties', tool({ type: 'object', properties: { a: { type: 'object', additionalProperties: false } } })],
    ['a long name', tool({ type: 'object', properties: { a: { type: 'string' } } }, 'x'.repeat(65))],
  ];
  it.each(broken)('%s fails some rule', (_name, definition) => {
    expect(RULES.flatMap((rule) => rule.check(definition)).length).toBeGreaterThan(0);
  });
});
