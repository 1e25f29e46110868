// resources/read: the content behind a URI, through the same clients as the tools (egress
// policy, registry and Hub auth, digest verification, rate-limit telemetry), the same redaction
// and the same byte cap (DOCKERHUB_MAX_RESULT_BYTES). A manifest or config is whole or refused:
// a JSON document cut in half is not the content its digest names. A README is text and is cut
// with a marker, as tool results are.
import type { AppContext } from '../context.js';
import { ToolError } from '../http/errors.js';
import { repoRoutes } from '../hub/routes/repos.js';
import { redact, redactString } from '../redact.js';
import type { ImageRef } from '../registry/reference.js';
import type { ToolName } from '../config-spec.js';
import { parseResourceUri, ociUri, type ParsedUri } from './uri.js';

export interface ResourceContent {
  uri: string;
  mimeType: string;
  text: string;
  /** Set when redaction replaced something or the text was cut. */
  _meta?: Record<string, boolean>;
}

/** _meta keys on a content whose text is not the upstream's bytes. */
export const META_REDACTED = 'dockerhub-mcp/redacted';
export const META_TRUNCATED = 'dockerhub-mcp/truncated';

/** Which tool must be served for a URI of this kind to be read. */
const TOOL_OF: Record<ParsedUri['kind'], ToolName> = { manifest: 'hub_registry', config: 'hub_registry', readme: 'hub_repos' };

function tooLarge(what: string, bytes: number, cap: number): ToolError {
  return new ToolError(
    'unsupported_content',
    `${what} is ${bytes} bytes, over the ${cap}-byte result cap (DOCKERHUB_MAX_RESULT_BYTES); a resource is served whole or not at all`,
    undefined,
    'hub_registry get_manifest, get_config or inspect show it capped and paged.',
  );
}

/** JSON text redacted like a tool result; the original bytes when redaction changed nothing. */
function redactedJson(uri: string, mimeType: string, text: string): ResourceContent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    throw new ToolError(
      'unsupported_content',
      `${uri.slice(0, 200)} is not JSON (${mimeType})`,
      undefined,
      'hub_registry get_blob shows it as text or base64.',
    );
  }
  const safe = redact(parsed);
  if (JSON.stringify(safe) === JSON.stringify(parsed)) return { uri, mimeType, text };
  return { uri, mimeType, text: JSON.stringify(safe), _meta: { [META_REDACTED]: true } };
}

async function readImage(app: AppContext, parsed: Extract<ParsedUri, { kind: 'manifest' | 'config' }>, uri: string, signal: AbortSignal) {
  const cap = app.config.maxResultBytes;
  const ref: ImageRef = app.registry.parse(`${parsed.registry}/${parsed.repository}`, parsed.digest);
  const manifest = await app.registry.getManifest(ref, parsed.digest, signal);
  if (parsed.kind === 'manifest') {
    if (manifest.size > cap) throw tooLarge(`manifest ${parsed.digest}`, manifest.size, cap);
    return redactedJson(uri, manifest.mediaType, manifest.bytes.toString('utf8'));
  }
  if (app.registry.isIndex(manifest)) {
    const children = (manifest.json.manifests ?? []).slice(0, 5).map((child) => {
      const platform = child.platform ? `${child.platform.os}/${child.platform.architecture}` : 'no platform';
      return `${ociUri(parsed.registry, parsed.repository, child.digest, true)} (${platform})`;
    });
    throw new ToolError(
      'invalid_argument',
      `${parsed.digest} is an index (one manifest per platform), which has no config`,
      undefined,
      `Read the config of one of its images: ${children.join(', ')}${(manifest.json.manifests?.length ?? 0) > 5 ? ', …' : ''}`,
    );
  }
  const descriptor = manifest.json.config;
  if (!descriptor || app.registry.isSchema1(manifest)) {
    throw new ToolError(
      'unsupported_content',
      `manifest ${parsed.digest} (${manifest.mediaType}) has no config blob`,
      undefined,
      'hub_registry get_config reads a schema1 image config from its history.',
    );
  }
  if (descriptor.size > cap) throw tooLarge(`config ${descriptor.digest}`, descriptor.size, cap);
  const bytes = await app.registry.getBlobBytes(ref, descriptor.digest, signal);
  if (bytes.byteLength > cap) throw tooLarge(`config ${descriptor.digest}`, bytes.byteLength, cap);
  return redactedJson(uri, descriptor.mediaType, bytes.toString('utf8'));
}

async function readReadme(app: AppContext, parsed: Extract<ParsedUri, { kind: 'readme' }>, uri: string, signal: AbortSignal) {
  const res = await app.hubClient.call(repoRoutes.get, { namespace: parsed.namespace, repository: parsed.repository }, signal);
  const data = res.data !== null && typeof res.data === 'object' ? (res.data as Record<string, unknown>) : {};
  const raw = typeof data.full_description === 'string' ? data.full_description : '';
  const meta: Record<string, boolean> = {};
  let text = redactString(raw);
  if (text !== raw) meta[META_REDACTED] = true;
  const cap = app.config.maxResultBytes;
  if (Buffer.byteLength(text, 'utf8') > cap) {
    // Characters are up to 4 bytes of UTF-8; keep what surely fits, say what was cut.
    const keep = Math.floor((cap - 64) / 4);
    text = `${text.slice(0, keep)}…[${text.length - keep} characters cut]`;
    meta[META_TRUNCATED] = true;
  }
  return { uri, mimeType: 'text/markdown', text, ...(Object.keys(meta).length > 0 ? { _meta: meta } : {}) };
}

/**
 * The contents of `uri`, or undefined when no template of a served tool matches it (the caller
 * answers "resource not found"). Bad parts and upstream failures throw ToolErrors.
 */
export async function readResource(
  app: AppContext,
  uri: string,
  served: readonly ToolName[],
  signal: AbortSignal,
): Promise<ResourceContent | undefined> {
  const parsed = parseResourceUri(uri);
  if (!parsed || !served.includes(TOOL_OF[parsed.kind])) return undefined;
  return parsed.kind === 'readme' ? readReadme(app, parsed, uri, signal) : readImage(app, parsed, uri, signal);
}
