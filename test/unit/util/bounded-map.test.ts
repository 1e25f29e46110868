// State keyed by what a tool argument chooses stays bounded: the map itself, and the per-origin
// state of the registry client after a caller names 300 registries.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../../src/util/bounded-map.js';
import { callRegistry, registryApp, useRegistryMsw } from '../../helpers/unit-registry/fake-registry.js';

const msw = useRegistryMsw();

describe('BoundedMap', () => {
  it('keeps the most recently used entries up to its bound', () => {
    const map = new BoundedMap<string, number>(3);
    for (const key of ['a', 'b', 'c']) map.set(key, 1);
    expect(map.get('a')).toBe(1); // a is now the most recent
    map.set('d', 1);
    expect([...map.keys()]).toEqual(['c', 'a', 'd']);
    map.set('c', 2); // an update refreshes too
    map.set('e', 1);
    expect([...map.keys()]).toEqual(['d', 'c', 'e']);
    expect(map.get('missing')).toBeUndefined();
  });
});

describe('per-registry state', () => {
  it('stays at 256 origins however many registries calls name', async () => {
    msw.server.use(http.get(/^https:\/\/r\d+\.example\.test\/v2\/$/, () => HttpResponse.json({})));
    const app = registryApp();
    for (let i = 0; i < 300; i++) {
      const result = await callRegistry(app, { action: 'api_version', registry: `r${i}.example.test` });
      expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
    }
    const bases = (app.registry.transport as unknown as { bases: Map<string, unknown> }).bases;
    expect(bases.size).toBe(256);
    expect(Object.keys(app.rateLimits.all()).length).toBeLessThanOrEqual(256);
    // An evicted origin is rebuilt on the next call.
    expect((await callRegistry(app, { action: 'api_version', registry: 'r0.example.test' })).isError).toBeFalsy();
  });
});
