// Result caps: a tool result is paid for in the model's context, so lists are cut to an item cap
// and the whole result to a byte cap. A cut result says so (`truncated: true`); handlers that can
// page also set `next`.
import type { Envelope } from '../http/envelope.js';
import { clipText, type ErrorBody } from '../http/errors.js';
import { NESTED_TOO_DEEP, REDACT_MAX_DEPTH } from '../redact.js';

export interface Caps {
  maxBytes: number;
  maxItems: number;
}

export const DEFAULT_CAPS: Caps = { maxBytes: 200_000, maxItems: 500 };

const sizeOf = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

type Container = Record<string, unknown> | unknown[];

/** Arrays in `value` (itself included) up to a small depth, with the container that holds each. */
function arraysIn(value: unknown, depth = 0, out: { owner: Container; key: string | number; array: unknown[] }[] = []) {
  if (depth > 3 || value === null || typeof value !== 'object') return out;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, child] of entries) {
    if (Array.isArray(child)) out.push({ owner: value as Container, key, array: child });
    arraysIn(child, depth + 1, out);
  }
  return out;
}

function stringsIn(value: unknown, depth = 0, out: { owner: Container; key: string | number; text: string }[] = []) {
  if (depth > 4 || value === null || typeof value !== 'object') return out;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, child] of entries) {
    if (typeof child === 'string') out.push({ owner: value as Container, key, text: child });
    else stringsIn(child, depth + 1, out);
  }
  return out;
}

/**
 * A copy of JSON-shaped data with containers past `REDACT_MAX_DEPTH` replaced by a placeholder:
 * results are redacted (and so bounded) first, but the cap must not overflow the stack on a value
 * that reaches it another way, nor JSON.stringify on one.
 */
function boundedCopy(value: unknown, cut: { deep: boolean }, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= REDACT_MAX_DEPTH) {
    cut.deep = true;
    return NESTED_TOO_DEEP;
  }
  if (Array.isArray(value)) return value.map((item) => boundedCopy(item, cut, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = boundedCopy(item, cut, depth + 1);
  return out;
}

/**
 * An error body within the byte cap: message and hint clipped (with how much was cut) when the
 * whole is over. A character is at most 6 bytes of JSON (`\u0000`), two fields share the budget.
 */
export function capError(body: ErrorBody, maxBytes: number): ErrorBody {
  if (sizeOf(body) <= maxBytes) return body;
  const chars = Math.max(64, Math.floor((maxBytes - 256) / 12));
  const out: ErrorBody = { ...body, message: clipText(body.message, chars) };
  if (body.hint !== undefined) out.hint = clipText(body.hint, chars);
  return out;
}

function setIn(owner: Container, key: string | number, value: unknown): void {
  (owner as Record<string | number, unknown>)[key] = value;
}

export function capEnvelope<T extends Envelope>(input: T, caps: Caps): T {
  const cut = { deep: false };
  // Work on a copy wrapped in a holder so the top-level `data` is just another slot.
  const holder: { data: unknown } = { data: boundedCopy(input.data, cut) };
  let truncated = cut.deep;

  for (const slot of arraysIn(holder)) {
    if (slot.array.length > caps.maxItems) {
      setIn(slot.owner, slot.key, slot.array.slice(0, caps.maxItems));
      truncated = true;
    }
  }

  const overhead = sizeOf({ ...input, data: null, truncated: true });
  const budget = Math.max(caps.maxBytes - overhead, 256);
  for (let round = 0; round < 64 && sizeOf(holder.data) > budget; round++) {
    const arrays = arraysIn(holder)
      .map((slot) => {
        const current = (slot.owner as Record<string | number, unknown>)[slot.key] as unknown[];
        return { ...slot, array: current, size: sizeOf(current) };
      })
      .filter((slot) => slot.array.length > 1)
      .sort((a, b) => b.size - a.size);
    const biggest = arrays[0];
    if (biggest) {
      setIn(biggest.owner, biggest.key, biggest.array.slice(0, Math.floor(biggest.array.length / 2)));
      truncated = true;
      continue;
    }
    const strings = stringsIn(holder).sort((a, b) => b.text.length - a.text.length);
    const longest = strings[0];
    const excess = sizeOf(holder.data) - budget;
    if (longest && longest.text.length > 64) {
      const keep = Math.max(32, longest.text.length - excess - 64);
      setIn(longest.owner, longest.key, `${longest.text.slice(0, keep)}…[${longest.text.length - keep} characters cut]`);
      truncated = true;
      continue;
    }
    holder.data = { omitted: `result of ${sizeOf(holder.data)} bytes exceeds the ${caps.maxBytes}-byte cap` };
    truncated = true;
  }

  if (!truncated) return input;
  return { ...input, data: holder.data, truncated: true };
}
