// What the hostile suites run: every tool and action the catalog serves, read at run time from
// allTools() (tools keep landing), with plausible arguments derived from each action's own schema
// (required parameters filled from a table of realistic values by name, else from the JSON schema),
// and a checker for the MCP CallTool result shape.
import { z } from 'zod';
import type { AppContext } from '../../../src/context.js';
import type { Action, CallResult, ToolSpec } from '../../../src/tools/framework.js';
import { allTools } from '../../../src/tools/catalog.js';

export interface ActionEntry {
  tool: ToolSpec<AppContext>;
  name: string;
  action: Action<AppContext>;
  /** `tool.action` */
  label: string;
}

export function everyAction(tools: readonly ToolSpec<AppContext>[] = allTools()): ActionEntry[] {
  return tools.flatMap((tool) =>
    Object.entries(tool.actions).map(([name, action]) => ({ tool, name, action, label: `${tool.name}.${name}` })),
  );
}

export function toolsByName(tools: readonly ToolSpec<AppContext>[] = allTools()): Map<string, ToolSpec<AppContext>> {
  return new Map(tools.map((tool) => [tool.name, tool]));
}

export const SHA = (fill: string): string => `sha256:${fill.repeat(64).slice(0, 64)}`;

/** Realistic values by parameter name; `repo` and `registry` depend on the registry under test. */
export function plausibleValues(registryHost: string, repo = 'acme/app'): Record<string, unknown> {
  return {
    repo: `${registryHost}/${repo}:v1`,
    registry: registryHost,
    source: `${registryHost}/${repo}:v1`,
    target: `${registryHost}/acme/copy:v1`,
    base_ref: `${registryHost}/${repo}:v1`,
    target_ref: `${registryHost}/${repo}:v2`,
    other: `${registryHost}/${repo}:v1`,
    digest: SHA('a'),
    identifier: 'octo',
    secret: 'not-a-configured-secret',
    username: 'octo',
    password: 'not-a-configured-password',
    code: '123456',
    token_label: 'ci',
    scopes: ['repo:read'],
    uuid: '6f1e2d3c-0000-4000-8000-000000000001',
    org: 'acme',
    label: 'ci',
    token_id: '6f1e2d3c-0000-4000-8000-000000000002',
    namespace: 'acme',
    name: 'web',
    repository: 'web',
    tag: 'v1',
    enabled: true,
    rules: ['v.*'],
    group_id: 7,
    permission: 'read',
    query: 'nginx',
    invitees: ['jo@example.com'],
    role: 'member',
    restricted_images_enabled: true,
    invite_id: '6f1e2d3c-0000-4000-8000-000000000003',
    group_name: 'devs',
    member: 'jo',
    account: 'acme',
    schema_id: 'urn:ietf:params:scim:schemas:core:2.0:User',
    user_id: 'd80f',
    user_name: 'jo@acme.io',
    cve_id: 'CVE-2024-3094',
    description: 'hostile suite',
    // hub_registry read_file / files: a file every fixture image has.
    path: '/etc/os-release',
  };
}

type JsonSchema = { type?: string; enum?: unknown[]; minimum?: number; maximum?: number; minLength?: number; items?: JsonSchema };

function fromJsonSchema(schema: JsonSchema): unknown {
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case 'boolean':
      return true;
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, Math.min(1, schema.maximum ?? 1));
    case 'array':
      return [fromJsonSchema(schema.items ?? { type: 'string' })];
    case 'object':
      return {};
    default:
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1)).replace(/^x/, 'a');
  }
}

const isRequired = (schema: z.ZodType): boolean => !schema.safeParse(undefined).success;

/**
 * Arguments for an action: every required parameter filled (by name from `values`, else from its
 * JSON schema), plus optional ones named in `values` when `withOptional`. Returns the arguments and
 * whether the action's own strict schema accepts them.
 */
export function plausibleArgs(
  entry: ActionEntry,
  values: Record<string, unknown>,
  options: { withOptional?: boolean } = {},
): { args: Record<string, unknown>; valid: boolean; issues: string } {
  const args: Record<string, unknown> = { action: entry.name };
  for (const [param, schema] of Object.entries(entry.action.shape)) {
    if (param === 'dry_run') continue;
    const required = isRequired(schema);
    if (!required && !(options.withOptional && param in values)) continue;
    let value =
      param in values ? values[param] : fromJsonSchema(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
    if (!schema.safeParse(value).success) {
      const fallback = fromJsonSchema(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
      if (schema.safeParse(fallback).success || !required) value = fallback;
    }
    if (!required && !schema.safeParse(value).success) continue;
    args[param] = value;
  }
  const { action: _action, ...rest } = args;
  const parsed = z.strictObject(entry.action.shape).safeParse(rest);
  return {
    args,
    valid: parsed.success,
    issues: parsed.success ? '' : JSON.stringify(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)),
  };
}

/** Why `result` is not a valid MCP CallTool result, or undefined when it is one. */
export function resultProblem(result: unknown): string | undefined {
  if (result === null || typeof result !== 'object') return 'result is not an object';
  const r = result as Partial<CallResult>;
  if (!Array.isArray(r.content) || r.content.length === 0) return 'content is not a non-empty array';
  const text = r.content.find((c) => c.type === 'text');
  if (!text || typeof text.text !== 'string') return 'content has no text item';
  if (r.structuredContent === null || typeof r.structuredContent !== 'object' || Array.isArray(r.structuredContent))
    return 'structuredContent is not an object';
  if (r.isError !== undefined && typeof r.isError !== 'boolean') return 'isError is neither boolean nor undefined';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.text);
  } catch {
    return 'the text item is not JSON';
  }
  if (JSON.stringify(parsed) !== JSON.stringify(r.structuredContent)) return 'the text item differs from structuredContent';
  if (r.isError) {
    const error = (r.structuredContent as { error?: { type?: unknown; message?: unknown } }).error;
    if (!error || typeof error.type !== 'string' || typeof error.message !== 'string' || error.message.length === 0)
      return 'an error result without {error: {type, message}}';
  }
  return undefined;
}

/** The `{type, message}` of an error result, or undefined for a success. */
export function errorOf(result: CallResult): { type: string; message: string; hint?: string } | undefined {
  if (!result.isError) return undefined;
  return (result.structuredContent as { error: { type: string; message: string; hint?: string } }).error;
}
