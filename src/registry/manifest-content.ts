// Reading manifest bytes from a registry into something the rest of the code can trust: JSON
// depth bounded before parsing (a manifest nested 100,000 deep must not reach a recursive walker),
// a media type we read (else `unsupported_content`, naming it), and every field the code follows
// checked for shape (else `invalid_content`, naming the field): descriptors are objects with a
// valid digest, a media type and a size, so no later `.digest` or URL ever sees `null` or `../`.
import { ToolError } from '../http/errors.js';
import { jsonTextDepth, UPSTREAM_JSON_BOUNDS } from '../util/json-bounds.js';
import { isIndexType, KNOWN_MANIFEST_TYPES, OCI_INDEX, OCI_MANIFEST, SCHEMA1_SIGNED, SCHEMA1_UNSIGNED } from './media-types.js';
import { isDigest } from './reference.js';

function invalid(what: string, problem: string): ToolError {
  return new ToolError('invalid_content', `${what} breaks the manifest format: ${problem}`);
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(JSON.stringify(value)).slice(0, 40)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A descriptor: digest (valid), mediaType (string), size (non-negative integer), optional parts typed. */
export function checkDescriptor(value: unknown, field: string, what: string): void {
  if (!isObject(value)) throw invalid(what, `${field} is ${kind(value)}, not a descriptor object`);
  if (typeof value.digest !== 'string' || !isDigest(value.digest))
    throw invalid(what, `${field}.digest is ${kind(value.digest)}, not a digest like sha256:<64 hex>`);
  if (typeof value.mediaType !== 'string') throw invalid(what, `${field}.mediaType is ${kind(value.mediaType)}, not a string`);
  if (typeof value.size !== 'number' || !Number.isSafeInteger(value.size) || value.size < 0)
    throw invalid(what, `${field}.size is ${kind(value.size)}, not a byte count`);
  if (value.platform !== undefined) {
    const p = value.platform;
    if (
      !isObject(p) ||
      typeof p.os !== 'string' ||
      typeof p.architecture !== 'string' ||
      !['string', 'undefined'].includes(typeof p.variant)
    )
      throw invalid(what, `${field}.platform is not {os, architecture[, variant]} strings`);
  }
  checkAnnotations(value.annotations, `${field}.annotations`, what);
  if (value.artifactType !== undefined && typeof value.artifactType !== 'string')
    throw invalid(what, `${field}.artifactType is ${kind(value.artifactType)}, not a string`);
  if (value.urls !== undefined && (!Array.isArray(value.urls) || value.urls.some((u) => typeof u !== 'string')))
    throw invalid(what, `${field}.urls is not a list of strings`);
}

function checkAnnotations(value: unknown, field: string, what: string): void {
  if (value === undefined) return;
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) throw invalid(what, `${field} is not a map of strings`);
}

function checkList(value: unknown, field: string, what: string, each: (item: unknown, name: string) => void): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw invalid(what, `${field} is ${kind(value)}, not a list`);
  value.forEach((item, i) => each(item, `${field}[${i}]`));
}

function checkSchema1(json: Record<string, unknown>, what: string): void {
  if (!Array.isArray(json.fsLayers)) throw invalid(what, `fsLayers is ${kind(json.fsLayers)}, not a list`);
  checkList(json.fsLayers, 'fsLayers', what, (item, name) => {
    if (!isObject(item) || typeof item.blobSum !== 'string' || !isDigest(item.blobSum))
      throw invalid(what, `${name} is not {blobSum: <digest>}`);
  });
  checkList(json.history, 'history', what, (item, name) => {
    if (!isObject(item) || typeof item.v1Compatibility !== 'string') throw invalid(what, `${name} is not {v1Compatibility: <JSON text>}`);
  });
}

/** The fields the code follows, checked for shape. */
export function checkManifestShape(json: Record<string, unknown>, mediaType: string, what: string): void {
  if (mediaType === SCHEMA1_SIGNED || mediaType === SCHEMA1_UNSIGNED) return checkSchema1(json, what);
  if (isIndexType(mediaType) && json.manifests === undefined) throw invalid(what, 'an index without manifests');
  checkList(json.manifests, 'manifests', what, (item, name) => checkDescriptor(item, name, what));
  checkList(json.layers, 'layers', what, (item, name) => checkDescriptor(item, name, what));
  if (json.config !== undefined) checkDescriptor(json.config, 'config', what);
  if (json.subject !== undefined) checkDescriptor(json.subject, 'subject', what);
  checkAnnotations(json.annotations, 'annotations', what);
  if (json.artifactType !== undefined && typeof json.artifactType !== 'string')
    throw invalid(what, `artifactType is ${kind(json.artifactType)}, not a string`);
}

/**
 * Parses manifest bytes: bounded depth, a JSON object, a media type we read (the manifest's own
 * `mediaType`, else the Content-Type, else what its shape says), the shape checked.
 */
export function parseManifest(
  bytes: Buffer,
  digest: string,
  contentType: string | undefined,
): { json: Record<string, unknown>; mediaType: string } {
  const what = `manifest ${digest}`;
  const headerType = contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
  const text = bytes.toString('utf8');
  const depth = jsonTextDepth(text);
  if (depth > UPSTREAM_JSON_BOUNDS.maxDepth)
    throw new ToolError(
      'invalid_content',
      `${what} nests JSON ${depth} levels deep; manifests never need more than ${UPSTREAM_JSON_BOUNDS.maxDepth}`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    if (headerType && !KNOWN_MANIFEST_TYPES.has(headerType) && !/json/.test(headerType))
      throw new ToolError('unsupported_content', `${what} is ${headerType}, not a manifest type this server reads`);
    throw new ToolError('invalid_content', `${what} is not JSON${headerType ? ` (served as ${headerType})` : ''}`);
  }
  if (!isObject(parsed)) throw invalid(what, `the manifest is ${kind(parsed)}, not a JSON object`);
  if (parsed.mediaType !== undefined && typeof parsed.mediaType !== 'string')
    throw invalid(what, `mediaType is ${kind(parsed.mediaType)}, not a string`);
  const inferred =
    parsed.schemaVersion === 1
      ? Array.isArray(parsed.signatures)
        ? SCHEMA1_SIGNED
        : SCHEMA1_UNSIGNED
      : Array.isArray(parsed.manifests)
        ? OCI_INDEX
        : OCI_MANIFEST;
  // A generic Content-Type (application/json, octet-stream) says nothing: the shape decides then.
  const fromHeader = headerType && KNOWN_MANIFEST_TYPES.has(headerType) ? headerType : undefined;
  const mediaType = parsed.mediaType ?? fromHeader ?? inferred;
  if (!KNOWN_MANIFEST_TYPES.has(mediaType)) {
    throw new ToolError(
      'unsupported_content',
      `${what} has media type ${mediaType.slice(0, 200)}, not a manifest type this server reads (OCI / Docker v2 image manifests and indexes, Docker schema1)`,
      undefined,
      'get_blob or a tool that knows this type can read it; check_manifest and resolve_digest still work.',
    );
  }
  checkManifestShape(parsed, mediaType, what);
  return { json: parsed, mediaType };
}
