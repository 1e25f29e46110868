// What a write would change, for a dry run: each field the request body sets, with the target's
// current value beside the new one, so "is_active: true → false" is read, not worked out.

type Json = Record<string, unknown>;

export interface Change {
  field: string;
  from: unknown;
  to: unknown;
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Dotted paths of the body's leaves; `schemas` (SCIM boilerplate) is not a change. */
function leaves(body: Json, prefix: string, out: [string, unknown][], depth: number): [string, unknown][] {
  for (const [key, value] of Object.entries(body)) {
    if (prefix === '' && key === 'schemas') continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (isObject(value) && depth < 4) leaves(value, path, out, depth + 1);
    else out.push([path, value]);
  }
  return out;
}

/** SCIM PATCH bodies name their fields in Operations (RFC 7644 §3.5.2). */
function scimOperations(body: Json): [string, unknown][] | undefined {
  if (!Array.isArray(body.Operations)) return undefined;
  return body.Operations.filter(isObject)
    .filter((op) => typeof op.path === 'string')
    .map((op) => [op.path as string, op.value]);
}

function valueAt(target: unknown, path: string): unknown {
  let here: unknown = target;
  for (const part of path.split('.')) {
    if (!isObject(here)) return undefined;
    here = here[part];
  }
  return here;
}

/**
 * The fields `body` would set to a value other than the target's, and the `clears` fields (a PUT
 * replaces the whole resource) the body leaves out while the target has them; undefined without
 * a target.
 */
export function changesFor(body: Json, target: unknown, clears: readonly string[] = []): Change[] | undefined {
  if (!isObject(target)) return undefined;
  const fields = scimOperations(body) ?? leaves(body, '', [], 0);
  const out: Change[] = [];
  for (const [field, to] of fields) {
    const from = valueAt(target, field);
    if (JSON.stringify(from) !== JSON.stringify(to)) out.push({ field, from: from ?? null, to });
  }
  for (const field of clears) {
    const from = valueAt(target, field);
    if (valueAt(body, field) === undefined && from !== undefined && from !== null && from !== '') out.push({ field, from, to: null });
  }
  return out;
}
