// The prompts: which ones a configuration offers, that every call a rendered prompt names can run
// there with exactly those arguments (its action's own schema accepts them), the gate's effect on
// the destructive workflows, and argument checking, directly and over MCP (prompts/get).
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../../../src/config.js';
import { availability, checkArguments, getPrompt, PROMPTS, servedPrompts } from '../../../src/prompts/catalog.js';
import { PIN_MAX } from '../../../src/prompts/image-prompts.js';
import { buildTools } from '../../../src/tools/catalog.js';
import { testApp, testConfig } from '../../helpers/unit/app.js';
import { connectInProcess, type InProcessSession } from '../../helpers/unit/mcp-client.js';

const CONFIGS: Record<string, Record<string, string>> = {
  default: {},
  'read-only': { DOCKERHUB_READ_ONLY: 'true' },
  destructive: { DOCKERHUB_ALLOW_DESTRUCTIVE: 'true' },
  'registry only': { MCP_TOOLS: 'hub_registry' },
  'no scout': { SCOUTTOOL: 'false' },
};

/** Arguments that exercise every optional argument of each prompt. */
const FULL: Record<string, Record<string, string>> = {
  audit_image: { image: 'ghcr.io/acme/app:v1', platform: 'linux/arm64/v8' },
  clean_up_tags: { namespace: 'acme', repository: 'app', older_than_days: '30', keep: '5', pattern: '^pr-', protect: '^latest$, ^v\\d+$' },
  pin_digests: { images: 'nginx:1.27, ghcr.io/acme/app:v2\nredis' },
  mirror_image: { source: 'nginx:1.27', target: 'registry.example.com/mirror/nginx:1.27', referrers: 'yes' },
  explain_rate_limit: { image: 'nginx' },
};

function setup(env: Record<string, string>) {
  const config = testConfig(env);
  const tools = buildTools(config.enabledTools);
  return { config, tools, can: availability(tools, config) };
}

/** Every `Call \`tool\` with \`{…}\`` in a rendered prompt, parsed. */
function callsIn(text: string): { tool: string; args: Record<string, unknown> }[] {
  return [...text.matchAll(/Call `(\w+)` with `(\{.*?\})` —/g)].map((m) => ({
    tool: m[1]!,
    args: JSON.parse(m[2]!) as Record<string, unknown>,
  }));
}

function render(name: string, args: Record<string, string>, config: Config, can: ReturnType<typeof availability>): string {
  const prompt = PROMPTS.find((p) => p.name === name)!;
  const result = getPrompt(prompt, args, config, can);
  expect(result.messages).toHaveLength(1);
  const content = result.messages[0]!.content;
  if (content.type !== 'text') throw new Error('expected text');
  return content.text;
}

