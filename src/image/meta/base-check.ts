// Is the base still what the image was built from? The base name is resolved now, through the
// same registry client (egress rules and credentials apply as to any call), and its digest
// compared with the recorded one. A build records the digest of the index or of the platform
// image; both count as current. For a semver tag, newer tags of the same flavour (`-alpine`,
// `-slim`, none) are listed too: the base may have moved on without this tag moving.
import { ToolError } from '../../http/errors.js';
import type { RegistryClient } from '../../registry/client.js';
import { listPaged } from '../../registry/paging.js';
import type { ImageRef } from '../../registry/reference.js';
import { semverKey, sortTags } from '../../registry/tag-order.js';
import type { BaseClaim } from './base-sources.js';

/** Tags read to look for newer versions (Docker Hub's busiest repositories have a few thousand). */
const MAX_TAGS = 5000;
/** Newer tags shown. */
const MAX_NEWER = 20;

export type BaseStatus = 'current' | 'moved' | 'tag_gone' | 'pinned' | 'no_recorded_digest' | 'unchecked';

export interface BaseCheck {
  status: BaseStatus;
  /** What the base tag points at now. */
  current_digest?: string;
  message: string;
  /** Newer semver tags of the same flavour, newest first. */
  newer_tags?: string[];
  /** Why the base could not be checked (egress refused, not found, no access). */
  error?: { type: string; message: string };
}

/** `1.2-alpine` → flavour `-alpine`; undefined for a tag that is not a version. */
export function tagFlavour(tag: string): { flavour: string; key: [number, number, number] } | undefined {
  const match = /^v?\d+(?:\.\d+){0,2}(-[A-Za-z][\w.-]*)?$/.exec(tag);
  const key = semverKey(tag);
  if (!match || !key) return undefined;
  return { flavour: match[1] ?? '', key: [key[0], key[1], key[2]] };
}

function newer(a: [number, number, number], b: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return false;
}

async function newerTags(client: RegistryClient, ref: ImageRef, tag: string, signal?: AbortSignal): Promise<string[] | undefined> {
  const mine = tagFlavour(tag);
  if (!mine) return undefined;
  const listed = await listPaged(client, ref, {
    path: `/v2/${ref.repository}/tags/list`,
    field: 'tags',
    scopes: client.pull(ref),
    maxItems: MAX_TAGS,
    signal,
  });
  const found = listed.items.filter((t) => {
    const other = tagFlavour(t);
    return other !== undefined && other.flavour === mine.flavour && newer(other.key, mine.key);
  });
  return sortTags(found, 'semver').slice(0, MAX_NEWER);
}

/** True when `recorded` is the index `current` points at, or one of its children. */
async function sameContent(
  client: RegistryClient,
  ref: ImageRef,
  current: string,
  recorded: string,
  signal?: AbortSignal,
): Promise<boolean> {
  if (current === recorded) return true;
  const now = await client.getManifest(ref, current, signal);
  return client.isIndex(now) && (now.json.manifests ?? []).some((d) => d.digest === recorded);
}

async function check(client: RegistryClient, claim: BaseClaim, signal?: AbortSignal): Promise<BaseCheck> {
  const ref = client.parse(claim.name);
  if (!ref.tag) {
    return ref.digest
      ? { status: 'pinned', message: `the base is pinned by digest (${ref.digest}); there is no tag to move` }
      : { status: 'unchecked', message: 'the base name has no tag to resolve' };
  }
  const head = await client.headManifest(ref, ref.tag, signal);
  if (!head.exists || !head.digest) return { status: 'tag_gone', message: `${claim.name} no longer exists` };
  const out: BaseCheck = { status: 'current', current_digest: head.digest, message: '' };
  if (!claim.digest) {
    out.status = 'no_recorded_digest';
    out.message = `the build did not record the base digest; ${claim.name} is ${head.digest} now`;
  } else if (await sameContent(client, ref, head.digest, claim.digest, signal)) {
    out.message = `${claim.name} still points at what the image was built from`;
  } else {
    out.status = 'moved';
    out.message = `${claim.name} moved since the build (built from ${claim.digest}, now ${head.digest}): rebuild to pick up a newer base`;
  }
  const newerList = await newerTags(client, ref, ref.tag, signal);
  if (newerList) out.newer_tags = newerList;
  return out;
}

/** The check, or why it could not be made (it is a second, independent lookup: its failure is part of the answer). */
export async function checkBase(client: RegistryClient, claim: BaseClaim, signal?: AbortSignal): Promise<BaseCheck> {
  try {
    return await check(client, claim, signal);
  } catch (error) {
    if (!(error instanceof ToolError) || error.type === 'cancelled' || error.type === 'internal_error') throw error;
    return {
      status: 'unchecked',
      message: `could not resolve ${claim.name}: ${error.message}`,
      error: { type: error.type, message: error.message },
    };
  }
}
