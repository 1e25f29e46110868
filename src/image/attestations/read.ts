// sbom / provenance for one platform of an image: locate the attestation statements (index
// entries and referrers), read the ones of the asked kind (and any whose type only the statement
// itself says), summarise each, and list every other predicate by type. The full document comes
// paged when asked for.
import { ToolError } from '../../http/errors.js';
import type { RegistryClient } from '../../registry/client.js';
import type { Platform } from '../../registry/platform.js';
import { manifestReference, type ImageRef } from '../../registry/reference.js';
import { pickImage } from '../meta/pick-image.js';
import { redactProvenance } from './build-args.js';
import { DEFAULT_DOCUMENT_BYTES, pageDocument, type DocumentPage } from './document-page.js';
import type { JsonObject } from './json-fields.js';
import { locateAttestations, type AttestationLayer } from './locate.js';
import { kindOf, type AttestationKind } from './predicate-types.js';
import { summariseProvenance, type ProvenanceSummary } from './provenance-summary.js';
import { summariseSbom, type SbomSummary } from './sbom-summary.js';
import { decodeStatement, type Statement } from './statement.js';

/** Statements larger than this are listed, not read (the largest real SBOMs are a few tens of MiB). */
export const MAX_STATEMENT_BYTES = 32 * 1024 * 1024;

export interface AttestationQuery {
  kind: AttestationKind;
  platform?: Platform;
  /** Only statements of this predicate type; one we do not parse is `unsupported_content`. */
  predicateType?: string;
  includeDocument: boolean;
  page: number;
  pageSize: number;
  /** Bytes all document pages of one answer may take (default DEFAULT_DOCUMENT_BYTES). */
  documentBytes?: number;
}

export interface ReadStatement {
  digest: string;
  predicate_type: string;
  source: AttestationLayer['source'];
  /** The attestation manifest holding it. */
  manifest: string;
  /** False when the statement names other subjects than the image (worth a second look). */
  subject_matches?: boolean;
  summary: SbomSummary | ProvenanceSummary | { note: string };
  document?: DocumentPage;
}

const LABEL: Record<AttestationKind, string> = { sbom: 'SBOM', provenance: 'provenance' };

function summaryOf(kind: AttestationKind, statement: Statement, predicateType: string): ReadStatement['summary'] {
  if (!statement.predicate) return { note: 'the statement has no predicate object' };
  return kind === 'sbom' ? summariseSbom(predicateType, statement.predicate) : summariseProvenance(predicateType, statement.predicate);
}

/** `documents`: how many statements may carry a document in this answer; they share the budget. */
function documentOf(
  kind: AttestationKind,
  predicate: JsonObject | undefined,
  q: AttestationQuery,
  documents: number,
): DocumentPage | undefined {
  if (!q.includeDocument || !predicate) return undefined;
  const budget = Math.floor((q.documentBytes ?? DEFAULT_DOCUMENT_BYTES) / Math.max(1, documents));
  return pageDocument(kind === 'provenance' ? redactProvenance(predicate) : predicate, q.page, q.pageSize, budget);
}

function checkAskedType(q: AttestationQuery, layers: AttestationLayer[]): void {
  if (!q.predicateType || kindOf(q.predicateType) === q.kind) return;
  const present = layers.filter((l) => l.predicate_type === q.predicateType);
  throw new ToolError(
    'unsupported_content',
    `${q.kind} summarises ${q.kind === 'sbom' ? 'SPDX and CycloneDX' : 'SLSA provenance v0.2 and v1'} statements, not ${q.predicateType}` +
      (present.length > 0 ? ` (this image has ${present.length} such statement(s): ${present.map((l) => l.digest).join(', ')})` : ''),
    undefined,
    'get_blob with a statement digest shows the statement as JSON.',
  );
}

export interface AttestationAnswer {
  data: Record<string, unknown>;
  /** The next document page, while a paged list has more. */
  nextPage?: number;
}

export async function readAttestations(
  client: RegistryClient,
  ref: ImageRef,
  q: AttestationQuery,
  signal?: AbortSignal,
): Promise<AttestationAnswer> {
  const picked = await pickImage(client, ref, q.platform, signal);
  const located = await locateAttestations(client, ref, client.isIndex(picked.top) ? picked.top : undefined, picked.digest, signal);
  checkAskedType(q, located.layers);
  const wanted = located.layers.filter(
    (l) => (l.predicate_type === undefined || kindOf(l.predicate_type) === q.kind) && l.size <= MAX_STATEMENT_BYTES,
  );
  const unreadable = [...located.unreadable];
  for (const l of located.layers)
    if (l.size > MAX_STATEMENT_BYTES)
      unreadable.push({ digest: l.digest, reason: `${l.size} bytes, over the ${MAX_STATEMENT_BYTES}-byte read cap` });
  const decoded = await Promise.all(
    wanted.map(async (layer) => {
      const bytes = await client.getBlobBytes(ref, layer.digest, signal);
      return { layer, statement: decodeStatement(bytes, `attestation ${layer.digest}`, layer.bare_type) };
    }),
  );
  const statements: ReadStatement[] = [];
  const typeOf = new Map<string, string | undefined>(located.layers.map((l) => [l.digest, l.predicate_type]));
  for (const { layer, statement } of decoded) {
    const predicateType = statement.predicateType ?? layer.predicate_type;
    typeOf.set(layer.digest, predicateType);
    if (kindOf(predicateType) !== q.kind || !predicateType) continue;
    if (q.predicateType && predicateType !== q.predicateType) continue;
    const out: ReadStatement = {
      digest: layer.digest,
      predicate_type: predicateType,
      source: layer.source,
      manifest: layer.manifest,
      summary: summaryOf(q.kind, statement, predicateType),
    };
    const subjects = statement.subjects.flatMap((s) => s.digests);
    if (subjects.length > 0) out.subject_matches = subjects.includes(picked.digest);
    const document = documentOf(q.kind, statement.predicate, q, decoded.length);
    if (document) out.document = document;
    statements.push(out);
  }
  const others = located.layers
    .filter((l) => !statements.some((s) => s.digest === l.digest))
    .map((l) => ({ digest: l.digest, predicate_type: typeOf.get(l.digest) ?? 'unknown', source: l.source }));
  const nextPage = statements.map((s) => s.document?.next_page).find((n) => n !== undefined);
  const data: Record<string, unknown> = {
    repository: ref.repository,
    reference: manifestReference(ref),
    digest: picked.top.digest,
    image_digest: picked.digest,
    platform: picked.platform,
    found: statements.length > 0,
    [q.kind === 'sbom' ? 'sboms' : 'provenance']: statements,
    other_attestations: others,
    referrers_lookup: located.referrers_source,
  };
  if (unreadable.length > 0) data.unreadable = unreadable;
  if (statements.length === 0)
    data.note = noneNote(
      q.kind,
      picked.platform,
      picked.digest,
      others.map((o) => o.predicate_type),
    );
  return { data, nextPage };
}

function noneNote(kind: AttestationKind, platform: string, digest: string, others: string[]): string {
  const what = `no ${LABEL[kind]} attestation for the ${platform === 'unknown' ? '' : `${platform} `}image ${digest}`;
  if (others.length === 0)
    return `${what}: the image has no attestations (neither BuildKit attestation manifests in an index nor OCI referrers)`;
  return `${what}; attestations present: ${[...new Set(others)].join(', ')}`;
}
