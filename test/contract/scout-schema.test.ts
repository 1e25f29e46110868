// Every Scout query document the server sends validates against Docker's Scout GraphQL schema.
// The schema is read from ../shared/specs at test time (it is not part of this project); where
// that folder is absent the suite says why and skips.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, Kind, NoDeprecatedCustomRule, parse, validate, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SCOUT_QUERIES } from '../../src/scout/queries.js';

const SCHEMA_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/specs/scout-schema.graphql');
const present = existsSync(SCHEMA_PATH);
if (!present)
  console.log(`scout-schema contract: skipped, ${SCHEMA_PATH} is not present (the shared specs folder is outside this checkout)`);

describe.skipIf(!present)('Scout query documents against scout-schema.graphql', () => {
  let schema: GraphQLSchema | undefined;
  const load = (): GraphQLSchema => (schema ??= buildSchema(readFileSync(SCHEMA_PATH, 'utf8')));

  it('has distinct operation names', () => {
    const names = SCOUT_QUERIES.map((q) => q.name);
    expect(new Set(names).size).toBe(names.length);
  });

  for (const doc of SCOUT_QUERIES) {
    it(`${doc.name} is a valid query named ${doc.name}`, () => {
      const ast = parse(doc.document);
      const operations = ast.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
      expect(operations).toHaveLength(1);
      expect(operations[0]!.operation).toBe('query');
      expect(operations[0]!.name?.value).toBe(doc.name);
      const errors = validate(load(), ast).map((e) => e.message);
      expect(errors).toEqual([]);
    });
  }

  it('selects no deprecated field', () => {
    // graphql-js reports deprecated fields only through a dedicated rule.
    const deprecated: string[] = [];
    for (const doc of SCOUT_QUERIES) {
      const ast = parse(doc.document);
      for (const error of validate(load(), ast, [NoDeprecatedCustomRule])) deprecated.push(`${doc.name}: ${error.message}`);
    }
    expect(deprecated).toEqual([]);
  });
});
