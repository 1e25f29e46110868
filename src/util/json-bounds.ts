// Bounds on JSON-shaped values from outside (upstream bodies, tool arguments), checked without
// recursion: a value nested 1,000,000 deep must be refused, not overflow the stack that checks it.

export interface JsonBounds {
  /** Deepest allowed nesting of objects and arrays (the top level is depth 1). */
  maxDepth: number;
  /** Most object keys allowed in the whole value, summed over every object. */
  maxKeys?: number;
}

export const UPSTREAM_JSON_BOUNDS: JsonBounds = { maxDepth: 64 };
export const ARGUMENT_JSON_BOUNDS: JsonBounds = { maxDepth: 32, maxKeys: 10_000 };

export type BoundsViolation = { kind: 'depth'; limit: number } | { kind: 'keys'; limit: number };

/** The first bound `value` breaks, or undefined. Iterative: safe on any nesting. */
export function jsonBoundsViolation(value: unknown, bounds: JsonBounds): BoundsViolation | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const stack: { node: object; depth: number }[] = [{ node: value, depth: 1 }];
  let keys = 0;
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (depth > bounds.maxDepth) return { kind: 'depth', limit: bounds.maxDepth };
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
    if (!Array.isArray(node)) {
      keys += children.length;
      if (bounds.maxKeys !== undefined && keys > bounds.maxKeys) return { kind: 'keys', limit: bounds.maxKeys };
    }
    for (const child of children) {
      if (child !== null && typeof child === 'object') stack.push({ node: child, depth: depth + 1 });
    }
  }
  return undefined;
}

/** How deep a JSON text nests, read from its brackets without parsing (strings skipped). */
export function jsonTextDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
