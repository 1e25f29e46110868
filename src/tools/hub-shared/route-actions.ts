// Turns a Hub route table into tool actions: the route's description, parameters and flags become
// the action, and its run is the HubClient call unless a tool supplies its own.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { ToolError } from '../../http/errors.js';
import type { Args, Route, Shape } from '../../hub/route.js';
import { advertiseAs, defineAction, type Action, type ActionOutput, type ToolContext } from '../framework.js';

/** The validated arguments of route `R`: typed by its parameters when `R` is a table entry. */
export type RouteArgs<R extends Route = Route> = Args<R['params']> & { dry_run?: boolean };
/** A tool's own run for a route (the default is the plain HubClient call). */
export type Runner<R extends Route = Route> = (args: RouteArgs<R>, ctx: ToolContext<AppContext>) => Promise<ActionOutput>;

/** Prefixes argument errors raised after schema validation (e.g. "give at least one of") with tool.action. */
function labelled<R extends Route>(label: string, run: Runner<R>): Runner<R> {
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

/**
 * `params` with the named ones accepted but not advertised (copies, so a schema other routes
 * share stays advertised there).
 */
function unadvertised(params: Shape, names: readonly string[]): Shape {
  if (names.length === 0) return params;
  const out: Shape = { ...params };
  for (const name of names) if (out[name]) out[name] = advertiseAs(out[name].clone(), null);
  return out;
}

/**
 * Hub's paged lists advertise one paging switch instead of two: `page: 0` asks for every page
 * (what `all_pages: true` asks, still accepted unadvertised). Each of the five Hub tools would
 * otherwise carry both in every model context.
 */
const EVERY_PAGE = z
  .number()
  .refine((v) => Number.isInteger(v) && v >= 0 && v <= 100000, { message: 'must be a whole number in 0..100000' })
  .optional()
  .describe('Page, from 1; 0: every page (capped)');

function pagingShape(params: Shape): Shape {
  if (!(params.page && params.all_pages)) return params;
  return { ...params, page: EVERY_PAGE };
}

/** `page: 0` as the route's client reads it: every page from the first. */
function everyPage<R extends Route>(run: Runner<R>): Runner<R> {
  return (args, ctx) => {
    const paging = args as { page?: number; all_pages?: boolean };
    return run(paging.page === 0 ? { ...args, page: undefined, all_pages: true } : args, ctx);
  };
}

export function routeAction<R extends Route>(label: string, r: R, run?: Runner<R>, hidden: readonly string[] = []): Action<AppContext> {
  const call: Runner<R> = run ?? ((args, ctx) => ctx.app.hubClient.call(r, args, ctx.signal));
  const paged = r.params.page !== undefined && r.params.all_pages !== undefined;
  const runner = paged ? everyPage(call) : call;
  return defineAction<Shape, AppContext>({
    description: r.description,
    params: unadvertised(pagingShape(r.params), paged ? [...hidden, 'all_pages'] : hidden),
    write: r.write,
    destructive: r.destructive,
    destructiveWhen: r.destructiveWhen,
    // defineAction validated `args` against r.params, so they are this route's arguments.
    run: labelled(label, runner),
  });
}

/** Every route of a table as an action, in table order; `runners` replace the default call. */
export function routeActions<T extends Readonly<Record<string, Route>>>(
  tool: string,
  table: T,
  runners: { readonly [K in keyof T]?: Runner<T[K]> } = {},
  /** Parameters accepted but not advertised, per route: the server supplies them, or one value fits all. */
  hidden: { readonly [K in keyof T]?: readonly string[] } = {},
): Record<string, Action<AppContext>> {
  const out: Record<string, Action<AppContext>> = {};
  for (const name of Object.keys(table) as (keyof T & string)[]) {
    out[name] = routeAction(`${tool}.${name}`, table[name], runners[name], hidden[name]);
  }
  return out;
}

/** The value of `data[key]` when it is a non-empty string. */
export function stringAt(data: unknown, key: string): string | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const value = (data as Record<string, unknown>)[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
