// What a prompt is: typed string arguments (MCP prompt arguments are strings) each checked and
// normalised before use, the one tool action the workflow cannot do without, and a renderer that
// writes the workflow as numbered steps naming exact tool calls with the arguments filled in.
// A step is written only when its action can run on this server (DOCKERHUB_TOOLS, read-only and
// the destructive gate decide), so a prompt never tells a model to call what will be refused.
import type { Config } from '../config.js';
import type { ToolName } from '../config-spec.js';
import { ToolError } from '../http/errors.js';
import { formatPlatform, parsePlatform } from '../registry/platform.js';
import { parseImageRef, type ImageRef } from '../registry/reference.js';
import type { CompleterKind } from '../resources/completers.js';

export interface PromptArgument {
  name: string;
  description: string;
  required?: boolean;
  /** Checks the value and returns it normalised; throws invalid_argument with the reason. */
  check?: (value: string, config: Config) => string;
  complete?: CompleterKind;
}

/** Whether an action can be called here: fully, as a dry run only (gate closed), or not at all. */
export type Callable = 'run' | 'dry_run' | 'no';

export interface Availability {
  callable(tool: ToolName, action: string): Callable;
}

export interface PromptSpec {
  name: string;
  title: string;
  description: string;
  arguments: readonly PromptArgument[];
  /** Offered only when this action can at least be dry-run. */
  needs: { tool: ToolName; action: string };
  /** Checks that need several arguments at once (after each one's own check). */
  validate?: (args: Readonly<Record<string, string>>, config: Config) => void;
  /** The user message: the workflow with every call spelled out. */
  render(args: Readonly<Record<string, string>>, can: Availability): string;
}

/** One step: the exact call, in the JSON a model passes as arguments, and why it is made. */
export function call(tool: ToolName, args: Record<string, unknown>, why: string): string {
  const present = Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined));
  return `Call \`${tool}\` with \`${JSON.stringify(present)}\` — ${why}`;
}

/** Numbered steps (empty entries, for steps left out, dropped), then the closing instructions. */
export function workflow(intro: string, steps: readonly (string | undefined | false)[], closing: string): string {
  const kept = steps.filter((step): step is string => typeof step === 'string' && step.length > 0);
  return [intro, '', ...kept.map((step, i) => `${i + 1}. ${step}`), '', closing].join('\n');
}

// ---- argument checks: the same grammar the tools apply -----------------------------------------

export function imageRef(value: string, config: Config, name: string): ImageRef {
  try {
    return parseImageRef(value, undefined, { registryUrl: config.registryUrl });
  } catch (error) {
    // The parser names its input 'repo', as the tools call it; here it is this argument.
    const reason = (error instanceof Error ? error.message : String(error)).replace(/'repo'/g, `'${name}'`);
    throw new ToolError('invalid_argument', reason);
  }
}

/** An image reference argument, checked and kept as the user wrote it (trimmed). */
export const image =
  (name: string) =>
  (value: string, config: Config): string => {
    imageRef(value, config, name);
    return value.trim();
  };

export const integer =
  (name: string, min: number, max: number) =>
  (value: string): string => {
    const trimmed = value.trim();
    if (!/^\d{1,6}$/.test(trimmed) || Number(trimmed) < min || Number(trimmed) > max) {
      throw new ToolError('invalid_argument', `'${name}' must be a whole number from ${min} to ${max} (got '${value.slice(0, 40)}')`);
    }
    return String(Number(trimmed));
  };

export const boolean =
  (name: string) =>
  (value: string): string => {
    const lower = value.trim().toLowerCase();
    if (lower === 'true' || lower === 'yes') return 'true';
    if (lower === 'false' || lower === 'no') return 'false';
    throw new ToolError('invalid_argument', `'${name}' must be true or false (got '${value.slice(0, 40)}')`);
  };

export function regex(value: string, name: string): string {
  if (value.length < 1 || value.length > 255) throw new ToolError('invalid_argument', `'${name}' must be 1-255 characters`);
  try {
    new RegExp(value);
  } catch {
    throw new ToolError('invalid_argument', `'${name}' is not a valid regular expression: ${value.slice(0, 80)}`);
  }
  return value;
}

/** Splits a list typed as one string: commas, spaces or new lines separate items. */
export function listOf(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** os/arch[/variant], checked by the same parser hub_registry uses. */
export const platform = (value: string): string => {
  if (value.length > 60) throw new ToolError('invalid_argument', `'platform' must be at most 60 characters`);
  return formatPlatform(parsePlatform(value));
};
