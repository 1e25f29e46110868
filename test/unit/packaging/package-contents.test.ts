// The npm package ships only what runs: the bundle (dist/main.cjs and its chunks, every dependency
// inlined), the bundled packages' license notices, README, LICENSE and mcp_config.json. Read from
// `npm pack --dry-run --json`, the list npm itself would publish, so a `files` entry or a stray
// build output cannot slip in unnoticed. Needs the build (`npm test` runs it first).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  bin: Record<string, string>;
  files: string[];
  engines: { node: string };
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies: Record<string, string>;
  mcpName?: string;
};

interface PackReport {
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string; size: number }[];
}

const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^mcp_config\.json$/,
  /^dist\/main\.cjs$/,
  /^dist\/THIRD_PARTY_LICENSES\.txt$/,
  /^dist\/chunks\/[\w-]+\.js$/,
  // The build-time tools/list entries, one file per setting combination (read by the front).
  /^dist\/chunks\/tool-definitions-\d\.json$/,
];

const isBuiltin = (spec: string): boolean => spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!);

/**
 * What the shipped entry reaches: esbuild parses it (comments and strings are not imports) and
 * follows every relative import; bare specifiers other than Node built-ins are collected, not
 * resolved, since an installed package has no node_modules of its own to find them in.
 */
async function reach(entry: string): Promise<{ files: string[]; bare: string[] }> {
  const bare = new Set<string>();
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    splitting: true,
    format: 'esm',
    outdir: join(ROOT, '.packaging-scan'),
    platform: 'node',
    logLevel: 'silent',
    plugins: [
      {
        name: 'collect-bare',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            if (!isBuiltin(args.path)) bare.add(args.path);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  const files = Object.keys(result.metafile.inputs).map((path) => relative(ROOT, resolve(ROOT, path)).split(sep).join('/'));
  return { files: files.sort(), bare: [...bare].sort() };
}

describe('the npm package', () => {
  let report: PackReport;
  let paths: string[];

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/main.cjs'))) throw new Error('dist/main.cjs is missing: run `npm run build` first');
    // --ignore-scripts: prepack would rebuild; the build under test is the one already made.
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    report = (JSON.parse(out) as PackReport[])[0]!;
    paths = report.files.map((file) => file.path).sort();
    console.log(
      `[package] ${report.entryCount} files, ${(report.size / 1e6).toFixed(2)} MB packed, ${(report.unpackedSize / 1e6).toFixed(2)} MB unpacked`,
    );
  });

  it('holds the bundle, its license notices, README, LICENSE and mcp_config.json, nothing else', () => {
    expect(paths.filter((path) => !ALLOWED.some((pattern) => pattern.test(path)))).toEqual([]);
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'dist/main.cjs', 'dist/THIRD_PARTY_LICENSES.txt']) {
      expect(paths).toContain(needed);
    }
    expect(paths.some((path) => path.startsWith('dist/chunks/'))).toBe(true);
  });

  it('ships no source map and no source', () => {
    expect(paths.filter((path) => path.endsWith('.map') || path.endsWith('.ts') || path.startsWith('src/'))).toEqual([]);
    for (const path of paths.filter((p) => p.endsWith('.js'))) {
      expect(readFileSync(join(ROOT, path), 'utf8'), path).not.toContain('sourceMappingURL');
    }
  });

  it('is self-contained: the shipped code imports only Node built-ins and its own shipped files', async () => {
    const { files, bare } = await reach(join(ROOT, 'dist/main.cjs'));
    expect(bare).toEqual([]);
    expect(files.filter((path) => !paths.includes(path))).toEqual([]);
    // Every chunk is reached from the entry (a chunk nobody loads would be dead weight).
    expect(paths.filter((path) => path.startsWith('dist/chunks/') && path.endsWith('.js') && !files.includes(path))).toEqual([]);
  });

  it('the reach scan sees a package import and the files behind relative ones (so a pass means something)', async () => {
    // The unbundled tsc output of the server factory imports the SDK and a sibling module.
    const { files, bare } = await reach(join(ROOT, 'dist/server/create-server.js'));
    expect(bare).toContain('@modelcontextprotocol/sdk/server/index.js');
    expect(files).toContain('dist/server/identity.js');
    expect(isBuiltin('node:fs')).toBe(true);
  });

  it('declares no runtime dependencies and no install scripts', () => {
    expect(PKG.dependencies ?? {}).toEqual({});
    expect(PKG.optionalDependencies ?? {}).toEqual({});
    expect(PKG.peerDependencies ?? {}).toEqual({});
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(PKG.scripts[hook], hook).toBeUndefined();
  });

  it('bin and main name the shipped bundle, which starts with a node shebang', () => {
    expect(PKG.main).toBe('dist/main.cjs');
    expect(Object.values(PKG.bin)).toEqual(['dist/main.cjs']);
    expect(readFileSync(join(ROOT, 'dist/main.cjs'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('carries the license notice of every package the bundle inlines', () => {
    const notices = readFileSync(join(ROOT, 'dist/THIRD_PARTY_LICENSES.txt'), 'utf8');
    for (const name of ['@modelcontextprotocol/sdk', 'zod', 'undici', 'jose', 'dotenv', 'fzstd']) {
      expect(notices).toContain(`\n${name}@${readInstalledVersion(name)} (`);
    }
  });

  it('names the MCP Registry server in mcpName (the registry checks npm ownership by it)', () => {
    expect(PKG.mcpName).toMatch(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/);
  });
});

function readInstalledVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}
