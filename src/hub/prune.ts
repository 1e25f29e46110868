// prune_tags: the tag clean-up Docker Hub users ask for most. Scans a repository's tags, picks
// those matching a pattern that are older than N days and/or beyond the newest K, never one
// matching a protected pattern, then (unless it is a dry run) deletes them one by one, reporting
// each result and stopping at the first authentication or permission error.
import { z } from 'zod';
import { envelope, type Envelope } from '../http/envelope.js';
import { ToolError } from '../http/errors.js';
import type { HubClient } from './client.js';
import { int } from './route.js';
import { repoRoutes, namespace, repository } from './routes/repos.js';

const SCAN_MAX_TAGS = 10_000;
const DAY_MS = 86_400_000;

const regex = z.string().refine(
  (value) => {
    if (value.length < 1 || value.length > 255) return false;
    try {
      new RegExp(value);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a valid regular expression of 1-255 characters' },
);

export const pruneParams = {
  namespace,
  repository,
  pattern: regex.optional().describe('Only tags matching regex'),
  older_than_days: int('Pushed over N days ago', 0, 36500).optional(),
  keep: int('Spare the newest N', 0, 10000).optional(),
  protect: z
    .array(regex)
    .refine((v) => v.length <= 50, { message: 'must have at most 50 items' })
    .optional()
    .describe('Never-delete regexes, e.g. ^latest$'),
  limit: int('Max tags to delete (100)', 1, 500).optional(),
};

export interface PruneArgs {
  namespace: string;
  repository: string;
  pattern?: string;
  older_than_days?: number;
  keep?: number;
  protect?: string[];
  limit?: number;
  dry_run?: boolean;
}

export interface TagInfo {
  tag: string;
  digest: string | null;
  last_pushed: string | null;
  last_pulled: string | null;
}

const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

export function tagInfo(raw: unknown): TagInfo | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const t = raw as Record<string, unknown>;
  const name = str(t.name);
  if (!name) return undefined;
  const images = Array.isArray(t.images) ? (t.images as Record<string, unknown>[]) : [];
  const digest = str(t.digest) ?? (images.length === 1 ? str(images[0]?.digest) : null);
  return { tag: name, digest, last_pushed: str(t.tag_last_pushed) ?? str(t.last_updated), last_pulled: str(t.tag_last_pulled) };
}

export interface PrunePlan {
  scanned: number;
  matched: number;
  protected: string[];
  kept: number;
  delete: TagInfo[];
  /** Selected beyond `limit`, left for a later run. */
  over_limit: number;
}

/** Which tags go: pure, so the rule is testable without a server. */
export function planPrune(tags: readonly TagInfo[], args: PruneArgs, now: number): PrunePlan {
  const pattern = args.pattern !== undefined ? new RegExp(args.pattern) : undefined;
  const protect = (args.protect ?? ['^latest$']).map((p) => new RegExp(p));
  const matching = tags.filter((t) => !pattern || pattern.test(t.tag));
  const isProtected = (t: TagInfo): boolean => protect.some((p) => p.test(t.tag));
  const protectedTags = matching.filter(isProtected).map((t) => t.tag);
  const pushedAt = (t: TagInfo): number => (t.last_pushed ? Date.parse(t.last_pushed) : 0) || 0;
  // Newest first; a tag with no push time counts as oldest.
  const candidates = matching.filter((t) => !isProtected(t)).sort((a, b) => pushedAt(b) - pushedAt(a));
  const keep = args.keep ?? 0;
  const cutoff = args.older_than_days !== undefined ? now - args.older_than_days * DAY_MS : undefined;
  const selected = candidates.filter((t, index) => index >= keep && (cutoff === undefined || pushedAt(t) < cutoff));
  const limit = args.limit ?? 100;
  return {
    scanned: tags.length,
    matched: matching.length,
    protected: protectedTags,
    kept: candidates.length - selected.length,
    delete: selected.slice(0, limit),
    over_limit: Math.max(0, selected.length - limit),
  };
}

export interface PruneHooks {
  signal?: AbortSignal;
  progress?(done: number, total: number, message: string): Promise<void>;
}

/** Reads every tag (newest first), up to SCAN_MAX_TAGS. */
async function scanTags(
  client: HubClient,
  args: PruneArgs,
  signal?: AbortSignal,
): Promise<{ tags: TagInfo[]; truncated: boolean; rate: Envelope['rate_limit'] }> {
  const tags: TagInfo[] = [];
  let page = 1;
  let rate: Envelope['rate_limit'] = null;
  for (;;) {
    const res = await client.call(
      repoRoutes.list_tags,
      { namespace: args.namespace, repository: args.repository, ordering: '-last_updated', page, page_size: 100 },
      signal,
    );
    rate = res.rate_limit;
    const data = res.data as { results?: unknown[]; next?: unknown } | null;
    for (const raw of data?.results ?? []) {
      const info = tagInfo(raw);
      if (info) tags.push(info);
    }
    if (typeof data?.next !== 'string' || !data.next) return { tags, truncated: false, rate };
    if (tags.length >= SCAN_MAX_TAGS) return { tags, truncated: true, rate };
    page++;
  }
}

export async function pruneTags(client: HubClient, args: PruneArgs, hooks: PruneHooks = {}): Promise<Envelope> {
  if (args.older_than_days === undefined && args.keep === undefined) {
    throw new ToolError('invalid_argument', 'give older_than_days and/or keep: prune_tags never deletes every matching tag');
  }
  const scan = await scanTags(client, args, hooks.signal);
  const plan = planPrune(scan.tags, args, Date.now());
  const summary = {
    namespace: args.namespace,
    repository: args.repository,
    scanned: plan.scanned,
    scan_truncated: scan.truncated,
    matched: plan.matched,
    protected: plan.protected,
    kept: plan.kept,
    over_limit: plan.over_limit,
  };
  // A dry run unless dry_run is explicitly false.
  if (args.dry_run !== false) {
    return envelope({ dry_run: true, ...summary, would_delete: plan.delete }, scan.rate);
  }
  const results: (TagInfo & { status: string; status_code?: number; error?: string })[] = [];
  let stopped: string | null = null;
  let rate = scan.rate;
  for (const [index, target] of plan.delete.entries()) {
    try {
      const res = await client.call(
        repoRoutes.delete_tag,
        { namespace: args.namespace, repository: args.repository, tag: target.tag },
        hooks.signal,
      );
      rate = res.rate_limit;
      results.push({ ...target, status: 'deleted', status_code: res.status_code });
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      if (error.type === 'cancelled') {
        stopped = 'cancelled';
        break;
      }
      results.push({ ...target, status: 'failed', status_code: error.status, error: error.message });
      if (error.status === 401 || error.status === 403) {
        stopped = `stopped at the first auth error (HTTP ${error.status})${error.hint ? `: ${error.hint}` : ''}`;
        break;
      }
    }
    await hooks.progress?.(index + 1, plan.delete.length, target.tag);
  }
  const deleted = results.filter((r) => r.status === 'deleted').length;
  return envelope(
    {
      dry_run: false,
      ...summary,
      deleted,
      failed: results.length - deleted,
      not_attempted: plan.delete.length - results.length,
      stopped,
      results,
    },
    rate,
  );
}
