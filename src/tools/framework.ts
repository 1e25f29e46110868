// Action-routed tools: one MCP tool per domain, `action` selects the operation. This file turns
// action tables into what the model sees (a flat object schema, computed annotations) and runs a
// call: validate → read-only / gate check → handler → redact → cap → result.
import { z } from 'zod';
import type { Config } from '../config.js';
import type { ToolName } from '../config-spec.js';
import type { Envelope } from '../http/envelope.js';
import { ToolError, toToolError } from '../http/errors.js';
import { redact } from '../redact.js';
import type { Logger } from '../log.js';
import { ARGUMENT_JSON_BOUNDS, jsonBoundsViolation } from '../util/json-bounds.js';
import { capEnvelope, capError, DEFAULT_CAPS, type Caps } from './caps.js';
import type { CallAllowance, Caller } from './caller.js';
import { confirmDestructive, type Elicit } from './confirm.js';
import { isUnadvertised, mergeParam, paramSchema } from './advertise.js';
import { OUTPUT_SCHEMA } from './output-schema.js';

// Tool files declare parameters with advertiseAs next to defineAction.
export { advertiseAs } from './advertise.js';
import { formatIssues } from './validation-messages.js';
import './tool-errors.js';

export type { CallAllowance, Caller } from './caller.js';

/** Parameters of one action: name → zod schema (with `.describe()`). */
export type ParamShape = Record<string, z.ZodType>;

/** What a handler gets besides its arguments. */
export interface ToolContext<App = unknown> {
  app: App;
  signal: AbortSignal;
  log: Logger;
  /** Sends a progress notification when the client asked for them (no-op otherwise). */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** Asks the human through the client (MCP elicitation); absent when the client cannot. */
  elicit?: Elicit;
  /** Who called, when the HTTP request carried an OAuth access token (never the token itself). */
  caller?: Caller;
}

/** A handler result: the envelope, plus values allowed through redaction in this result only. */
export type ActionOutput = Envelope & { reveal?: readonly string[] };

/**
 * A write that is destructive only with some arguments (a token deactivated, a user disabled):
 * it stays callable with the gate closed, and a call whose arguments make it destructive is refused.
 */
export interface DestructiveWhen {
  /** The arguments that make it destructive, as the model reads them: `is_active:false`. */
  args: string;
  /** Why the validated arguments are destructive, or undefined when they are not. */
  reason(args: Record<string, unknown>): string | undefined;
}

export interface ActionSpec<P extends ParamShape, App> {
  /** One short line: what the action does. */
  description: string;
  /** Parameters, each with `.describe()`; optional ones `.optional()`. */
  params: P;
  /** Changes something upstream (removed in read-only mode). */
  write?: boolean;
  /** Deletes, overwrites or revokes (behind DOCKERHUB_ALLOW_DESTRUCTIVE); implies write. */
  destructive?: boolean;
  /** Destructive only when these arguments say so (implies write; takes dry_run). */
  destructiveWhen?: DestructiveWhen;
  /** A dry run unless `dry_run: false` (a bulk delete is asked for twice). */
  previewByDefault?: boolean;
  run(args: z.infer<z.ZodObject<P>> & { dry_run?: boolean }, ctx: ToolContext<App>): Promise<ActionOutput>;
}

/** An action with its types erased, as the framework stores it. */
export interface Action<App> {
  description: string;
  shape: ParamShape;
  write: boolean;
  destructive: boolean;
  destructiveWhen?: DestructiveWhen;
  /** A dry run unless `dry_run: false`. */
  previewByDefault?: boolean;
  /** Callable by name but not offered in tools/list: another listed action does the same job. */
  unlisted?: boolean;
  /**
   * Validates the arguments strictly, then runs; `label` (`tool.action`) prefixes validation
   * errors. `check` sees the validated arguments before the run and may refuse by throwing.
   */
  invoke(
    args: Record<string, unknown>,
    ctx: ToolContext<App>,
    label: string,
    check?: (args: Record<string, unknown>) => Promise<void>,
  ): Promise<ActionOutput>;
}

const DRY_RUN = z.boolean().optional().describe('Preview: changes nothing');

