// The README's tables are generated from the code; these tests fail when they drift, and check
// that every setting, flag and tool the code knows is documented.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../../src/config-spec.js';
import { renderReadme } from '../../../src/docs/tables.js';
import { allTools } from '../../../src/tools/catalog.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('has the tables `npm run docs` generates from the code (run it after changing settings or tools)', () => {
    expect(renderReadme(readme)).toBe(readme);
  });

  it('documents every environment variable and flag', () => {
    for (const setting of SETTINGS) {
      for (const name of setting.env) expect(readme).toContain(`\`${name}\``);
      if (setting.flag) expect(readme).toContain(`\`--${setting.flag}\``);
    }
  });

  it('documents every served tool and action', () => {
    for (const tool of allTools()) {
      for (const action of Object.keys(tool.actions)) expect(readme).toContain(`| \`${tool.name}\` | \`${action}\` |`);
    }
  });

  it('starts with the two quick-start commands', () => {
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Connect a client'));
    expect(quickStart).toContain('npm ci && npm start');
    expect(quickStart).toContain('npm test');
  });
});
