// Holds every tool result a test helper sees to the outputSchema tools/list advertises, with the
// validator the MCP SDK's Client itself uses (ajv): a result the Client would refuse fails the
// test that produced it. Every helper that calls a tool passes its result through here, so each
// action's results in the suite (successes and isError results alike) are checked.
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { OUTPUT_SCHEMA } from '../../src/tools/output-schema.js';

const validate = new AjvJsonSchemaValidator().getValidator<Record<string, unknown>>(OUTPUT_SCHEMA);

/** Checked results per process, so a test can tell that the check ran. */
export const outputChecks = { count: 0 };

/** Why `structuredContent` does not match the outputSchema, or undefined when it does. */
export function outputMismatch(structuredContent: unknown): string | undefined {
  const outcome = validate(structuredContent);
  return outcome.valid ? undefined : (outcome.errorMessage ?? 'invalid');
}

/** `result`, after failing the test when its structuredContent breaks the outputSchema. */
export function checkedOutput<R extends { structuredContent?: unknown }>(label: string, result: R): R {
  const mismatch = outputMismatch(result.structuredContent);
  if (mismatch !== undefined) {
    throw new Error(
      `${label}: structuredContent breaks the advertised outputSchema: ${mismatch}: ${JSON.stringify(result.structuredContent).slice(0, 500)}`,
    );
  }
  outputChecks.count++;
  return result;
}
