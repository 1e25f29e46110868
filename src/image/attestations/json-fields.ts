// Typed reads of upstream JSON: attestations are documents other tools wrote, so every field is
// picked by type and a missing one is simply absent from the summary.

export type JsonObject = Record<string, unknown>;

export function obj(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function list(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** `value.a.b.c` when every step is an object. */
export function at(value: unknown, ...path: string[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    const o = obj(current);
    if (!o) return undefined;
    current = o[key];
  }
  return current;
}

/** A digest map `{sha256: "…"}` as `sha256:…` strings. */
export function digestsOf(value: unknown): string[] {
  const o = obj(value);
  if (!o) return [];
  return Object.entries(o)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([alg, hex]) => `${alg}:${hex}`);
}
