// The stdio front door answers initialize itself only for params the SDK would accept too (else
// its answer would hide the SDK's error), with the SDK's own negotiation; and its tools/list text
// is JSON.stringify of the entries the full server would serve. The byte-for-byte comparison with
// the built server is test/e2e/stdio-front.test.ts; this checks the rules over many shapes.
import { InitializeRequestSchema, LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../src/config.js';
import { settingsKey } from '../../../src/server/definition-key.js';
import { frontAnswers, type FrontData } from '../../../src/server/front-answers.js';
import { definitionSets } from '../../../src/server/tool-definitions.js';

function config(env: Record<string, string> = {}, argv: string[] = []): Config {
  const outcome = loadConfig({ argv, env });
  if (outcome.kind !== 'config') throw new Error('no config');
  return outcome.config;
}

const SETS = definitionSets();
function data(cfg: Config): FrontData {
  const set = SETS[settingsKey(cfg)] ?? {};
  return {
    definitions: Object.fromEntries(Object.entries(set).map(([name, definition]) => [name, JSON.stringify(definition)])),
    protocol: { latest: LATEST_PROTOCOL_VERSION, supported: SUPPORTED_PROTOCOL_VERSIONS },
  };
}

const DEFAULT = config();
const answers = frontAnswers(DEFAULT, '9.9.9', data(DEFAULT))!;

/** Shapes clients send and shapes they should not: nested values of every JSON type. */
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 8 }),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('object'),
  ),
  object: fc.dictionary(
    fc.oneof(
      fc.constantFrom('experimental', 'sampling', 'elicitation', 'roots', 'extensions', 'tasks', 'listChanged', 'form', 'url', 'context'),
      fc.string({ maxLength: 6 }),
    ),
    tie('value'),
    { maxKeys: 4 },
  ),
})).value;

/** Capability records as clients send them, with some wrong types mixed in. */
const subRecords = fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.constant({}), json), { maxKeys: 2 });
const capabilities = fc.oneof(
  json,
  fc.record(
    {
      experimental: subRecords,
      sampling: fc.oneof(fc.constant({}), subRecords),
      elicitation: fc.oneof(fc.constant({}), subRecords),
      roots: fc.oneof(fc.record({ listChanged: fc.oneof(fc.boolean(), json) }, { requiredKeys: [] }), json),
      extensions: subRecords,
    },
    { requiredKeys: [] },
  ),
);

const clientInfo = fc.oneof(
  fc.record({ name: fc.string({ maxLength: 8 }), version: fc.string({ maxLength: 8 }) }),
  fc.record({ name: fc.string(), version: fc.string(), title: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: ['name'] }),
  json,
);

const params = fc.oneof(
  fc.record({ protocolVersion: fc.constantFrom(...SUPPORTED_PROTOCOL_VERSIONS, '1999-01-01'), capabilities, clientInfo }),
  fc.record({ protocolVersion: fc.oneof(fc.string(), fc.integer()), capabilities: json, clientInfo, _meta: json }, { requiredKeys: [] }),
  json,
);

describe('the front door initialize', () => {
  it('answers only params the SDK accepts, and answers them as the SDK does', () => {
    let answered = 0;
    fc.assert(
      fc.property(params, (candidate) => {
        const text = answers.initialize(candidate);
        if (text === undefined) return;
        answered++;
        const sdk = InitializeRequestSchema.safeParse({ method: 'initialize', params: candidate });
        expect(sdk.success, JSON.stringify(candidate)).toBe(true);
        const requested = (candidate as { protocolVersion: string }).protocolVersion;
        const expected = SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
        expect((JSON.parse(text) as { protocolVersion: string }).protocolVersion).toBe(expected);
      }),
      { numRuns: 5000 },
    );
    // The property says something only if the front door answered a fair share of the cases.
    expect(answered).toBeGreaterThan(50);
  });

  it('answers what real clients send', () => {
    for (const capabilities of [
      {},
      { elicitation: {} },
      { roots: { listChanged: true }, sampling: {} },
      { elicitation: { form: {}, url: {} } },
    ]) {
      const text = answers.initialize({ protocolVersion: '2025-06-18', capabilities, clientInfo: { name: 'claude-ai', version: '0.1.0' } });
      expect(JSON.parse(text ?? 'null')).toMatchObject({
        protocolVersion: '2025-06-18',
        serverInfo: { name: 'dockerhub-mcp', title: 'Docker Hub MCP', version: '9.9.9' },
        capabilities: { tools: { listChanged: false }, prompts: {}, resources: {}, completions: {}, logging: {} },
      });
    }
  });

  it('leaves params it does not vouch for to the SDK', () => {
    for (const odd of [
      undefined,
      [],
      { protocolVersion: 1 },
      { protocolVersion: 'x', capabilities: { tasks: {} }, clientInfo: { name: 'a', version: '1' } },
    ]) {
      expect(answers.initialize(odd)).toBeUndefined();
    }
  });
});

describe('the front door tools/list', () => {
  const listed = (cfg: Config): string[] =>
    (JSON.parse(frontAnswers(cfg, '1', data(cfg))!.toolsList(undefined)!) as { tools: { name: string }[] }).tools.map((tool) => tool.name);

  it('lists the enabled, available tools in catalog order, each entry as built', () => {
    expect(listed(DEFAULT)).toEqual([
      'hub_auth',
      'hub_repos',
      'hub_org',
      'hub_teams',
      'hub_audit',
      'hub_admin',
      'hub_registry',
      'hub_scout',
    ]);
    expect(listed(config({ DOCKERHUB_SCIM_TOKEN: 'scim' }))).toContain('hub_scim');
    expect(listed(config({}, ['--tools', 'hub_scout,hub_auth']))).toEqual(['hub_auth', 'hub_scout']);
    const text = frontAnswers(DEFAULT, '1', data(DEFAULT))!.toolsList(undefined)!;
    const set = SETS[settingsKey(DEFAULT)]!;
    expect(text).toBe(JSON.stringify({ tools: listed(DEFAULT).map((name) => set[name]) }));
  });

  it('takes a cursor or _meta, and leaves other params to the SDK', () => {
    expect(answers.toolsList({ cursor: 'abc', _meta: { progressToken: 1 } })).toBeDefined();
    expect(answers.toolsList({ cursor: 5 })).toBeUndefined();
    expect(answers.toolsList('x')).toBeUndefined();
  });

  it('has nothing to answer with where the build-time data is missing', () => {
    expect(frontAnswers(DEFAULT, '1', { definitions: undefined, protocol: data(DEFAULT).protocol })).toBeUndefined();
    expect(frontAnswers(DEFAULT, '1')).toBeUndefined(); // tsc's output: no prebuilt data
  });
});
