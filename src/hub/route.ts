// The route table machinery: one typed entry per Hub operation (action → method, path template,
// query, body, flags). The table is the single source for the client methods (client.ts), the tool
// schemas (tools/hub-*.ts) and the README's tool table; the contract tests check it against
// Docker's OpenAPI file.
import { z } from 'zod';
import { ToolError } from '../http/errors.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** An action's parameters: name → zod schema with `.describe()`. */
export type Shape = Record<string, z.ZodType>;
export type Args<P extends Shape> = z.infer<z.ZodObject<P>>;

/** Loosely typed arguments, as the client sees them after validation. */
export type AnyArgs = Record<string, unknown>;

/** One field of a request body. */
export type BodyValue =
  /** The value of this tool parameter (left out when not given). */
  | string
  /** A parameter with a default used when it is not given. */
  | { param: string; default: unknown }
  /** A constant. */
  | { value: unknown }
  /** A nested object (left out when all its fields are). */
  | { fields: BodyMap }
  /** Computed from all arguments (left out when undefined). */
  | { build(args: AnyArgs): unknown };
export type BodyMap = Readonly<Record<string, BodyValue>>;

/**
 * How a list pages upstream: `next` (Hub's {count, next, results}), `page` (page numbers, no
 * `next`: audit logs), `local` (one upstream answer sliced here: invites), `scim` (startIndex /
 * count), `offset` (from / size: search).
 */
export interface Paging {
  mode: 'next' | 'page' | 'local' | 'scim' | 'offset';
  /** The key holding the items. */
  items: string;
}

export type Upstream = 'hub' | 'scim' | 'public';

/**
 * A write whose arguments decide whether its effect is a revocation or a demotion (a token
 * deactivated, a user disabled): destructive only when `reason` returns one.
 */
export interface DestructiveWhen {
  /** The arguments that make it destructive, as the model reads them: `is_active:false`. */
  args: string;
  /** Why these arguments are destructive, or undefined when they are not. */
  reason(args: AnyArgs): string | undefined;
}

export interface Route {
  /** A few words for the `action` description. */
  description: string;
  method: Method;
  /** Path template; `{name}` placeholders are parameter names, validated and URL-encoded. */
  path: string;
  params: Shape;
  /** Parameter → upstream query name. */
  query?: Readonly<Record<string, string>>;
  /** Constant query values. */
  queryConst?: Readonly<Record<string, string>>;
  /** Query values computed from several arguments (undefined ones are left out). */
  queryFrom?(args: AnyArgs): Record<string, string | undefined>;
  body?: BodyMap;
  /** At least one of these must be given. */
  atLeastOne?: readonly string[];
  write?: boolean;
  /** Deletes, revokes, demotes or replaces whole: behind DOCKERHUB_ALLOW_DESTRUCTIVE. */
  destructive?: boolean;
  /** A write that is destructive only with some arguments (see DestructiveWhen). */
  destructiveWhen?: DestructiveWhen;
  /** hub: Hub JWT (or anonymous); scim: DOCKERHUB_SCIM_TOKEN; public: never authenticated. */
  upstream?: Upstream;
  accept?: string;
  /** `text` keeps a body (CSV) as text. */
  read?: 'text';
  /** Extra statuses returned as data (login's 2FA challenge). */
  acceptStatus?: readonly number[];
  /** HEAD existence check: a 404 is `{exists: false}`, not an error. */
  exists?: boolean;
  paging?: Paging;
  /** GET path template (same parameters) that shows a destructive action's target in a dry run. */
  preview?: string;
  /** Query for the preview GET (a target found by search when it has no GET of its own). */
  previewQuery?(args: AnyArgs): Record<string, string>;
  /** Target fields a PUT clears when its body leaves them out (a dry run shows them as cleared). */
  clears?: readonly string[];
  /** Picks the target out of the preview answer (the one member of a search page). */
  previewSelect?(data: unknown, args: AnyArgs): unknown;
  /** Set for operations absent from hub-api.yaml: where they are documented or seen. */
  offSpec?: string;
  /** Upstream query names sent that hub-api.yaml does not list, with why. */
  offSpecQuery?: readonly string[];
  /** false: Docker refuses organization access tokens here. */
  oat?: false;
  /** Docker plan the feature needs (a 403 otherwise). */
  plan?: string;
  /** PAT scope or role needed. */
  scope?: string;
}

