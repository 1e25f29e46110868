// Tool-schema snapshots: what tools/list shows for every tool in three configurations (default,
// read-only, destructive enabled), one JSON file per tool and configuration under
// test/__toolsnaps__/. A schema change fails here until it is reviewed and accepted with
// `UPDATE_TOOLSNAPS=1 npx vitest run test/unit/tools/toolsnaps.test.ts`. The whole tools/list
// stays within a byte budget in every configuration: it is paid for in every model context.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildTools } from '../../../src/tools/catalog.js';
import { describeTool } from '../../../src/tools/framework.js';
import { testConfig } from '../../helpers/unit/app.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../__toolsnaps__');
const UPDATE = process.env.UPDATE_TOOLSNAPS === '1';
/**
 * Bytes of the whole tools/list `tools` array (outputSchema included), per configuration: issue
 * 13's goals, 14,336 by default and 16,384 with destructive actions enabled (read-only is held to
 * the default's). `scim` (destructive enabled and a SCIM token, so hub_scim is listed too) is held
 * to what it serves today, so any growth is a reviewed change; bench/server.bench.test.ts reports
 * the distance to Docker's hub-mcp.
 */
const BUDGET_BYTES: Record<string, number> = { default: 14_336, 'read-only': 14_336, destructive: 16_384, scim: 18_400 };

const CONFIGURATIONS: Record<string, Record<string, string>> = {
  default: {},
  'read-only': { DOCKERHUB_READ_ONLY: 'true' },
  destructive: { DOCKERHUB_ALLOW_DESTRUCTIVE: 'true' },
  // hub_scim is listed only with its SCIM token: everything at once.
  scim: { DOCKERHUB_ALLOW_DESTRUCTIVE: 'true', DOCKERHUB_SCIM_TOKEN: 'scim-test-token' },
};

for (const [name, env] of Object.entries(CONFIGURATIONS)) {
  describe(`tools/list, ${name} configuration`, () => {
    const config = testConfig(env);
    const definitions = buildTools(config.enabledTools)
      .map((tool) => describeTool(tool, config))
      .filter((definition) => definition !== undefined);
    const dir = join(ROOT, name);

    it.each(definitions.map((d) => [d.name, d] as const))('%s matches its snapshot', (tool, definition) => {
      const file = join(dir, `${tool}.json`);
      const text = `${JSON.stringify(definition, null, 2)}\n`;
      if (UPDATE || !existsSync(file)) {
        if (!UPDATE && process.env.CI) throw new Error(`${file} is missing: run with UPDATE_TOOLSNAPS=1 and commit it`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, text);
      }
      expect(text, `${tool} (${name}) changed: review, then accept with UPDATE_TOOLSNAPS=1`).toBe(readFileSync(file, 'utf8'));
    });

    it('has no snapshot for a tool it does not serve', () => {
      const served = new Set(definitions.map((d) => `${d.name}.json`));
      const stale = existsSync(dir) ? readdirSync(dir).filter((file) => !served.has(file)) : [];
      expect(stale).toEqual([]);
    });

    it(`stays within ${BUDGET_BYTES[name]} bytes`, () => {
      const bytes = Buffer.byteLength(JSON.stringify(definitions));
      console.log(`tools/list (${name}): ${definitions.length} tools, ${bytes} bytes`);
      expect(bytes).toBeLessThanOrEqual(BUDGET_BYTES[name]!);
    });
  });
}
