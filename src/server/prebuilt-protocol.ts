// The MCP protocol versions the bundled SDK negotiates (its LATEST_PROTOCOL_VERSION and
// SUPPORTED_PROTOCOL_VERSIONS), for the stdio front door, which answers initialize before the SDK
// (and zod, which its types module builds on) is loaded. Run from tsc's output there are none and
// the front door leaves initialize to the SDK; scripts/bundle.mjs replaces this module with the
// SDK's values at build time.
export interface ProtocolVersions {
  readonly latest: string;
  readonly supported: readonly string[];
}

export const PREBUILT_PROTOCOL: ProtocolVersions | undefined = undefined;
