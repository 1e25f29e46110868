// Turns zod issues into one sentence a model can act on: the field, what is wrong, valid values.
import type { z } from 'zod';

function describeExpected(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${issue.expected === 'array' ? 'an array' : `a ${issue.expected}`}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `must be at least ${String(issue.minimum)} characters`
        : issue.origin === 'array'
          ? `must have at least ${String(issue.minimum)} items`
          : `must be ≥ ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `must be at most ${String(issue.maximum)} characters`
        : issue.origin === 'array'
          ? `must have at most ${String(issue.maximum)} items`
          : `must be ≤ ${String(issue.maximum)}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}${issue.format === 'regex' && 'pattern' in issue ? ` matching ${String(issue.pattern)}` : ''}`;
    default:
      return issue.message;
  }
}

/** Unknown parameter names listed in an error; the rest are counted. */
const NAMED_KEYS = 5;

export function formatIssues(issues: readonly z.core.$ZodIssue[], args: Record<string, unknown>, validParams: string[]): string {
  const parts: string[] = [];
  for (const issue of issues.slice(0, 5)) {
    if (issue.code === 'unrecognized_keys') {
      const valid = validParams.length > 0 ? validParams.join(', ') : 'none';
      // A few names are enough to act on; thousands would make the error itself the problem.
      const shown = issue.keys.slice(0, NAMED_KEYS).map((k) => `'${k.slice(0, 60)}'`);
      const rest = issue.keys.length - shown.length;
      const more = rest > 0 ? ` …and ${rest.toLocaleString('en-US')} more` : '';
      parts.push(`unknown parameter${issue.keys.length > 1 ? 's' : ''} ${shown.join(', ')}${more} (valid parameters: ${valid})`);
      continue;
    }
    const field = issue.path.map(String).join('.');
    const top = issue.path[0];
    if (issue.code === 'invalid_type' && typeof top === 'string' && args[top] === undefined && issue.path.length === 1) {
      parts.push(`missing required parameter '${field}' (${issue.expected})`);
      continue;
    }
    parts.push(`'${field}' ${describeExpected(issue)}`);
  }
  return parts.join('; ');
}
