// outputSchema: every tool advertises the result envelope, and a client that validates results
// against it (the MCP SDK's Client does, errors included) accepts what the server sends. The
// helpers in test/helpers (hub-harness, registry-tool, scout-fixtures, image/call, fake-registry)
// hold every result of the suite to the same schema through test/helpers/output-check.ts.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it } from 'vitest';
import { createMcpServer } from '../../../src/server/create-server.js';
import { RunningCalls } from '../../../src/server/running-calls.js';
import { buildTools } from '../../../src/tools/catalog.js';
import { describeTool } from '../../../src/tools/framework.js';
import { OUTPUT_SCHEMA } from '../../../src/tools/output-schema.js';
import { call, hubApp, useHub } from '../../helpers/unit/hub-harness.js';
import { testConfig } from '../../helpers/unit/app.js';
import { outputChecks, outputMismatch } from '../../helpers/output-check.js';

describe('outputSchema', () => {
  const hub = useHub();

  it('every tool advertises the envelope schema in every configuration', () => {
    const envs: Record<string, string>[] = [{}, { DOCKERHUB_READ_ONLY: 'true' }, { DOCKERHUB_ALLOW_DESTRUCTIVE: 'true' }];
    for (const env of envs) {
      const config = testConfig(env);
      for (const tool of buildTools(config.enabledTools)) {
        const definition = describeTool(tool, config);
        if (definition) expect(definition.outputSchema, tool.name).toEqual(OUTPUT_SCHEMA);
      }
    }
  });

  it('leaves data open and admits an error result; refuses a wrong envelope', () => {
    expect(outputMismatch({ status_code: 200, data: { anything: [1, { new_field: true }] }, rate_limit: null })).toBeUndefined();
    expect(outputMismatch({ status_code: 200, data: ['a'], rate_limit: { limit: 100 }, truncated: true, next: 2 })).toBeUndefined();
    expect(outputMismatch({ error: { type: 'not_found', message: 'gone' } })).toBeUndefined();
    expect(outputMismatch({ status_code: '200', data: null })).toBeDefined();
    expect(outputMismatch({ status_code: 200, data: null, truncated: 'yes' })).toBeDefined();
  });

  it('the helpers check the results they return', async () => {
    const before = outputChecks.count;
    hub.answer('GET', '/v2/namespaces/acme/repositories', { count: 0, next: null, results: [] });
    await call(hubApp(), 'hub_repos', { action: 'list', namespace: 'acme' });
    expect(outputChecks.count).toBe(before + 1);
  });

  it('the SDK Client, which validates structuredContent against it, takes successes and isError results', async () => {
    const app = hubApp();
    const server = createMcpServer(app, new RunningCalls());
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'output-schema-test', version: '1' });
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    try {
      const listed = await client.listTools();
      expect(listed.tools.every((tool) => tool.outputSchema !== undefined)).toBe(true);
      hub.answer('GET', '/v2/namespaces/acme/repositories', { count: 1, next: null, results: [{ name: 'app', extra: { x: 1 } }] });
      const ok = await client.callTool({ name: 'hub_repos', arguments: { action: 'list', namespace: 'acme' } });
      expect(ok.isError).toBeFalsy();
      expect((ok.structuredContent as { status_code: number }).status_code).toBe(200);
      const failed = await client.callTool({ name: 'hub_repos', arguments: { action: 'no_such_action' } });
      expect(failed.isError).toBe(true);
      expect((failed.structuredContent as { error: { type: string } }).error.type).toBe('unknown_action');
    } finally {
      await client.close();
      await server.close();
    }
  });
});
