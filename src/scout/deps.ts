// What the Scout operations need from the process: the registry client (to resolve a reference
// to the digest Scout indexes), the Scout request base, and the kind of Hub credential (Scout
// hints depend on it). Narrow on purpose: scout/ sits below the composition root, not above it.
import type { CredentialKind } from '../auth/hub-token.js';
import type { RequestBase } from '../http/client.js';
import type { RegistryClient } from '../registry/client.js';

export interface ScoutDeps {
  readonly registry: Pick<RegistryClient, 'parse' | 'headManifest' | 'getManifest' | 'isIndex'>;
  readonly scout: RequestBase;
  readonly hubAuth: { readonly kind: CredentialKind };
}