describe('prompts offered per configuration', () => {
  it.each([
    ['default', ['audit_image', 'clean_up_tags', 'pin_digests', 'mirror_image', 'explain_rate_limit']],
    ['read-only', ['audit_image', 'pin_digests', 'explain_rate_limit']],
    ['registry only', ['audit_image', 'pin_digests', 'mirror_image']],
  ])('%s: %j', (name, expected) => {
    const { can } = setup(CONFIGS[name]!);
    expect(servedPrompts(can).map((p) => p.name)).toEqual(expected);
  });

  it('every prompt has a description and every argument a description of several words', () => {
    for (const prompt of PROMPTS) {
      expect(prompt.description.split(' ').length, prompt.name).toBeGreaterThanOrEqual(5);
      for (const arg of prompt.arguments) expect(arg.description.split(' ').length, `${prompt.name}.${arg.name}`).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('every call a prompt names runs in that configuration, with those arguments', () => {
  for (const [configName, env] of Object.entries(CONFIGS)) {
    it(configName, () => {
      const { config, tools, can } = setup(env);
      let checked = 0;
      for (const prompt of servedPrompts(can)) {
        for (const args of [
          FULL[prompt.name]!,
          Object.fromEntries(prompt.arguments.filter((a) => a.required).map((a) => [a.name, FULL[prompt.name]![a.name]!])),
        ]) {
          const calls = callsIn(render(prompt.name, args, config, can));
          expect(calls.length, prompt.name).toBeGreaterThan(0);
          for (const { tool, args: callArgs } of calls) {
            const { action, ...rest } = callArgs;
            const spec = tools.find((t) => t.name === tool);
            expect(spec, `${prompt.name} → ${tool}`).toBeDefined();
            const callable = can.callable(spec!.name, action as string);
            expect(callable, `${prompt.name} → ${tool}.${String(action)}`).not.toBe('no');
            if (callable === 'dry_run') expect(rest.dry_run, `${prompt.name} → ${tool}.${String(action)}`).toBe(true);
            const schema = z.strictObject(spec!.actions[action as string]!.shape);
            const parsed = schema.safeParse(rest);
            expect(parsed.success, `${prompt.name} → ${tool} ${JSON.stringify(callArgs)}: ${parsed.error?.message}`).toBe(true);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(5);
    });
  }
});

describe('what the prompts say', () => {
  it('clean_up_tags: a dry run with the arguments filled in; the deletion only with the gate open, after a confirmation', () => {
    const args = FULL.clean_up_tags!;
    const closed = setup({});
    const closedText = render('clean_up_tags', args, closed.config, closed.can);
    const prune = {
      action: 'prune_tags',
      namespace: 'acme',
      repository: 'app',
      older_than_days: 30,
      keep: 5,
      pattern: '^pr-',
      protect: ['^latest$', '^v\\d+$'],
    };
    expect(callsIn(closedText)).toEqual([{ tool: 'hub_repos', args: { ...prune, dry_run: true } }]);
    expect(closedText).toContain('DOCKERHUB_ALLOW_DESTRUCTIVE=true');
    const open = setup(CONFIGS.destructive!);
    const openText = render('clean_up_tags', args, open.config, open.can);
    expect(callsIn(openText)).toEqual([
      { tool: 'hub_repos', args: { ...prune, dry_run: true } },
      { tool: 'hub_repos', args: { ...prune, dry_run: false } },
    ]);
    expect(openText).toMatch(/explicit yes\. Only then Call `hub_repos`/);
  });

  it('clean_up_tags defaults older_than_days to 90 when neither it nor keep is given (prune_tags refuses neither)', () => {
    const { config, can } = setup({});
    const calls = callsIn(render('clean_up_tags', { namespace: 'acme', repository: 'app' }, config, can));
    expect(calls[0]!.args).toEqual({ action: 'prune_tags', namespace: 'acme', repository: 'app', older_than_days: 90, dry_run: true });
    const keepOnly = callsIn(render('clean_up_tags', { namespace: 'acme', repository: 'app', keep: '3' }, config, can));
    expect(keepOnly[0]!.args).not.toHaveProperty('older_than_days');
  });

  it('audit_image: inspect, packages, SBOM, Scout CVEs, base image, in order; without Scout it says CVE data is unavailable', () => {
    const { config, can } = setup({});
    const text = render('audit_image', { image: 'nginx:1.27' }, config, can);
    expect(callsIn(text).map((c) => `${c.tool}.${String(c.args.action)}`)).toEqual([
      'hub_registry.inspect',
      'hub_registry.packages',
      'hub_registry.sbom',
      'hub_scout.cves',
      'hub_registry.base_image',
      'hub_scout.recommendations',
    ]);
    const noScout = setup(CONFIGS['no scout']!);
    const plain = render('audit_image', { image: 'nginx:1.27' }, noScout.config, noScout.can);
    expect(callsIn(plain).some((c) => c.tool === 'hub_scout')).toBe(false);
    expect(plain).toContain('CVE data is not available');
  });

  it('pin_digests: one check_manifest per reference, in the order given', () => {
    const { config, can } = setup({});
    const calls = callsIn(render('pin_digests', FULL.pin_digests!, config, can));
    expect(calls.map((c) => c.args.repo)).toEqual(['nginx:1.27', 'ghcr.io/acme/app:v2', 'redis']);
  });

  it('mirror_image: inspect, a dry-run copy with referrers, then (gate open) the copy and a digest check of the target', () => {
    const open = setup(CONFIGS.destructive!);
    const calls = callsIn(render('mirror_image', FULL.mirror_image!, open.config, open.can));
    const copy = { action: 'copy', repo: 'nginx:1.27', target_repo: 'registry.example.com/mirror/nginx:1.27', referrers: true };
    expect(calls.map((c) => c.args)).toEqual([
      { action: 'inspect', repo: 'nginx:1.27' },
      { ...copy, dry_run: true },
      copy,
      { action: 'check_manifest', repo: 'registry.example.com/mirror/nginx:1.27' },
    ]);
  });

  it('explain_rate_limit probes with a HEAD only when given an image', () => {
    const { config, can } = setup({});
    expect(callsIn(render('explain_rate_limit', {}, config, can)).map((c) => c.args.action)).toEqual(['rate_limit', 'whoami']);
    expect(callsIn(render('explain_rate_limit', { image: 'nginx' }, config, can)).map((c) => c.args.action)).toEqual([
      'check_manifest',
      'rate_limit',
      'whoami',
    ]);
  });
});

describe('argument checks', () => {
  const config = testConfig();
  const prompt = (name: string) => PROMPTS.find((p) => p.name === name)!;
  it.each([
    ['audit_image', {}, "missing required argument 'image'"],
    ['audit_image', { image: 'nginx', tag: 'x' }, "unknown argument 'tag'; its arguments: image, platform"],
    ['audit_image', { image: 'Bad Name' }, "'image' '"],
    ['audit_image', { image: 'nginx', platform: 'amd64' }, "'platform' must look like os/arch"],
    ['clean_up_tags', { namespace: 'acme', repository: 'app', keep: '-1' }, "'keep' must be a whole number from 0 to 10000"],
    ['clean_up_tags', { namespace: 'acme', repository: 'app', pattern: '(' }, "'pattern' is not a valid regular expression"],
    ['clean_up_tags', { namespace: 'Acme/x', repository: 'app' }, "'namespace' must be a Docker Hub namespace"],
    ['pin_digests', { images: Array.from({ length: PIN_MAX + 1 }, (_, i) => `img${i}`).join(',') }, `at most ${PIN_MAX} at a time`],
    ['pin_digests', { images: 'nginx, bad@sha256:12' }, "'images[1]' is not a valid digest"],
    ['mirror_image', { source: 'nginx', target: 'docker.io/library/nginx:latest' }, "'target' names the source image itself"],
    ['mirror_image', { source: 'nginx', target: 'x/y', referrers: 'maybe' }, "'referrers' must be true or false"],
  ])('%s %j → %s', (name, args, message) => {
    expect(() => checkArguments(prompt(name), args, config)).toThrow(message);
  });

  it('drops optional arguments sent empty (clients send "" for a field left blank) and trims values', () => {
    expect(checkArguments(prompt('audit_image'), { image: ' nginx:1.27 ', platform: '' }, config)).toEqual({ image: 'nginx:1.27' });
  });
});

describe('prompts over MCP', () => {
  let session: InProcessSession | undefined;
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  it('prompts/list shows typed arguments; prompts/get answers a bad argument with -32602 and the reason', async () => {
    session = await connectInProcess(testApp(testConfig({ DOCKERHUB_READ_ONLY: 'true' })));
    const { prompts } = await session.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['audit_image', 'pin_digests', 'explain_rate_limit']);
    expect(prompts[0]!.arguments).toEqual([
      { name: 'image', description: expect.stringContaining('[host/]name') as string, required: true },
      { name: 'platform', description: expect.stringContaining('os/arch') as string, required: false },
    ]);
    const got = await session.client.getPrompt({ name: 'pin_digests', arguments: { images: 'nginx:1.27' } });
    expect(got.messages[0]).toMatchObject({ role: 'user', content: { type: 'text' } });
    const error = await session.client.getPrompt({ name: 'audit_image', arguments: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
    // One "MCP error" prefix (the client's), then the reason.
    expect((error as McpError).message).toMatch(/^MCP error -32602: prompt audit_image: missing required argument 'image'/);
    // A prompt hidden by read-only mode is unknown here, not half-served.
    const hidden = await session.client
      .getPrompt({ name: 'clean_up_tags', arguments: { namespace: 'acme', repository: 'app' } })
      .catch((e: unknown) => e);
    expect((hidden as McpError).code).toBe(ErrorCode.InvalidParams);
    expect((hidden as McpError).message).toContain('available: audit_image, pin_digests, explain_rate_limit');
  });
});
