// Every Hub route the server sends is checked against Docker's OpenAPI for Hub (hub-api.yaml):
// the method and path exist, each query parameter and body field it sends is in that operation,
// SCIM routes use the SCIM bearer and media type. The spec is read from ../shared/specs at test
// time (it is not part of this project); where that folder is absent the suite says why and skips.
// Routes Docker documents elsewhere (offSpec) must say where, and must not silently appear in the spec.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { pathParams, type BodyMap, type Route } from '../../src/hub/route.js';
import { HUB_ROUTE_TABLES } from '../../src/hub/routes/index.js';

const SPEC_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/specs/hub-api.yaml');
const present = existsSync(SPEC_PATH);
if (!present) console.log(`hub-api contract: skipped, ${SPEC_PATH} is not present (the shared specs folder is outside this checkout)`);

const load = (text: string): unknown => parseYaml(text, { maxAliasCount: -1 });

type Json = Record<string, unknown>;
interface Operation {
  parameters?: Json[];
  requestBody?: Json;
  security?: Json[];
}

const routes: { label: string; r: Route }[] = Object.entries(HUB_ROUTE_TABLES).flatMap(([tool, table]) =>
  Object.entries(table).map(([action, r]) => ({ label: `${tool}.${action}`, r })),
);

describe.skipIf(!present)('Hub routes against hub-api.yaml', () => {
  let spec: Json | undefined;
  const doc = (): Json => (spec ??= load(readFileSync(SPEC_PATH, 'utf8')) as Json);

  const deref = (value: unknown, depth = 0): Json => {
    const node = (value ?? {}) as Json;
    if (typeof node.$ref === 'string' && depth < 10) {
      let target: unknown = doc();
      for (const key of node.$ref.replace(/^#\//, '').split('/')) target = (target as Json | undefined)?.[key];
      return deref(target, depth + 1);
    }
    return node;
  };

  /** Properties of a schema, through $ref and allOf. */
  const propertiesOf = (schema: unknown): Json => {
    const node = deref(schema);
    const own = (node.properties ?? {}) as Json;
    const merged = Array.isArray(node.allOf) ? Object.assign({}, ...node.allOf.map((part) => propertiesOf(part))) : {};
    return { ...(merged as Json), ...own };
  };

  const normalise = (path: string): string => path.replace(/\{[^}]+\}/g, '{}');

  const findOperation = (r: Route): { path: string; op: Operation; pathItem: Json } | undefined => {
    const paths = doc().paths as Json;
    for (const [path, item] of Object.entries(paths)) {
      if (normalise(path) !== normalise(r.path)) continue;
      const op = (item as Json)[r.method.toLowerCase()] as Operation | undefined;
      if (op) return { path, op, pathItem: item as Json };
    }
    return undefined;
  };

  const checkBody = (map: BodyMap, schema: unknown, where: string, problems: string[]): void => {
    const properties = propertiesOf(schema);
    for (const [field, value] of Object.entries(map)) {
      if (!(field in properties)) {
        problems.push(`${where}: body field '${field}' is not in the request schema (has: ${Object.keys(properties).join(', ')})`);
        continue;
      }
      if (typeof value === 'object' && 'fields' in value) checkBody(value.fields, properties[field], `${where}.${field}`, problems);
    }
  };

  it('covers the reference’s 56 Hub actions plus the new ones', () => {
    expect(routes.length).toBeGreaterThanOrEqual(61);
  });

  for (const { label, r } of routes) {
    if (r.offSpec) {
      it(`${label}: ${r.method} ${r.path} is outside the spec and says where it comes from`, () => {
        expect(r.offSpec!.length).toBeGreaterThan(5);
        expect(findOperation(r), `${label} is now in hub-api.yaml: drop offSpec and check it against the spec`).toBeUndefined();
      });
      continue;
    }
    it(`${label}: ${r.method} ${r.path} matches the spec`, () => {
      const found = findOperation(r);
      expect(found, `${r.method} ${r.path} is not in hub-api.yaml`).toBeDefined();
      const { op, pathItem } = found!;
      const problems: string[] = [];

      // Path parameters: one route parameter per placeholder, in the same places.
      expect(pathParams(r.path).length).toBe((found!.path.match(/\{/g) ?? []).length);
      for (const name of pathParams(r.path)) expect(Object.keys(r.params), `${label} declares path parameter ${name}`).toContain(name);

      // Query: every upstream name sent is a declared parameter (or named as off-spec).
      const declared = new Set(
        [...((pathItem.parameters as Json[] | undefined) ?? []), ...(op.parameters ?? [])]
          .map((p) => deref(p))
          .filter((p) => p.in === 'query')
          .map((p) => String(p.name)),
      );
      const sent = [...Object.values(r.query ?? {}), ...Object.keys(r.queryConst ?? {})];
      if (r.paging?.mode === 'next' || r.paging?.mode === 'page') sent.push('page', 'page_size');
      if (r.paging?.mode === 'scim') sent.push('startIndex', 'count');
      for (const name of sent) {
        if (!declared.has(name) && !r.offSpecQuery?.includes(name))
          problems.push(`${label}: query '${name}' is not a parameter of the operation (has: ${[...declared].join(', ')})`);
      }
      for (const name of r.offSpecQuery ?? [])
        expect(declared.has(name), `${label}: '${name}' is now in the spec; drop it from offSpecQuery`).toBe(false);

      // Body: every field sent is in the request schema; a required body is sent.
      const content = (deref(op.requestBody).content ?? {}) as Json;
      if (r.body) {
        const media = Object.keys(content);
        expect(media.length, `${label} sends a body the operation does not take`).toBeGreaterThan(0);
        if (r.upstream === 'scim') expect(media).toContain('application/scim+json');
        checkBody(r.body, (content[media[0]!] as Json).schema, label, problems);
        const required = (deref((content[media[0]!] as Json).schema).required ?? []) as string[];
        for (const field of required) if (!(field in r.body)) problems.push(`${label}: required body field '${field}' is never sent`);
      } else if (deref(op.requestBody).required === true) {
        problems.push(`${label}: the operation requires a body`);
      }

      // Auth: SCIM routes use bearerSCIMAuth, the others bearerAuth (or none for token minting).
      const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
      if (r.upstream === 'scim') expect(schemes).toEqual(['bearerSCIMAuth']);
      else expect(schemes).not.toContain('bearerSCIMAuth');
      if (r.upstream === 'public' && r.method === 'POST') expect(op.security).toEqual([]);

      expect(problems).toEqual([]);
    });
  }

  it('every destructive route is a DELETE or a settings write, and no GET/HEAD route writes', () => {
    for (const { label, r } of routes) {
      if (r.destructive) expect(['DELETE', 'PUT'], label).toContain(r.method);
      if (r.method === 'GET' || r.method === 'HEAD') expect(r.write === true || r.destructive === true, label).toBe(false);
      if (
        r.method !== 'GET' &&
        r.method !== 'HEAD' &&
        !['create_token', 'login', 'two_factor_login', 'verify_immutable_tags'].includes(label.split('.')[1]!)
      ) {
        expect(r.write === true || r.destructive === true, `${label} changes data and is flagged`).toBe(true);
      }
    }
  });
});
