// Docker schema1 manifests (`v1+prettyjws`, `v1+json`): how their digest is computed and what they
// say about an image. A signed schema1 manifest carries JWS `signatures` inside its own JSON, and
// its digest covers the payload without them: each signature's `protected` header holds
// `formatLength` (bytes of the manifest kept) and `formatTail` (the closing bytes, base64url), so
// payload = raw[0:formatLength] + formatTail. Registries compute the digest that way; so do we.
import { ToolError } from '../http/errors.js';
import { jsonTextDepth, UPSTREAM_JSON_BOUNDS } from '../util/json-bounds.js';
import { digestOf, verifyBytes } from './digest.js';
import type { Platform } from './platform.js';

interface ProtectedHeader {
  formatLength?: unknown;
  formatTail?: unknown;
}

function parseBounded(text: string): unknown {
  if (jsonTextDepth(text) > UPSTREAM_JSON_BOUNDS.maxDepth) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The JWS payload of a signed schema1 manifest, or undefined when `bytes` is not one. */
export function jwsPayload(bytes: Buffer): Buffer | undefined {
  // Cheap test first: only a manifest with signatures has a payload distinct from its bytes.
  if (!bytes.includes('"signatures"')) return undefined;
  const json = parseBounded(bytes.toString('utf8')) as { schemaVersion?: unknown; signatures?: unknown } | undefined;
  if (!json || typeof json !== 'object' || json.schemaVersion !== 1 || !Array.isArray(json.signatures)) return undefined;
  let payload: Buffer | undefined;
  for (const signature of json.signatures as unknown[]) {
    const encoded = (signature as { protected?: unknown } | null)?.protected;
    if (typeof encoded !== 'string' || encoded.length > 4096) return undefined;
    const header = parseBounded(Buffer.from(encoded, 'base64url').toString('utf8')) as ProtectedHeader | undefined;
    const length = header?.formatLength;
    const tail = header?.formatTail;
    if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || length > bytes.byteLength) return undefined;
    if (typeof tail !== 'string') return undefined;
    const candidate = Buffer.concat([bytes.subarray(0, length), Buffer.from(tail, 'base64url')]);
    // Every signature must sign the same payload, as libtrust requires.
    if (payload && !payload.equals(candidate)) return undefined;
    payload = candidate;
  }
  return payload;
}

/** The digest a registry gives these manifest bytes: over the JWS payload for signed schema1. */
export function manifestDigestOf(bytes: Buffer, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  const payload = jwsPayload(bytes);
  return digestOf(payload ?? bytes, algorithm);
}

/** Checks manifest bytes against `expected`: the raw bytes, or (signed schema1) the JWS payload. */
export function verifyManifestBytes(bytes: Buffer, expected: string, what: string): void {
  const algorithm = expected.startsWith('sha512:') ? 'sha512' : 'sha256';
  if (digestOf(bytes, algorithm) === expected) return;
  const payload = jwsPayload(bytes);
  if (payload && digestOf(payload, algorithm) === expected) return;
  verifyBytes(bytes, expected, what);
}

export interface Schema1Layer {
  digest: string;
  /** From the layer's v1Compatibility `Size`, when given. */
  size?: number;
  created?: string;
  created_by?: string;
  /** `throwaway` in v1Compatibility: a step that made no filesystem change. */
  empty_layer?: boolean;
}

export interface Schema1Summary {
  name?: string;
  tag?: string;
  platform?: Platform;
  created?: string;
  /** Base layer first (schema1 lists the newest first). */
  layers: Schema1Layer[];
  /** The `config` of the newest v1Compatibility entry (Env, Cmd, …), when it has one. */
  config?: Record<string, unknown>;
}

function v1Of(entry: unknown): Record<string, unknown> {
  const text = (entry as { v1Compatibility?: unknown } | null)?.v1Compatibility;
  if (typeof text !== 'string') return {};
  const parsed = parseBounded(text);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

function commandOf(v1: Record<string, unknown>): string | undefined {
  const cmd = (v1.container_config as { Cmd?: unknown } | undefined)?.Cmd;
  if (!Array.isArray(cmd)) return undefined;
  return cmd.filter((part): part is string => typeof part === 'string').join(' ');
}

/** Layers, history and platform of a schema1 manifest (already shape-checked). */
export function schema1Summary(json: Record<string, unknown>): Schema1Summary {
  const fsLayers = Array.isArray(json.fsLayers) ? (json.fsLayers as { blobSum: string }[]) : [];
  const history = Array.isArray(json.history) ? (json.history as unknown[]) : [];
  const entries = fsLayers.map((layer, i) => ({ layer, v1: v1Of(history[i]) }));
  const layers: Schema1Layer[] = entries.reverse().map(({ layer, v1 }) => {
    const out: Schema1Layer = { digest: layer.blobSum };
    if (typeof v1.Size === 'number') out.size = v1.Size;
    if (typeof v1.created === 'string') out.created = v1.created;
    const command = commandOf(v1);
    if (command !== undefined) out.created_by = command;
    if (v1.throwaway === true) out.empty_layer = true;
    return out;
  });
  const top = v1Of(history[0]);
  const summary: Schema1Summary = { layers };
  if (typeof json.name === 'string') summary.name = json.name;
  if (typeof json.tag === 'string') summary.tag = json.tag;
  const architecture =
    typeof json.architecture === 'string' ? json.architecture : typeof top.architecture === 'string' ? top.architecture : '';
  const os = typeof top.os === 'string' ? top.os : '';
  if (architecture && os) summary.platform = { os, architecture };
  if (typeof top.created === 'string') summary.created = top.created;
  if (top.config !== null && typeof top.config === 'object' && !Array.isArray(top.config))
    summary.config = top.config as Record<string, unknown>;
  return summary;
}

/** The blobs a schema1 manifest needs, each once. */
export function schema1Blobs(json: Record<string, unknown>): string[] {
  const fsLayers = Array.isArray(json.fsLayers) ? (json.fsLayers as { blobSum: string }[]) : [];
  return [...new Set(fsLayers.map((l) => l.blobSum))];
}

/** A target that refuses a schema1 push: say what it is and how to get past it. */
export function schema1Refused(host: string, mediaType: string, status: number, detail: string): ToolError {
  return new ToolError(
    'unsupported_content',
    `${host} refused a ${mediaType} (Docker schema1) manifest (HTTP ${status}: ${detail.slice(0, 200)}); registries that dropped schema1 (Docker Hub, distribution without compatibility.schema1) refuse every such push`,
    status,
    'Convert the image to Docker v2 / OCI first (e.g. skopeo copy --format v2s2), or copy to a registry that still accepts schema1.',
  );
}
