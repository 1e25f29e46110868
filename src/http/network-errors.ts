// What a failed fetch says, read through its cause chain: the system error code, a readable
// description, and a ToolError a stream carried up (the throughput floor).
import { ToolError } from './errors.js';

/** A ToolError carried as the cause of a transport error (a stream cut by the throughput floor). */
export function toolErrorIn(error: unknown): ToolError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    if (current instanceof ToolError) return current;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return undefined;
}

/** The system error code (ENOTFOUND, ECONNRESET, …) under fetch's wrapper, if any. */
export function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return undefined;
}

export function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as Error & { code?: string }).code;
      return code ? `${code} (${cause.message})` : cause.message;
    }
    return error.message;
  }
  return String(error);
}
