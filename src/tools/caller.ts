// Who is calling, as an OAuth access token on the HTTP transport says, and the per-call check its
// scopes impose. Kept apart from the framework so the transport and the tools share one shape.

/** An OAuth caller as `hub_admin whoami` shows it. */
export interface Caller {
  subject: string | null;
  clientId: string;
  scopes: readonly string[];
  /** Seconds since the epoch. */
  expiresAt?: number;
}

/** What one call needs; a per-call restriction (an OAuth token's scopes) refuses by throwing a ToolError. */
export type CallAllowance = (need: { write: boolean; destructive: boolean }, label: string) => void;
