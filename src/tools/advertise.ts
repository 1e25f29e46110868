// How a parameter's zod schema is advertised in tools/list: JSON Schema without the keywords that
// only protect the server, in the form every client takes, merged across actions that share a
// parameter name. The server validates with the zod schema itself, whatever was advertised.
import { z } from 'zod';

/**
 * Keywords left out of the advertised schema: length, range and pattern bounds and key typing
 * protect the server, which still enforces them, but they cost every model context bytes and
 * guide little (a description names a range where it matters). `additionalProperties` goes too: Gemini's function declarations (an OpenAPI 3.0 subset) refuse
 * it, and the server validates every argument strictly whatever the client was told.
 */
const SERVER_SIDE_KEYWORDS = new Set([
  '$schema',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'pattern',
  'propertyNames',
  'additionalProperties',
]);

/**
 * What a parameter is advertised as when the schema the server validates with has no form every
 * client takes: put_manifest's `manifest` is accepted as an object or a string, and advertised as
 * a string, since Gemini refuses an `anyOf` of mixed types and a property-less object.
 */
const ADVERTISED = new WeakMap<object, Record<string, unknown> | null>();

/** True when `schema` is accepted but not advertised (`advertiseAs(schema, null)`). */
export function isUnadvertised(schema: z.ZodType): boolean {
  return ADVERTISED.get(schema) === null;
}

/** `schema`, advertised in tools/list as `json` (its description is added), or not at all (null). */
export function advertiseAs<T extends z.ZodType>(schema: T, json: Record<string, unknown> | null): T {
  ADVERTISED.set(schema, json);
  return schema;
}

function trimSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(trimSchema);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (SERVER_SIDE_KEYWORDS.has(key)) continue;
    out[key] = trimSchema(item);
  }
  return out;
}

export function paramSchema(schema: z.ZodType): object {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const advertised = ADVERTISED.get(zodSchema);
      if (!advertised) return;
      const description = jsonSchema.description;
      for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
      Object.assign(jsonSchema, advertised, description === undefined ? {} : { description });
    },
  });
  return trimSchema(json) as object;
}

/**
 * Two actions may share a parameter name with different allowed values (`sort`: semver/name for
 * tags, path/size for files); the one flat schema must allow both, or a model never sends the
 * second set. Otherwise the first action's schema stands.
 */
export function mergeParam(seen: object | undefined, next: object): object {
  if (!seen) return next;
  const a = seen as { enum?: unknown[]; description?: string };
  const b = next as { enum?: unknown[]; description?: string };
  if (!Array.isArray(a.enum) || !Array.isArray(b.enum)) return seen;
  const values = [...new Set([...a.enum, ...b.enum])];
  const description =
    a.description && b.description && !a.description.includes(b.description) ? `${a.description}; ${b.description}` : a.description;
  return { ...seen, enum: values, ...(description ? { description } : {}) };
}
