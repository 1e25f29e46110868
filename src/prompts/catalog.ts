// The prompt catalog: every workflow the server can offer, the subset this configuration can run
// (a prompt whose essential action is hidden by DOCKERHUB_TOOLS or read-only mode is not offered),
// and prompts/get: arguments checked one by one, then together, then the workflow rendered.
// The README's prompt table is rendered from PROMPTS.
import type { GetPromptResult, Prompt } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../config.js';
import type { ToolName } from '../config-spec.js';
import { ToolError } from '../http/errors.js';
import { exposure, type ToolSpec } from '../tools/framework.js';
import { cleanUpTags, explainRateLimit } from './hub-prompts.js';
import { auditImage, mirrorImage, pinDigests } from './image-prompts.js';
import type { Availability, Callable, PromptSpec } from './define.js';

export const PROMPTS: readonly PromptSpec[] = [auditImage, cleanUpTags, pinDigests, mirrorImage, explainRateLimit];

/** What a configuration lets each action do, read from the same exposure the tools use. */
export function availability<App>(tools: readonly ToolSpec<App>[], config: Pick<Config, 'readOnly' | 'allowDestructive'>): Availability {
  const table = new Map<string, Callable>();
  for (const tool of tools) {
    const { exposed, gated } = exposure(tool, config);
    for (const action of exposed) table.set(`${tool.name}.${action}`, 'run');
    for (const action of gated) table.set(`${tool.name}.${action}`, 'dry_run');
  }
  return { callable: (tool: ToolName, action: string) => table.get(`${tool}.${action}`) ?? 'no' };
}

export function servedPrompts(can: Availability): PromptSpec[] {
  return PROMPTS.filter((prompt) => can.callable(prompt.needs.tool, prompt.needs.action) !== 'no');
}

/** The prompts/list entry. */
export function describePrompt(prompt: PromptSpec): Prompt {
  return {
    name: prompt.name,
    title: prompt.title,
    description: prompt.description,
    arguments: prompt.arguments.map((arg) => ({ name: arg.name, description: arg.description, required: arg.required === true })),
  };
}

/**
 * The checked arguments of a prompts/get: unknown names and missing required ones refused, empty
 * optional ones dropped (some clients send "" for a field the user left blank).
 */
export function checkArguments(prompt: PromptSpec, given: Readonly<Record<string, string>>, config: Config): Record<string, string> {
  const known = new Set(prompt.arguments.map((arg) => arg.name));
  const unknown = Object.keys(given).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new ToolError(
      'invalid_argument',
      `prompt ${prompt.name}: unknown argument '${unknown[0]!.slice(0, 60)}'; its arguments: ${[...known].join(', ')}`,
    );
  }
  const out: Record<string, string> = {};
  for (const arg of prompt.arguments) {
    const value = given[arg.name];
    if (value === undefined || value.trim().length === 0) {
      if (arg.required)
        throw new ToolError('invalid_argument', `prompt ${prompt.name}: missing required argument '${arg.name}' (${arg.description})`);
      continue;
    }
    if (value.length > 4096) throw new ToolError('invalid_argument', `prompt ${prompt.name}: '${arg.name}' is longer than 4096 characters`);
    try {
      out[arg.name] = arg.check ? arg.check(value, config) : value.trim();
    } catch (error) {
      if (error instanceof ToolError) throw new ToolError('invalid_argument', `prompt ${prompt.name}: ${error.message}`);
      throw error;
    }
  }
  try {
    prompt.validate?.(out, config);
  } catch (error) {
    if (error instanceof ToolError) throw new ToolError('invalid_argument', `prompt ${prompt.name}: ${error.message}`);
    throw error;
  }
  return out;
}

/** prompts/get: one user message holding the workflow with every call spelled out. */
export function getPrompt(prompt: PromptSpec, given: Readonly<Record<string, string>>, config: Config, can: Availability): GetPromptResult {
  const args = checkArguments(prompt, given, config);
  return {
    description: prompt.description,
    messages: [{ role: 'user' as const, content: { type: 'text' as const, text: prompt.render(args, can) } }],
  };
}
