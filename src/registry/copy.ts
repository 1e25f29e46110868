// Copying images between repositories or registries: an image or a whole index with every child
// (platforms, attestations, nested indexes). Blobs first (skipped when present, cross-repo
// mounted on the same registry, otherwise streamed: GET → one gate stage that verifies the
// digest → upload, constant memory), then child manifests by digest, then the top manifest under
// the target tag, always the exact source bytes so the digest is identical at the destination.
import type { Readable } from 'node:stream';
import { repositoryScope } from '../auth/registry-token.js';
import type { HttpResult } from '../http/client.js';
import { ToolError } from '../http/errors.js';
import type { RegistryClient } from './client.js';
import { digestCheck } from './digest.js';
import { Limiter } from './limit.js';
import { plan } from './copy-plan.js';
import type { Descriptor } from './platform.js';
import { putManifest } from './push.js';
import { listReferrers } from './referrers.js';
import { formatRef, manifestReference, type ImageRef } from './reference.js';
import { uploadBlob } from './upload.js';
import { mountBlob, pushScopes, type UploadSession } from './upload-session.js';

export type ProgressFn = (done: number, total: number, message: string) => void | Promise<void>;

export interface CopyOptions {
  signal?: AbortSignal;
  chunkSize?: number;
  /** Blobs copied at once (default 8). */
  concurrency?: number;
  progress?: ProgressFn;
  dryRun?: boolean;
  /** Also copy artifacts that refer to the copied manifests (SBOMs, signatures), and theirs. */
  referrers?: boolean;
  /** Internal: referrer depth and digests already handled. */
  depth?: number;
  seen?: Set<string>;
}

/** Referrers of referrers (a signature of an SBOM) are followed this deep. */
const MAX_REFERRER_DEPTH = 3;

export interface CopyStats {
  manifests: number;
  blobs: number;
  /** Already at the destination (HEAD). */
  skipped: number;
  mounted: number;
  streamed: number;
  /** Blob bytes read from the source and written to the destination. */
  bytes_streamed: number;
  /** Sum of blob sizes in the image. */
  bytes_total: number;
}

export interface CopyResult {
  source: string;
  target: string;
  digest: string;
  media_type: string;
  /** The tag or digest the top manifest was pushed under. */
  reference: string;
  stats: CopyStats;
  /** Dry run: what is at the target reference now. */
  target_current?: { exists: boolean; digest?: string };
  dry_run?: boolean;
  /** With `referrers`: the artifacts referring to the copied manifests, copied (or, dry run, found). */
  referrers?: { digest: string; artifact_type?: string; subject: string }[];
  ms: number;
  result?: HttpResult<unknown>;
}

