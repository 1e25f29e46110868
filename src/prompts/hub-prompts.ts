// Workflows on Docker Hub itself: clean up a repository's old tags, explain a rate-limit problem.
import { ToolError } from '../http/errors.js';
import { call, image, integer, listOf, regex, workflow, type PromptSpec } from './define.js';

/** older_than_days when neither it nor keep is given: prune_tags refuses a call with neither. */
export const DEFAULT_OLDER_THAN_DAYS = 90;

const hubName = (name: string) => (value: string) => {
  const trimmed = value.trim();
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(trimmed) || trimmed.length < 2 || trimmed.length > 255) {
    throw new ToolError(
      'invalid_argument',
      `'${name}' must be a Docker Hub ${name}: lowercase letters and digits, e.g. acme (got '${value.slice(0, 60)}')`,
    );
  }
  return trimmed;
};

export const cleanUpTags: PromptSpec = {
  name: 'clean_up_tags',
  title: 'Clean up old tags',
  description: "Delete a Docker Hub repository's old tags: a dry run shows exactly which, the deletion runs only after you confirm.",
  arguments: [
    {
      name: 'namespace',
      description: 'Docker Hub user or organization, e.g. acme',
      required: true,
      check: hubName('namespace'),
      complete: 'namespace',
    },
    {
      name: 'repository',
      description: 'Repository in that namespace, e.g. app',
      required: true,
      check: hubName('repository'),
      complete: 'hub_repository',
    },
    {
      name: 'older_than_days',
      description: `Only tags last pushed more than this many days ago (default ${DEFAULT_OLDER_THAN_DAYS} unless keep is given)`,
      check: integer('older_than_days', 0, 36500),
    },
    { name: 'keep', description: 'Always keep this many newest tags, e.g. 10', check: integer('keep', 0, 10000) },
    { name: 'pattern', description: 'Only tags matching this regex, e.g. ^pr-', check: (value) => regex(value, 'pattern') },
    {
      name: 'protect',
      description: 'Never delete tags matching these regexes, comma-separated (default ^latest$)',
      check: (value: string): string => {
        const list = listOf(value);
        if (list.length > 50) throw new ToolError('invalid_argument', "'protect' holds more than 50 patterns");
        return list.map((item, i) => regex(item, `protect[${i}]`)).join(',');
      },
    },
  ],
  needs: { tool: 'hub_repos', action: 'prune_tags' },
  render(args, can) {
    const olderThan = args.older_than_days ?? (args.keep === undefined ? String(DEFAULT_OLDER_THAN_DAYS) : undefined);
    const prune = {
      action: 'prune_tags',
      namespace: args.namespace,
      repository: args.repository,
      older_than_days: olderThan === undefined ? undefined : Number(olderThan),
      keep: args.keep === undefined ? undefined : Number(args.keep),
      pattern: args.pattern,
      protect: args.protect?.split(','),
    };
    const allowed = can.callable('hub_repos', 'prune_tags') === 'run';
    return workflow(
      `Clean up old tags of the Docker Hub repository \`${args.namespace}/${args.repository}\`:`,
      [
        call(
          'hub_repos',
          { ...prune, dry_run: true },
          'the plan: tags scanned, matched, protected, kept, and each tag that would be deleted (nothing is deleted).',
        ),
        'Show me the plan: how many tags would go, the first 20 by name with their last push date, and which are kept or protected. Point out any that look in use (latest, a release line, a tag pulled recently).',
        allowed
          ? `Wait for my explicit yes. Only then ${call('hub_repos', { ...prune, dry_run: false }, 'the deletion; it stops at the first authentication or permission error.')}`
          : 'Deleting is disabled on this server (an operator enables it with DOCKERHUB_ALLOW_DESTRUCTIVE=true): stop after the plan.',
      ],
      'Report what was deleted, what failed (with the error type and hint) and what was left for a later run (over_limit).',
    );
  },
};

export const explainRateLimit: PromptSpec = {
  name: 'explain_rate_limit',
  title: 'Explain a rate-limit problem',
  description: "Read the rate-limit headers the server has seen and who it pulls as, and explain a Docker Hub 'toomanyrequests' error.",
  arguments: [
    {
      name: 'image',
      description: 'An image to probe with a HEAD request (not counted as a pull), e.g. nginx',
      check: image('image'),
      complete: 'image',
    },
  ],
  needs: { tool: 'hub_admin', action: 'rate_limit' },
  render(args, can) {
    const probe = args.image !== undefined && can.callable('hub_registry', 'check_manifest') === 'run';
    return workflow(
      'Explain the Docker Hub rate limits this server is under. Make these calls:',
      [
        probe &&
          call(
            'hub_registry',
            { action: 'check_manifest', repo: args.image },
            'a HEAD request, which Docker Hub answers with the current limit headers without counting a pull.',
          ),
        call(
          'hub_admin',
          { action: 'rate_limit' },
          'the latest limit, remaining and reset seen per upstream (hub, registry, scout); makes no request.',
        ),
        can.callable('hub_admin', 'whoami') === 'run' &&
          call(
            'hub_admin',
            { action: 'whoami' },
            'whether pulls are anonymous (counted per IP address) or as an account (counted per account).',
          ),
      ],
      [
        'Then explain in plain words: the limit and its window (a header like `100;w=21600` means 100 pulls per 21,600 seconds), how many remain and when the window resets,',
        'and who the pulls are counted against. Say what would help, in order: logging in (DOCKER_HUB_USER and DOCKER_HUB_TOKEN), checking with HEAD (check_manifest) instead of pulling,',
        'a pull-through mirror, a paid plan. If no limit headers were seen yet, say so rather than guessing numbers.',
      ].join(' '),
    );
  },
};
