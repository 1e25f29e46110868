// A guard: every hub_registry and hub_scout action is called by name in at least one test under
// unit/, integration/ or e2e/ (hub-actions.test.ts does the same for the Hub tools through its
// case table). A new action without a test fails here, naming it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allTools } from '../../../src/tools/catalog.js';

const TEST_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'helpers' || name === '__toolsnaps__' ? [] : testFiles(path);
    return name.endsWith('.test.ts') && path !== fileURLToPath(import.meta.url) ? [path] : [];
  });
}

describe('every registry and Scout action has a test that calls it', () => {
  const corpus = ['unit', 'integration', 'e2e'].flatMap((ring) => testFiles(join(TEST_ROOT, ring))).map((f) => readFileSync(f, 'utf8'));
  const called = (action: string): boolean =>
    corpus.some((text) => text.includes(`action: '${action}'`) || text.includes(`action: "${action}"`));

  for (const tool of allTools().filter((t) => t.name === 'hub_registry' || t.name === 'hub_scout')) {
    it(`${tool.name}: no action without a test`, () => {
      const untested = Object.keys(tool.actions).filter((action) => !called(action));
      expect(untested).toEqual([]);
    });
  }
});