/** Copies `src` (tag or digest) to `dst`; the target reference defaults to the source tag, else the digest. */
export async function copyImage(client: RegistryClient, src: ImageRef, dst: ImageRef, options: CopyOptions = {}): Promise<CopyResult> {
  const started = Date.now();
  const signal = options.signal;
  const sameRegistry = src.registry.origin === dst.registry.origin;
  if (sameRegistry && src.repository === dst.repository && !dst.tag && !dst.digest) {
    throw new ToolError('invalid_argument', 'copy into the same repository needs a target_reference (or use tag)');
  }
  const top = await client.getManifest(src, manifestReference(src), signal);
  if (dst.digest && dst.digest !== top.digest)
    throw new ToolError('invalid_argument', `target digest ${dst.digest} is not the source digest ${top.digest}`);
  const reference = dst.tag ?? dst.digest ?? src.tag ?? top.digest;
  const { children, blobs } = await plan(client, src, top, signal);
  const stats: CopyStats = {
    manifests: children.length + 1,
    blobs: blobs.length,
    skipped: 0,
    mounted: 0,
    streamed: 0,
    bytes_streamed: 0,
    bytes_total: blobs.reduce((n, d) => n + sizeOf(d), 0),
  };
  const out: CopyResult = {
    source: formatRef({ ...src, digest: top.digest }),
    target: formatRef({ ...dst, tag: isTag(reference) ? reference : undefined, digest: top.digest }),
    digest: top.digest,
    media_type: top.mediaType,
    reference,
    stats,
    ms: 0,
  };
  if (options.dryRun) {
    const head = await client.headManifest(dst, reference, signal);
    out.target_current = head.exists ? { exists: true, ...(head.digest ? { digest: head.digest } : {}) } : { exists: false };
    out.dry_run = true;
    if (options.referrers) out.referrers = await findReferrers(client, src, [top.digest, ...children.map((c) => c.digest)], signal);
    out.ms = Date.now() - started;
    return out;
  }

  // One token for every request at the destination: push there, and pull on the source for mounts.
  const dstScopes = pushScopes(dst, sameRegistry && src.repository !== dst.repository ? [repositoryScope(src.repository, 'pull')] : []);
  let done = 0;
  const report = async (message: string): Promise<void> => {
    try {
      await options.progress?.(done, stats.bytes_total, message);
    } catch {
      // progress is best effort
    }
  };

  // The per-registry limiter in RegistryClient bounds sockets; this bounds open upload sessions.
  const limiter = new Limiter(options.concurrency ?? 8);
  await Promise.all(
    blobs.map((descriptor) =>
      limiter.run(async () => {
        const how = await copyBlob(client, src, dst, descriptor, { sameRegistry, dstScopes, chunkSize: options.chunkSize, signal, stats });
        done += sizeOf(descriptor);
        await report(`${how} ${descriptor.digest.slice(0, 19)} (${sizeOf(descriptor)} bytes)`);
      }),
    ),
  );

  // Children by digest, then the top under its reference. A PUT of a manifest the registry already
  // has is harmless and as cheap as the HEAD that would avoid it, so there is no HEAD. Image
  // manifests only reference blobs (all present now), so they go in parallel; nested indexes go
  // one by one, leaves first (the order plan() produced).
  const putChild = (child: (typeof children)[number]): Promise<unknown> =>
    putManifest(client, dst, child.digest, child.bytes, child.mediaType, { signal, scopes: dstScopes, json: child.json });
  if (children.some((child) => client.isIndex(child))) {
    for (const child of children) await putChild(child);
  } else {
    await Promise.all(children.map(putChild));
  }
  const pushed = await putManifest(client, dst, reference, top.bytes, top.mediaType, { signal, scopes: dstScopes, json: top.json });
  await report(`pushed ${top.mediaType} ${top.digest} as ${reference}`);
  out.result = pushed.result;
  if (options.referrers) out.referrers = await copyReferrers(client, src, dst, [top.digest, ...children.map((c) => c.digest)], options);
  out.ms = Date.now() - started;
  return out;
}

async function findReferrers(
  client: RegistryClient,
  src: ImageRef,
  subjects: string[],
  signal?: AbortSignal,
): Promise<NonNullable<CopyResult['referrers']>> {
  const lists = await Promise.all(
    subjects.map((subject) => listReferrers(client, src, subject, undefined, signal).then((r) => ({ subject, referrers: r.referrers }))),
  );
  return lists.flatMap(({ subject, referrers }) =>
    referrers.map((r) => ({ digest: r.digest, subject, ...(r.artifact_type ? { artifact_type: r.artifact_type } : {}) })),
  );
}

/**
 * Copies every artifact whose `subject` is one of the copied manifests, by digest, into the same
 * target repository. Pushing a manifest with a subject keeps the destination's referrers index
 * (or its `sha256-<hex>` fallback tag) current, so the artifacts are found there as at the source.
 */
