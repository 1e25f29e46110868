// The architecture as a test: arrows point down, never up. Every `import`/`export … from` line in
// src/ is read and its target ranked; a module may import its own rank or below, never above.
// tools → (hub | registry | scout | image) → auth → http → (log, redact, config, util)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');
const MAX_LINES = 400;

/** Rank of a module by its path under src/ (first folder, or the file for top-level modules). */
function rankOf(path: string): number {
  const [first = '', second] = path.split('/');
  const top = second === undefined ? first.replace(/\.ts$/, '') : first;
  const ranks: Record<string, number> = {
    main: 7,
    server: 6,
    docs: 6,
    tools: 5,
    prompts: 5,
    resources: 5,
    context: 4,
    hub: 3,
    registry: 3,
    scout: 3,
    image: 3,
    auth: 2,
    http: 1,
    log: 0,
    redact: 0,
    config: 0,
    'config-spec': 0,
    version: 0,
    util: 0,
  };
  const rank = ranks[top];
  if (rank === undefined) throw new Error(`src/${path}: unranked module; add its folder to the architecture test`);
  return rank;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g;

describe('src/ layering', () => {
  const files = sources(SRC).map((path) => relative(SRC, path));

  it('no module imports a folder above it', () => {
    const upward: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(SRC, file), 'utf8');
      for (const match of text.matchAll(IMPORT)) {
        const spec = match[1] ?? match[2]!;
        const target = relative(SRC, resolve(SRC, dirname(file), spec)).replace(/\.js$/, '.ts');
        if (rankOf(target) > rankOf(file)) upward.push(`${file} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it(`no file is over ${MAX_LINES} lines`, () => {
    const long = files
      .map((file) => ({ file, lines: readFileSync(join(SRC, file), 'utf8').split('\n').length }))
      .filter((entry) => entry.lines > MAX_LINES)
      .map((entry) => `${entry.file}: ${entry.lines}`);
    expect(long).toEqual([]);
  });

  it('the check itself sees an upward import (so a pass means something)', () => {
    expect(rankOf('http/client.ts')).toBeLessThan(rankOf('registry/client.ts'));
    const sample = "import { x } from '../registry/reference.js';\nconst y = import('../tools/catalog.js');";
    expect([...sample.matchAll(IMPORT)].map((m) => m[1] ?? m[2])).toEqual(['../registry/reference.js', '../tools/catalog.js']);
  });
});
