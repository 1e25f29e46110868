// Error types only the tool layer raises: an action that does not exist, one read-only mode
// removed, one the destructive gate holds back. Added to http/errors.ts's registry by declaration
// merging, so the request base never names them.
export {};

declare module '../http/errors.js' {
  interface ErrorTypes {
    /** The `action` names nothing this tool has. */
    unknown_action: true;
    /** A write action while DOCKERHUB_READ_ONLY is on. */
    read_only: true;
    /** A destructive action (or destructive arguments) while DOCKERHUB_ALLOW_DESTRUCTIVE is off. */
    gate_closed: true;
    /** The caller's OAuth access token lacks the scope the action needs (RFC 6750 `insufficient_scope`). */
    insufficient_scope: true;
  }
}