export function defineAction<P extends ParamShape, App>(spec: ActionSpec<P, App>): Action<App> {
  const destructive = spec.destructive === true;
  const conditional = destructive ? undefined : spec.destructiveWhen;
  const previewable = destructive || conditional !== undefined;
  const shape: ParamShape = previewable ? { ...spec.params, dry_run: DRY_RUN } : spec.params;
  const schema = z.strictObject(shape);
  return {
    description: spec.description,
    shape,
    write: previewable || spec.write === true,
    destructive,
    ...(conditional ? { destructiveWhen: conditional } : {}),
    ...(spec.previewByDefault === true ? { previewByDefault: true } : {}),
    invoke: async (args, ctx, label, check) => {
      const parsed = schema.safeParse(args);
      if (!parsed.success)
        throw new ToolError('invalid_argument', `${label}: ${formatIssues(parsed.error.issues, args, Object.keys(shape))}`);
      await check?.(parsed.data);
      return spec.run(parsed.data as z.infer<z.ZodObject<P>> & { dry_run?: boolean }, ctx);
    },
  };
}

export interface ToolSpec<App> {
  name: ToolName;
  title: string;
  /** One or two sentences; the action list is appended. */
  description: string;
  /** True when the tool talks to services outside this process. */
  openWorld: boolean;
  actions: Readonly<Record<string, Action<App>>>;
  /**
   * Why no action can work in this configuration (hub_scim without its SCIM token), or undefined
   * when the tool can work. Such a tool is not listed: every model context would pay for a tool
   * whose every call fails; `hub_admin config` names it and the reason.
   */
  unavailable?(config: Partial<Config>): string | undefined;
}

/**
 * MCP tool annotations, each hint left out when it says what the spec's default says
 * (readOnlyHint false, destructiveHint true, idempotentHint false, openWorldHint true): clients
 * read the defaults, and the list is paid for in every model context. destructiveHint: false is
 * always said, since its default is true; idempotentHint only for a tool that writes (the spec
 * gives it meaning only when readOnlyHint is false).
 */
export interface ToolAnnotations {
  readOnlyHint?: true;
  destructiveHint?: false;
  idempotentHint?: true;
  openWorldHint?: false;
}

/** The MCP spec's value of each hint a tool leaves out (2025-06-18, ToolAnnotations). */
export const HINT_DEFAULTS = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true } as const;

/** The tools/list entry. */
export interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  inputSchema: { type: 'object'; properties: Record<string, object>; required: string[] };
  outputSchema: typeof OUTPUT_SCHEMA;
  annotations: ToolAnnotations;
}

/**
 * `action`, callable by name (the reference's callers keep working) but left out of tools/list,
 * where it would cost every model context a line for what a listed action already does.
 */
export function unlisted<App>(action: Action<App>): Action<App> {
  return { ...action, unlisted: true };
}

export interface Exposure {
  /** Actions in the `action` enum. */
  exposed: string[];
  /** Callable, but not in the enum (`unlisted`): a listed action does the same. */
  unlisted: string[];
  /** Destructive actions hidden because the gate is closed (callable with dry_run). */
  gated: string[];
  /** Write actions hidden by read-only mode. */
  readOnlyHidden: string[];
}

export function exposure<App>(spec: ToolSpec<App>, config: Pick<Config, 'readOnly' | 'allowDestructive'>): Exposure {
  const out: Exposure = { exposed: [], unlisted: [], gated: [], readOnlyHidden: [] };
  for (const [name, action] of Object.entries(spec.actions)) {
    if (config.readOnly && action.write) out.readOnlyHidden.push(name);
    else if (action.destructive && !config.allowDestructive) out.gated.push(name);
    else if (action.unlisted === true) out.unlisted.push(name);
    else out.exposed.push(name);
  }
  return out;
}

function requiredParams(shape: ParamShape): string[] {
  return Object.entries(shape)
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([name]) => name);
}

/** What describeTool reads of the configuration (the rest only through a tool's `unavailable`). */
export type DescribeConfig = Pick<Config, 'readOnly' | 'allowDestructive'> & Partial<Config>;

/**
 * The tool's main parameters (`repo` of hub_registry, `namespace` of hub_repos): taken by at
 * least half of the exposed actions (two or more) and required by each of them. They are said
 * once, as `; required` on the parameter, rather than in the parenthesis of every action line;
 * a parameter fewer actions take (`tag`, `digest`) stays in those lines, where "required" cannot
 * be read as "send it to every action".
 */
