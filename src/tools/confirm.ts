// A human in the loop for destructive calls (DOCKERHUB_CONFIRM). Before a destructive call runs
// for real, the same call runs as a dry run; its plan becomes one short line naming the exact
// target, the client asks its human through MCP elicitation, and the call goes on only when the
// human ticks "confirm" and accepts. Decline, cancel, no answer, or a failed question: nothing
// is changed, and the result says so.
import type { ConfirmMode } from '../config.js';
import { ToolError } from '../http/errors.js';
import { redact, redactString } from '../redact.js';
import type { Action, ToolContext } from './framework.js';

declare module '../http/errors.js' {
  interface ErrorTypes {
    /** The human declined, cancelled or did not answer the confirmation of a destructive call; nothing changed. */
    not_confirmed: true;
    /** DOCKERHUB_CONFIRM=always and the client cannot ask its human (no form elicitation). */
    confirmation_required: true;
  }
}

/** The question: a message and the one-checkbox form the human answers. */
export interface ElicitRequest {
  message: string;
  requestedSchema: {
    type: 'object';
    properties: { confirm: { type: 'boolean'; title: string; description: string; default: boolean } };
    required: ['confirm'];
  };
}

export interface ElicitReply {
  action: 'accept' | 'decline' | 'cancel';
  content?: Record<string, unknown>;
}

/** Asks the client's human (MCP `elicitation/create`); the server gives one only to clients that can answer. */
export type Elicit = (request: ElicitRequest, options: { signal: AbortSignal; timeoutMs: number }) => Promise<ElicitReply>;

/**
 * How long a call waits for the human. A client that never answers must not hold the call (and
 * the upstream token it may have minted) forever; five minutes is time to read one line.
 */
export const CONFIRM_TIMEOUT_MS = 5 * 60_000;
/** The message stays short enough for a dialog: a few list items, then "(N more)". */
export const MESSAGE_MAX_CHARS = 800;
const LIST_SHOWN = 5;
const VALUE_MAX_CHARS = 120;

/**
 * Whether this call, with these validated arguments, changes something destructively for real:
 * not a dry run (for an action that previews by default, only `dry_run: false` is real), and for a
 * conditionally destructive action only when its arguments make it so.
 */
export function needsConfirmation(action: Action<unknown>, args: Record<string, unknown>): boolean {
  const real = action.previewByDefault ? args.dry_run === false : args.dry_run !== true;
  if (!real) return false;
  if (action.destructive) return true;
  return action.destructiveWhen?.reason(args) !== undefined;
}

// ---- the plan as one line ----------------------------------------------------------------------

/** Control, format (bidi overrides, zero-width) and line/paragraph separators: they could fake or hide text. */
const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu;

/** One value as the human reads it: no line breaks an upstream could use to fake a second line. */
function text(value: unknown): string {
  const raw = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const flat = raw.replace(CONTROL, ' ').trim();
  return flat.length > VALUE_MAX_CHARS ? `${flat.slice(0, VALUE_MAX_CHARS - 1)}…` : flat;
}

