// What a client reads from a tool's annotations: each hint the server left out takes the MCP
// spec's default (2025-06-18 ToolAnnotations), so tests assert the hints a client acts on.
const DEFAULTS = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true } as const;

export type Hints = { -readonly [K in keyof typeof DEFAULTS]: boolean };

export function hintsOf(annotations: object | undefined): Hints {
  return { ...DEFAULTS, ...(annotations as Partial<Hints> | undefined) };
}