function requiredWhereTaken<App>(spec: ToolSpec<App>, exposed: readonly string[]): Set<string> {
  const takers = new Map<string, number>();
  const optional = new Set<string>();
  for (const name of exposed) {
    const shape = spec.actions[name]!.shape;
    const required = new Set(requiredParams(shape));
    for (const [param, schema] of Object.entries(shape)) {
      if (isUnadvertised(schema)) continue;
      takers.set(param, (takers.get(param) ?? 0) + 1);
      if (!required.has(param)) optional.add(param);
    }
  }
  const main = ([param, count]: [string, number]): boolean => count >= 2 && count * 2 >= exposed.length && !optional.has(param);
  return new Set([...takers].filter(main).map(([param]) => param));
}

export function describeTool<App>(spec: ToolSpec<App>, config: DescribeConfig): ToolDefinition | undefined {
  const { exposed } = exposure(spec, config);
  if (exposed.length === 0 || spec.unavailable?.(config) !== undefined) return undefined;
  // Only what can run is offered. A gated action cannot do its job until an operator opens the
  // gate, so offering it costs every model context its line and parameters and invites calls
  // that end in gate_closed; the server still serves its dry run by name, and `hub_admin config`
  // and the gate_closed answer name what the gate holds back.
  const properties: Record<string, object> = {};
  const lines: string[] = [];
  const always = requiredWhereTaken(spec, exposed);
  for (const name of exposed) {
    const action = spec.actions[name]!;
    for (const [param, schema] of Object.entries(action.shape)) {
      if (isUnadvertised(schema)) continue;
      properties[param] = mergeParam(properties[param], paramSchema(schema));
    }
    const required = requiredParams(action.shape).filter((param) => !always.has(param));
    // With the gate closed the model learns up front which arguments will be refused.
    const note = action.destructiveWhen && !config.allowDestructive ? `; ${action.destructiveWhen.args} needs the destructive gate` : '';
    lines.push(`${name}${required.length > 0 ? `(${required.join(', ')})` : ''}: ${action.description}${note}`);
  }
  for (const param of always) {
    const schema = properties[param] as { description?: string };
    properties[param] = { ...schema, description: `${schema.description ?? param}; required` };
  }
  const actionProperty = { type: 'string', enum: exposed, description: lines.join('; ') };

  const exposedActions = exposed.map((name) => spec.actions[name]!);
  const readOnly = exposedActions.every((action) => !action.write);
  // A conditionally destructive action can be destructive only when the gate lets it.
  const destructive = exposedActions.some(
    (action) => action.destructive || (action.destructiveWhen !== undefined && config.allowDestructive),
  );
  const annotations: ToolAnnotations = {
    ...(readOnly ? { readOnlyHint: true } : {}),
    ...(destructive ? {} : { destructiveHint: false }),
    ...(spec.openWorld ? {} : { openWorldHint: false }),
  };
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    inputSchema: { type: 'object', properties: { action: actionProperty, ...properties }, required: ['action'] },
    outputSchema: OUTPUT_SCHEMA,
    // The title is said once, at the top (MCP 2025-06-18 reads it there before annotations.title).
    annotations,
  };
}

/** The MCP CallTool result shape. */
export interface CallResult {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  structuredContent: Record<string, unknown>;
  isError?: boolean;
}

/** An isError result, capped like every result: an 8 MiB upstream message must not reach the client. */
export function errorResult(error: ToolError, maxBytes: number = DEFAULT_CAPS.maxBytes): CallResult {
  const body = { error: capError(redact(error.toBody()), maxBytes) };
  return { content: [{ type: 'text', text: JSON.stringify(body) }], structuredContent: body, isError: true };
}

/** Refuses arguments nested or keyed past the bounds before zod walks them (recursively). */
function checkArgumentBounds(tool: string, args: object): void {
  const violation = jsonBoundsViolation(args, ARGUMENT_JSON_BOUNDS);
  if (!violation) return;
  throw new ToolError(
    'invalid_argument',
    violation.kind === 'depth'
      ? `${tool}: arguments nest deeper than ${violation.limit} levels`
      : `${tool}: arguments hold more than ${violation.limit.toLocaleString('en-US')} keys in all`,
  );
}

export interface CallOptions<App> {
  ctx: ToolContext<App>;
  /** `confirm` defaults to `when-supported`. */
  config: Pick<Config, 'readOnly' | 'allowDestructive'> & Partial<Pick<Config, 'confirm'>>;
  caps: Caps;
  /** Checked after validation and before any request; dry runs change nothing and are not checked. */
  allow?: CallAllowance;
}

