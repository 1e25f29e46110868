// The ToolError a promise rejects with; a resolution, or any other error, fails the test.
import { expect } from 'vitest';
import { ToolError } from '../../../src/http/errors.js';

export async function rejectionOf(promise: Promise<unknown>): Promise<ToolError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ToolError);
    return error as ToolError;
  }
  throw new Error('expected a ToolError');
}
