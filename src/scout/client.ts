// ScoutClient: named GraphQL queries over POST {DOCKER_SCOUT_URL}/v1/graphql on the shared request
// base, authenticated with the process-wide Hub JWT (one mint shared with the Hub client).
// `errors` in a 200 answer are failures, mapped with Scout's hints.
import type { CredentialKind } from '../auth/hub-token.js';
import type { RequestBase } from '../http/client.js';
import { ToolError } from '../http/errors.js';
import type { RateLimitSnapshot } from '../http/rate-limit.js';
import { graphqlError, httpError, type GraphqlError } from './errors.js';
import type { ScoutQuery } from './queries.js';

export const GRAPHQL_PATH = '/v1/graphql';

/** The `context` argument almost every Scout query takes; no organization means public data. */
export interface ScoutContext {
  organization?: string;
}

export interface ScoutResult<T> {
  data: T;
  rate_limit: RateLimitSnapshot | null;
}

interface GraphqlBody<T> {
  data?: T | null;
  errors?: GraphqlError[];
}

export class ScoutClient {
  constructor(
    private readonly base: RequestBase,
    /** The kind of Hub credential configured, to word auth and entitlement hints. */
    private readonly kind: CredentialKind,
  ) {}

  async query<T>(op: ScoutQuery, context: ScoutContext, variables: Record<string, unknown>, signal?: AbortSignal): Promise<ScoutResult<T>> {
    const ctx = { kind: this.kind, organization: context.organization };
    const gqlContext = context.organization ? { organization: context.organization } : {};
    let result;
    try {
      result = await this.base.request<GraphqlBody<T> | string | null>({
        method: 'POST',
        path: GRAPHQL_PATH,
        json: { query: op.document, variables: { context: gqlContext, ...variables }, operationName: op.name },
        signal,
        // Every document is a query (no mutation is exposed): safe to repeat after a 5xx.
        idempotent: true,
      });
    } catch (error) {
      throw httpError(error, ctx);
    }
    const body = result.data;
    if (body === null || typeof body !== 'object') {
      throw new ToolError('upstream_error', `Scout ${op.name}: the answer is not a GraphQL JSON body`, result.status_code);
    }
    if (Array.isArray(body.errors) && body.errors.length > 0) throw graphqlError(body.errors, op.name, ctx);
    if (body.data === undefined || body.data === null)
      throw new ToolError('upstream_error', `Scout ${op.name}: the answer has neither data nor errors`);
    return { data: body.data, rate_limit: result.rate_limit };
  }
}