export async function callTool<App>(spec: ToolSpec<App>, rawArgs: unknown, options: CallOptions<App>): Promise<CallResult> {
  const { ctx, config } = options;
  const started = Date.now();
  let actionName: unknown;
  try {
    if (rawArgs === null || typeof rawArgs !== 'object' || Array.isArray(rawArgs)) {
      throw new ToolError('invalid_argument', `${spec.name}: arguments must be an object with an 'action' field`);
    }
    checkArgumentBounds(spec.name, rawArgs);
    const { action: named, ...args } = rawArgs as Record<string, unknown>;
    actionName = named;
    const { exposed, unlisted: aliases, gated, readOnlyHidden } = exposure(spec, config);
    const valid = [...exposed, ...aliases, ...gated].join(', ');
    if (typeof actionName !== 'string' || actionName.length === 0) {
      throw new ToolError('invalid_argument', `${spec.name}: missing required parameter 'action'; valid actions: ${valid}`);
    }
    const action = Object.hasOwn(spec.actions, actionName) ? spec.actions[actionName] : undefined;
    if (!action) {
      throw new ToolError('unknown_action', `${spec.name}: unknown action '${actionName.slice(0, 100)}'; valid actions: ${valid}`);
    }
    if (readOnlyHidden.includes(actionName)) {
      throw new ToolError(
        'read_only',
        `${spec.name}.${actionName} changes data and the server is in read-only mode`,
        undefined,
        'An operator turns read-only mode off by unsetting DOCKERHUB_READ_ONLY (or dropping --read-only).',
      );
    }
    if (gated.includes(actionName) && args.dry_run !== true) {
      throw new ToolError(
        'gate_closed',
        `${spec.name}.${actionName} is destructive and disabled on this server`,
        undefined,
        'An operator enables destructive actions with DOCKERHUB_ALLOW_DESTRUCTIVE=true (or --allow-destructive); call with dry_run: true to see what it would change.',
      );
    }
    const label = `${spec.name}.${actionName}`;
    // Arguments that make a write destructive (is_active:false) are refused with the gate closed,
    // after validation (so the reason is read from checked values) and before any request.
    const gate = (valid: Record<string, unknown>): void => {
      if (config.allowDestructive || valid.dry_run === true || !action.destructiveWhen) return;
      const reason = action.destructiveWhen.reason(valid);
      if (reason === undefined) return;
      throw new ToolError(
        'gate_closed',
        `${label}: ${reason}; that is destructive and disabled on this server`,
        undefined,
        `An operator enables destructive actions with DOCKERHUB_ALLOW_DESTRUCTIVE=true (or --allow-destructive); call with dry_run: true to see what it would change, or leave out ${action.destructiveWhen.args}.`,
      );
    };
    // A destructive call that passed the gate and the caller's scopes still waits for the human
    // where the client can ask (DOCKERHUB_CONFIRM); a dry run of it comes first, so the question
    // names the exact target.
    const check = async (valid: Record<string, unknown>): Promise<void> => {
      gate(valid);
      const preview = action.previewByDefault ? valid.dry_run !== false : valid.dry_run === true;
      if (options.allow && !preview) {
        const destructive = action.destructive || action.destructiveWhen?.reason(valid) !== undefined;
        options.allow({ write: action.write, destructive }, label);
      }
      await confirmDestructive({ mode: config.confirm ?? 'when-supported', action, label, rawArgs: args, args: valid, ctx });
    };
    const output = await action.invoke(args, ctx, label, check);
    ctx.log.debug('tool call', { tool: spec.name, action: actionName, ms: Date.now() - started, status: output.status_code });
    const { reveal, ...result } = output;
    const safe = redact(result, { reveal: new Set(reveal ?? []) });
    const capped = capEnvelope(safe, options.caps);
    return { content: [{ type: 'text', text: JSON.stringify(capped) }], structuredContent: capped as unknown as Record<string, unknown> };
  } catch (error) {
    const toolError = toToolError(error);
    // The same line as a success, so a debug log shows every call; the type, not the message.
    ctx.log.debug('tool call', {
      tool: spec.name,
      action: typeof actionName === 'string' ? actionName.slice(0, 100) : undefined,
      ms: Date.now() - started,
      error: toolError.type,
      ...(toolError.status !== undefined ? { status: toolError.status } : {}),
    });
    if (toolError.type === 'internal_error') ctx.log.error('tool call failed', { tool: spec.name, error: toolError.message });
    return errorResult(toolError, options.caps.maxBytes);
  }
}
