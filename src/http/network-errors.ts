// What a failed fetch says, read through its cause chain: the system error code, a readable
// description, and a ToolError a stream carried up (the throughput floor).
import { ToolError } from './errors.js';

/** The first error in `error`'s cause chain (itself included, 5 deep at most) that `test` accepts. */
export function findCause<T extends Error>(error: unknown, test: (candidate: Error) => candidate is T): T | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (test(current)) return current;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return undefined;
}

/** A ToolError carried as the cause of a transport error (a stream cut by the throughput floor). */
export function toolErrorIn(error: unknown): ToolError | undefined {
  return findCause(error, (candidate): candidate is ToolError => candidate instanceof ToolError);
}

type CodedError = Error & { code: string };

/** The system error code (ENOTFOUND, ECONNRESET, …) under fetch's wrapper, if any. */
export function networkCode(error: unknown): string | undefined {
  return findCause(
    error,
    (candidate): candidate is CodedError =>
      typeof (candidate as Partial<CodedError>).code === 'string' && (candidate as CodedError).code !== 'UND_ERR_SOCKET',
  )?.code;
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