/** `a, b, c, d, e … (3 more)`. */
export function listOf(items: readonly unknown[], shown = LIST_SHOWN): string {
  const head = items.slice(0, shown).map(text).join(', ');
  const rest = items.length - shown;
  return rest > 0 ? `${head} … (${rest.toLocaleString('en-US')} more)` : head;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Tag names of prune_tags' `would_delete` entries (or plain strings). */
const names = (items: readonly unknown[]): unknown[] => items.map((item) => (isRecord(item) && 'tag' in item ? item.tag : item));

/** What a bulk delete takes and leaves: "delete 37 tags of acme/app: … ; protected: latest". */
function bulkParts(args: Record<string, unknown>, plan: Record<string, unknown>): string[] {
  const parts: string[] = [];
  if (Array.isArray(plan.would_delete)) {
    const where =
      typeof args.namespace === 'string' && typeof args.repository === 'string' ? ` of ${args.namespace}/${args.repository}` : '';
    const count = plan.would_delete.length;
    parts.push(`delete ${count} tag${count === 1 ? '' : 's'}${where}${count > 0 ? `: ${listOf(names(plan.would_delete))}` : ''}`);
  }
  if (Array.isArray(plan.protected) && plan.protected.length > 0) parts.push(`protected: ${listOf(plan.protected)}`);
  if (typeof plan.kept === 'number' && plan.kept > 0) parts.push(`${plan.kept} other matching tags kept`);
  if (typeof plan.over_limit === 'number' && plan.over_limit > 0) parts.push(`${plan.over_limit} more left for a later run`);
  return parts;
}

/** What a single-target write names: the request, the digest, the tags on it, what it replaces. */
function targetParts(plan: Record<string, unknown>): string[] {
  const parts: string[] = [];
  const send = plan.would_send;
  if (isRecord(send) && typeof send.method === 'string' && typeof send.path === 'string') parts.push(`${send.method} ${text(send.path)}`);
  if (typeof plan.request === 'string') parts.push(text(plan.request));
  if (typeof plan.source === 'string' && typeof plan.target === 'string') parts.push(`${text(plan.source)} → ${text(plan.target)}`);
  if (typeof plan.digest === 'string')
    parts.push(`digest ${text(plan.digest)}${typeof plan.resolved_from === 'string' ? ` (tag ${text(plan.resolved_from)})` : ''}`);
  if (typeof plan.tag === 'string') parts.push(`tag ${text(plan.tag)}`);
  const tags = isRecord(plan.tags) ? plan.tags.tags : undefined;
  if (Array.isArray(tags)) parts.push(tags.length > 0 ? `tags on it (also removed): ${listOf(tags)}` : 'no tags on it');
  // tag and copy say {exists, digest}; put_manifest the digest (or 'exists') now at the reference.
  const current = plan.target_current ?? plan.current;
  if (isRecord(current) && current.exists === true)
    parts.push(`replaces ${typeof current.digest === 'string' ? text(current.digest) : 'what is there now'}`);
  else if (typeof current === 'string') parts.push(`replaces ${text(current)}`);
  if (Array.isArray(plan.would_change) && plan.would_change.length > 0) {
    const changes = plan.would_change.filter(isRecord).map((c) => `${text(c.field)}: ${text(c.from)} → ${text(c.to)}`);
    parts.push(`changes ${listOf(changes)}`);
  }
  return parts;
}

export interface PlanSummaryInput {
  /** `tool.action`. */
  label: string;
  /** The action's one-liner (what it does). */
  description: string;
  /** The validated arguments of the real call. */
  args: Record<string, unknown>;
  /** The `data` of the dry run's result. */
  plan: unknown;
  /** Why the arguments make a conditionally destructive action destructive. */
  reason?: string;
}

/** The registry target a hub_registry call names (`acme/app:v1 → other/app`). */
function refParts(args: Record<string, unknown>): string[] {
  if (typeof args.repo !== 'string') return [];
  const ref = typeof args.reference === 'string' ? `${args.repo}${args.reference.includes(':') ? '@' : ':'}${args.reference}` : args.repo;
  const to =
    typeof args.target_repo === 'string'
      ? ` → ${args.target_repo}${typeof args.target_reference === 'string' ? `:${args.target_reference}` : ''}`
      : '';
  return [text(`${ref}${to}`)];
}

/**
 * One line for the human, bounded and redacted: the action, then the exact target from the dry
 * run. Lists show their first few items and "(N more)"; values are flattened to one line each.
 */
export function summarisePlan(input: PlanSummaryInput): string {
  const args = redact(input.args);
  const plan = redact(input.plan);
  const data = isRecord(plan) ? plan : {};
  const parts = [...(input.reason ? [text(input.reason)] : []), ...refParts(args), ...bulkParts(args, data), ...targetParts(data)];
  if (parts.length === 0 && plan !== undefined && plan !== null) parts.push(text(plan));
  const line = `${input.label} (${text(input.description)}): ${parts.join('; ')}`;
  const safe = redactString(line.replace(CONTROL, ' '));
  return safe.length > MESSAGE_MAX_CHARS ? `${safe.slice(0, MESSAGE_MAX_CHARS - 1)}…` : safe;
}

// ---- the decision ------------------------------------------------------------------------------

const QUESTION_SCHEMA: ElicitRequest['requestedSchema'] = {
  type: 'object',
  properties: {
    confirm: { type: 'boolean', title: 'Confirm', description: 'Tick to let the server make this change', default: false },
  },
  required: ['confirm'],
};

const NOTHING_CHANGED = 'Nothing was changed. Ask the user before calling again; a dry_run: true call shows the plan without asking.';

export interface ConfirmInput<App> {
  mode: ConfirmMode;
  action: Action<App>;
  label: string;
  /** The call's arguments as sent (the dry run re-validates them). */
  rawArgs: Record<string, unknown>;
  /** The validated arguments. */
  args: Record<string, unknown>;
  ctx: ToolContext<App>;
  timeoutMs?: number;
}

/**
 * Returns when the call may run for real; throws a ToolError (`not_confirmed`,
 * `confirmation_required`, `cancelled`) when it must not. Nothing upstream changes before then.
 */
export async function confirmDestructive<App>(input: ConfirmInput<App>): Promise<void> {
  const { mode, action, label, ctx } = input;
  if (mode === 'never' || !needsConfirmation(action, input.args)) return;
  if (!ctx.elicit) {
    if (mode === 'when-supported') return;
    throw new ToolError(
      'confirmation_required',
      `${label} is destructive and this server asks a human to confirm it, but the client cannot ask (no MCP elicitation); nothing was changed`,
      undefined,
      'Use a client that supports MCP elicitation (form mode) over stdio or a stateful HTTP session, or an operator sets DOCKERHUB_CONFIRM=when-supported; dry_run: true works without confirmation.',
    );
  }
  const reason = action.destructive ? undefined : action.destructiveWhen?.reason(input.args);
  const plan = async (): Promise<string> => {
    const preview = await action.invoke({ ...input.rawArgs, dry_run: true }, ctx, label);
    return summarisePlan({ label, description: action.description, args: input.args, plan: preview.data, reason });
  };
  const message = await plan();
  const timeoutMs = input.timeoutMs ?? CONFIRM_TIMEOUT_MS;
  let reply: ElicitReply;
  try {
    reply = await ctx.elicit({ message, requestedSchema: QUESTION_SCHEMA }, { signal: ctx.signal, timeoutMs });
  } catch (error) {
    if (ctx.signal.aborted)
      throw new ToolError('cancelled', `${label}: the call was cancelled while waiting for confirmation; nothing was changed`);
    const timedOut = (error as { code?: unknown } | null)?.code === -32001;
    const why = timedOut
      ? `no answer within ${Math.round(timeoutMs / 1000)} seconds`
      : `the confirmation request failed (${text(error instanceof Error ? error.message : error)})`;
    ctx.log.info('destructive call not confirmed', { action: label, answer: timedOut ? 'timeout' : 'error' });
    throw new ToolError('not_confirmed', `${label}: ${why}; nothing was changed`, undefined, NOTHING_CHANGED);
  }
  const ticked = reply.action === 'accept' && reply.content?.confirm === true;
  ctx.log.info(ticked ? 'destructive call confirmed' : 'destructive call not confirmed', { action: label, answer: reply.action, ticked });
  if (ticked) {
    // The human may have taken minutes: what they said yes to must still be what runs (a tag that
    // aged past older_than_days meanwhile, a tag moved to another digest).
    const now = await plan();
    if (now === message) return;
    throw new ToolError(
      'not_confirmed',
      `${label}: the target changed while the user was asked (now: ${now}); nothing was changed`,
      undefined,
      'Call again: the user is asked about the new target.',
    );
  }
  const what =
    reply.action === 'accept'
      ? 'the user accepted without ticking confirm'
      : reply.action === 'decline'
        ? 'the user declined'
        : 'the user cancelled the confirmation';
  throw new ToolError('not_confirmed', `${label}: ${what}; nothing was changed`, undefined, NOTHING_CHANGED);
}
