// Turns a Hub route table into tool actions: the route's description, parameters and flags become
// the action, and its run is the HubClient call unless a tool supplies its own.
import type { AppContext } from '../../context.js';
import { ToolError } from '../../http/errors.js';
import type { Route, Shape } from '../../hub/route.js';
import { defineAction, type Action, type ActionOutput, type ToolContext } from '../framework.js';

export type RouteArgs = Record<string, unknown> & { dry_run?: boolean };
export type Runner = (args: RouteArgs, ctx: ToolContext<AppContext>) => Promise<ActionOutput>;

/** Prefixes argument errors raised after schema validation (e.g. "give at least one of") with tool.action. */
function labelled(label: string, run: Runner): Runner {
  return async (args, ctx) => {
    try {
      return await run(args, ctx);
    } catch (error) {
      if (error instanceof ToolError && error.type === 'invalid_argument' && !error.message.startsWith(label)) {
        throw new ToolError(error.type, `${label}: ${error.message}`, error.status, error.hint);
      }
      throw error;
    }
  };
}

export function routeAction(label: string, r: Route, run?: Runner): Action<AppContext> {
  const runner: Runner = run ?? ((args, ctx) => ctx.app.hubClient.call(r, args, ctx.signal));
  return defineAction<Shape, AppContext>({
    description: r.description,
    params: r.params,
    write: r.write,
    destructive: r.destructive,
    destructiveWhen: r.destructiveWhen,
    run: labelled(label, runner),
  });
}

/** Every route of a table as an action, in table order; `runners` replace the default call. */
export function routeActions(
  tool: string,
  table: Readonly<Record<string, Route>>,
  runners: Readonly<Record<string, Runner>> = {},
): Record<string, Action<AppContext>> {
  const out: Record<string, Action<AppContext>> = {};
  for (const [name, r] of Object.entries(table)) out[name] = routeAction(`${tool}.${name}`, r, runners[name]);
  return out;
}

/** The value of `data[key]` when it is a non-empty string. */
export function stringAt(data: unknown, key: string): string | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const value = (data as Record<string, unknown>)[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
