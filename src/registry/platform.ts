// Platforms (`linux/arm64/v8`) and how index entries match them; attestation entries that
// buildx stores in an index (`unknown/unknown`) are not platforms.
import { ToolError } from '../http/errors.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform & { 'os.version'?: string; 'os.features'?: string[]; features?: string[] };
  annotations?: Record<string, string>;
  artifactType?: string;
  urls?: string[];
  data?: string;
}

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

export function parsePlatform(value: string): Platform {
  const parts = value.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/i.test(p))) {
    throw new ToolError(
      'invalid_argument',
      `'platform' must look like os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8 (got '${value.slice(0, 60)}')`,
    );
  }
  const [os = '', architecture = '', variant] = parts.map((p) => p.toLowerCase());
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(platform: Platform | undefined): string {
  if (!platform) return 'unknown';
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

const DEFAULT_VARIANT: Record<string, string> = { arm64: 'v8', arm: 'v7' };

export function isAttestation(descriptor: Descriptor): boolean {
  if (descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return true;
  return descriptor.platform?.os === 'unknown' && descriptor.platform.architecture === 'unknown';
}

export function platformMatches(candidate: Platform | undefined, wanted: Platform): boolean {
  if (!candidate || candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  if (!wanted.variant) return true;
  const have = candidate.variant ?? DEFAULT_VARIANT[candidate.architecture];
  return have === wanted.variant;
}

/** The index entry for `wanted`; an exact variant match beats an entry without a variant. */
export function pickPlatform(manifests: readonly Descriptor[], wanted: Platform): Descriptor | undefined {
  const candidates = manifests.filter((d) => !isAttestation(d) && platformMatches(d.platform, wanted));
  return candidates.find((d) => d.platform?.variant === wanted.variant) ?? candidates[0];
}
