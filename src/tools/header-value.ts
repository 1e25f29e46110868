// Parameters that end up in a request header are printable ASCII only: a CR/LF in one would be
// header injection, and fetch would throw on it mid-call instead of the call failing validation.
import { z } from 'zod';

export const headerValue = (max: number): z.ZodString =>
  z
    .string()
    .max(max)
    .regex(/^[\x20-\x7e]*$/, 'must be printable ASCII without line breaks');