/** Keeps a route's literal type while checking it against Route. */
export function route<R extends Route>(r: R): R {
  return r;
}

// ---- shared parameter schemas: one name, one type, one meaning across the Hub tools ----

/** Characters allowed unescaped in a path segment besides encodeURIComponent's (RFC 3986 pchar). */
export function encodeSegment(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ':').replace(/%40/g, '@');
}

// Bounds are checked with refinements so the advertised JSON schema stays small (tools/list is
// paid for in every model context); the action's strict schema still enforces them.

/** A string of 1..max characters. */
export function text(description: string, max = 255): z.ZodString {
  const schema = z.string().refine((v) => v.length >= 1 && v.length <= max, { message: `must be 1-${max} characters` });
  return description ? schema.describe(description) : schema;
}

/** An integer in min..max. */
export function int(description: string, min: number, max: number): z.ZodNumber {
  return z
    .number()
    .refine((v) => Number.isInteger(v) && v >= min && v <= max, { message: `must be a whole number in ${min}..${max}` })
    .describe(description);
}

/** An RFC 3339 date-time with offset (e.g. 2025-01-31T00:00:00Z). */
export function dateTime(description: string): z.ZodString {
  return z
    .string()
    .refine((v) => /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i.test(v) && !Number.isNaN(Date.parse(v)), {
      message: 'must be an RFC 3339 date-time such as 2025-01-31T00:00:00Z',
    })
    .describe(description);
}

const hasControlOrBackslash = (v: string): boolean => [...v].some((c) => c === '\\' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** A value that goes into a URL path: one segment, never `/`, `.` or `..`. */
export function segment(description: string, max = 255): z.ZodString {
  return z
    .string()
    .refine((v) => v.length >= 1 && v.length <= max && !v.includes('/') && v !== '.' && v !== '..' && !hasControlOrBackslash(v), {
      message: `must be a single path segment of 1-${max} characters (no '/', '\\', '..' or control characters)`,
    })
    .describe(description);
}

export const pageParams = {
  page: int('Page number, from 1', 1, 100000).optional(),
  page_size: int('1-100', 1, 100).optional(),
  all_pages: z.boolean().optional().describe('Fetch every page (capped)'),
};

/** Upper bound on items gathered by all_pages (the result cap cuts lists at 500 anyway). */
export const ALL_PAGES_MAX_ITEMS = 500;
/** Upper bound on requests made by all_pages: a Hub answering empty pages with a `next` ends here. */
export const ALL_PAGES_MAX_PAGES = 100;

// ---- building a request from a route and validated arguments ----

export function buildPath(template: string, args: AnyArgs): string {
  return template.replace(/\{([a-z_]+)\}/g, (_m, name: string) => {
    const value = args[name];
    if (value === undefined || value === null || value === '') {
      throw new ToolError('invalid_argument', `missing required parameter '${name}'`);
    }
    const text = typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
    if (text.includes('/') || text === '.' || text === '..') {
      throw new ToolError('invalid_argument', `'${name}' must be a single path segment (no '/' or '..')`);
    }
    return encodeSegment(text);
  });
}

export function buildQuery(r: Route, args: AnyArgs): Record<string, string | number | boolean | undefined> {
  const out: Record<string, string | number | boolean | undefined> = { ...r.queryConst, ...r.queryFrom?.(args) };
  for (const [param, name] of Object.entries(r.query ?? {})) {
    const value = args[param];
    if (value === undefined || value === null) continue;
    out[name] = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value);
  }
  return out;
}

function bodyValue(value: BodyValue, args: AnyArgs): unknown {
  if (typeof value === 'string') return args[value];
  if ('param' in value) return args[value.param] ?? value.default;
  if ('value' in value) return value.value;
  if ('fields' in value) {
    const nested = buildBody(value.fields, args);
    return Object.keys(nested).length > 0 ? nested : undefined;
  }
  return value.build(args);
}

export function buildBody(map: BodyMap, args: AnyArgs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(map)) {
    const v = bodyValue(value, args);
    if (v !== undefined) out[field] = v;
  }
  return out;
}

/** Placeholder names in a path template. */
export function pathParams(template: string): string[] {
  return [...template.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]!);
}
