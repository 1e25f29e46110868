// completion/complete for prompt arguments and resource-template variables. A completion is a
// typing aid: it answers within a short deadline or with nothing, and never with an error (an
// upstream refusal, a bad partial value or an unknown prompt all complete to an empty list), so
// a client's input box never shows a failure, a secret or a spinner that does not end.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CompleteRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { AppContext } from '../context.js';
import { toToolError } from '../http/errors.js';
import { availability, servedPrompts } from '../prompts/catalog.js';
import { complete, EMPTY, MAX_COMPLETIONS, type CompleterKind, type Completion } from '../resources/completers.js';
import { servedTemplates } from '../resources/templates.js';
import type { ToolSpec } from '../tools/framework.js';

/** A completion waits at most this long (or the upstream timeout, if shorter): a person is typing. */
export const COMPLETION_DEADLINE_MS = 5_000;
/** Longest value completed: a reference is at most 512 characters, a list of them a few more. */
const MAX_VALUE = 2_048;

const result = (found: Completion) => ({
  completion: { values: found.values.slice(0, MAX_COMPLETIONS), hasMore: found.hasMore || found.values.length > MAX_COMPLETIONS },
});

/** Settles with `work`, or with EMPTY when `signal` aborts first (even if `work` ignores it). */
function bounded(work: Promise<Completion>, signal: AbortSignal): Promise<Completion> {
  return new Promise((resolve, reject) => {
    const stop = (): void => resolve(EMPTY);
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

export function registerCompletion(server: Server, app: AppContext, tools: readonly ToolSpec<AppContext>[]): void {
  const prompts = servedPrompts(availability(tools, app.config));
  const templates = servedTemplates(tools.map((tool) => tool.name));
  const deadline = Math.min(COMPLETION_DEADLINE_MS, app.config.timeoutSeconds * 1000);

  server.setRequestHandler(CompleteRequestSchema, async (request, extra) => {
    const { ref, argument, context } = request.params;
    let kind: CompleterKind | undefined;
    if (ref.type === 'ref/prompt') {
      kind = prompts.find((p) => p.name === ref.name)?.arguments.find((a) => a.name === argument.name)?.complete;
    } else {
      const template = templates.find((t) => t.uriTemplate === ref.uri);
      kind = template && Object.hasOwn(template.complete, argument.name) ? template.complete[argument.name] : undefined;
    }
    if (!kind || argument.value.length > MAX_VALUE) return result(EMPTY);
    // In a list (pin_digests' images) the item being typed is the last one.
    const cut = kind === 'image' ? argument.value.search(/[^\s,]*$/) : 0;
    const head = argument.value.slice(0, cut);
    const signal = AbortSignal.any([extra.signal, AbortSignal.timeout(deadline)]);
    try {
      const found = await bounded(complete(app, kind, argument.value.slice(cut), context?.arguments ?? {}, signal), signal);
      return result({ ...found, values: found.values.map((value) => head + value) });
    } catch (error) {
      app.logger.debug('completion failed', { kind, error: toToolError(error).type });
      return result(EMPTY);
    }
  });
}