async function copyReferrers(
  client: RegistryClient,
  src: ImageRef,
  dst: ImageRef,
  subjects: string[],
  options: CopyOptions,
): Promise<NonNullable<CopyResult['referrers']>> {
  const depth = options.depth ?? 0;
  if (depth >= MAX_REFERRER_DEPTH) return [];
  const seen = options.seen ?? new Set<string>(subjects);
  const found = (await findReferrers(client, src, subjects, options.signal)).filter((r) => !seen.has(r.digest));
  for (const r of found) seen.add(r.digest);
  for (const referrer of [...found]) {
    const from: ImageRef = { registry: src.registry, repository: src.repository, digest: referrer.digest };
    const to: ImageRef = { registry: dst.registry, repository: dst.repository, digest: referrer.digest };
    const copied = await copyImage(client, from, to, { ...options, dryRun: false, depth: depth + 1, seen });
    found.push(...(copied.referrers ?? []));
  }
  return found;
}

/** A blob's declared size; schema1 layers declare none. */
function sizeOf(descriptor: Descriptor): number {
  return Number.isFinite(descriptor.size) ? descriptor.size : 0;
}

function isTag(reference: string): boolean {
  return !reference.includes(':');
}

async function copyBlob(
  client: RegistryClient,
  src: ImageRef,
  dst: ImageRef,
  descriptor: Descriptor,
  context: { sameRegistry: boolean; dstScopes: string[]; chunkSize?: number; signal?: AbortSignal; stats: CopyStats },
): Promise<'skipped' | 'mounted' | 'streamed'> {
  const { digest } = descriptor;
  const { signal, stats } = context;
  const head = await client.request(dst, {
    method: 'HEAD',
    path: `/v2/${dst.repository}/blobs/${digest}`,
    scopes: context.dstScopes,
    accept: [404],
    signal,
  });
  if (head.status_code !== 404) {
    stats.skipped++;
    return 'skipped';
  }
  let session: UploadSession | undefined;
  if (context.sameRegistry) {
    const mount = await mountBlob(client, dst, digest, src, signal);
    if (mount.mounted) {
      stats.mounted++;
      return 'mounted';
    }
    session = mount.session;
    if (session) session.scopes = context.dstScopes;
  }
  // Node streams end to end (GET body → one gate stage: floor + digest → PUT body): no web-stream
  // conversion and no extra pass-through per chunk. The gate withholds the last chunk of a body
  // that fails the digest, so the destination never gets the whole declared length of it.
  const check = digestCheck(digest);
  const download = await client.request<Readable>(src, {
    path: `/v2/${src.repository}/blobs/${digest}`,
    scopes: client.pull(src),
    read: 'readable',
    check,
    signal,
  });
  const declared = Number(download.raw.get('content-length') ?? NaN);
  // Schema1 layers have no declared size (NaN in the plan): the source's Content-Length then.
  const size = Number.isFinite(descriptor.size) ? descriptor.size : Number.isFinite(declared) ? declared : NaN;
  if (!Number.isFinite(size)) {
    download.data.destroy();
    throw new ToolError('upstream_error', `blob ${digest} has no size`);
  }
  try {
    // A broken upload resumes from the source at the registry's offset (Range GET); the
    // destination checks the whole blob's digest when the upload is closed.
    const reopen = async (offset: number): Promise<Readable> => {
      const again = await client.request<Readable>(src, {
        path: `/v2/${src.repository}/blobs/${digest}`,
        headers: { range: `bytes=${offset}-` },
        scopes: client.pull(src),
        read: 'readable',
        signal,
      });
      if (again.status_code !== 206) {
        again.data.destroy();
        throw new ToolError('upstream_error', `the source registry cannot resume ${digest} at byte ${offset} (no Range support)`);
      }
      return again.data;
    };
    // A digest mismatch breaks the upload; uploadBlob then reports check.failure, not the break.
    await uploadBlob(
      client,
      dst,
      { digest, size, stream: download.data, reopen, sourceFailure: () => check.failure },
      { chunkSize: context.chunkSize, session, signal },
    );
  } finally {
    download.data.destroy();
  }
  stats.streamed++;
  stats.bytes_streamed += size;
  return 'streamed';
}
