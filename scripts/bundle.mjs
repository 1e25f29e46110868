// Bundles the compiled server (dist/main.js and everything it imports, every npm dependency
// included) into what the package and the image ship: dist/chunks/ (the server is
// dist/chunks/server.js) behind a small launcher, dist/main.js. One file to
// load instead of ~400 modules to resolve halves the cold start (spawn to first tools/list).
// Code splitting keeps the lazily imported parts lazy: undici (~1 MB, loaded on the first upstream
// request) and the HTTP transport stack (never loaded in stdio mode) are chunks of their own.
//
// Whitespace and syntax are minified (2.9 → 2.1 MB: less for V8 to parse at every start) but
// identifiers are not, so a stack trace still names readable functions (its line numbers say
// little). No source map ships: a map would either embed all the sources (~3 MB) or point at a
// src/ that is not in the package. The licenses of the bundled packages go to
// dist/THIRD_PARTY_LICENSES.txt, which ships beside the bundle.
//
// tsc still emits dist/**/*.js (scripts/gen-readme.mjs and gen-catalog.mjs import dist/docs/);
// they are not part of the package (package.json `files`).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// Outputs of an earlier bundle (chunk names carry content hashes) and tsc's map of main.js, which
// would describe the unbundled file, not the bundle written over it.
for (const stale of ['chunks', 'main.js.map', 'main.js.LEGAL.txt', 'THIRD_PARTY_LICENSES.txt']) {
  rmSync(join(dist, stale), { recursive: true, force: true });
}

// version.ts reads ../package.json relative to its own module at run time, which from a chunk in
// dist/chunks/ would be the wrong folder: the bundle carries the version as a constant instead.
const inlineVersion = {
  name: 'inline-version',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]version\.js$/ }, () => ({
      contents: `export const VERSION = ${JSON.stringify(pkg.version)};\n`,
      loader: 'js',
    }));
  },
};

// The tools/list entries of every tool under each setting they depend on, computed now by the
// same code the server would run (tsc's dist/server/tool-definitions.js) and embedded in place of
// the empty prebuilt-definitions module: a starting process looks its entries up instead of
// generating JSON Schemas from zod (the largest piece of start-up work). JSON.parse of one string
// is quicker for V8 than an object literal of the same size.
const { definitionSets } = await import(pathToFileURL(join(dist, 'server', 'tool-definitions.js')).href);
let prebuiltEmbedded = false;
const prebuiltDefinitions = {
  name: 'prebuilt-definitions',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]server[\\/]prebuilt-definitions\.js$/ }, () => {
      prebuiltEmbedded = true;
      const json = JSON.stringify(definitionSets());
      return { contents: `export const PREBUILT_DEFINITIONS = JSON.parse(${JSON.stringify(json)});\n`, loader: 'js' };
    });
  },
};

// The SDK's Server builds an Ajv instance (with ajv-formats) in its constructor, for one use:
// checking an elicitation answer against the schema asked for. Loading and setting up Ajv was a
// tenth of start-up; this stands a lazy class in for the SDK's AjvJsonSchemaValidator that
// builds the SDK's own validator on the first getValidator() call. esbuild turns the require()
// of the bundled module into a call that evaluates Ajv only then.
let lazyAjvUsed = false;
const lazyAjvValidator = {
  name: 'lazy-ajv-validator',
  setup(b) {
    b.onResolve({ filter: /[\\/]validation[\\/]ajv-provider\.js$/ }, async (args) => {
      if (args.pluginData === 'real' || !/[\\/]@modelcontextprotocol[\\/]sdk[\\/].*[\\/]server[\\/]index\.js$/.test(args.importer))
        return undefined;
      const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'real' });
      lazyAjvUsed = true;
      return { path: 'ajv-provider', namespace: 'lazy-ajv', pluginData: real.path };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-ajv' }, (args) => ({
      contents: `export class AjvJsonSchemaValidator {
  #real;
  getValidator(schema) {
    this.#real ??= new (require(${JSON.stringify(args.pluginData)}).AjvJsonSchemaValidator)();
    return this.#real.getValidator(schema);
  }
}
`,
      resolveDir: root,
      loader: 'js',
    }));
  },
};

// fzstd builds its decoding tables when it is imported, a cost every start paid for zstd layers
// that most runs never read (and Node >= 22.15 decodes with zlib). The server uses only its
// Decompress class: this front constructs the real one, so fzstd is evaluated on the first zstd
// layer. A name src/ imports and the front lacks fails the build (esbuild: no matching export).
let lazyFzstdUsed = false;
const lazyFzstd = {
  name: 'lazy-fzstd',
  setup(b) {
    b.onResolve({ filter: /^fzstd$/ }, (args) => {
      if (args.namespace === 'lazy-fzstd') return undefined;
      lazyFzstdUsed = true;
      return { path: 'fzstd', namespace: 'lazy-fzstd' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-fzstd' }, () => ({
      contents: `export class Decompress {
  constructor(...args) {
    return new (require('fzstd').Decompress)(...args);
  }
}
`,
      resolveDir: root,
      loader: 'js',
    }));
  },
};

// `import('undici')` of the CommonJS undici gets named exports (Agent, request, …) from Node; a
// split chunk holding a CommonJS module only has a default export. This plugin puts an ES module in
// front of undici that re-exports every name undici's module.exports has, as Node would.
const cjsNamedExports = (name) => ({
  name: `esm-front-for-${name}`,
  setup(b) {
    b.onResolve({ filter: new RegExp(`^${name}$`) }, (args) =>
      args.namespace === 'esm-front' ? undefined : { path: name, namespace: 'esm-front' },
    );
    b.onLoad({ filter: /.*/, namespace: 'esm-front' }, () => {
      const names = Object.keys(createRequire(join(root, 'package.json'))(name)).filter((key) => /^[A-Za-z_$][\w$]*$/.test(key));
      return {
        contents: `import cjs from '${name}';\nexport default cjs;\nexport const { ${names.join(', ')} } = cjs;\n`,
        resolveDir: root,
        loader: 'js',
      };
    });
  },
});

// The server itself is dist/chunks/server.js; dist/main.js (the bin and the image's entry) is a
// launcher written below.
const result = await build({
  entryPoints: [{ in: join(dist, 'main.js'), out: 'server' }],
  outdir: dist,
  entryNames: 'chunks/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.18',
  sourcemap: false,
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  logLevel: 'warning',
  plugins: [inlineVersion, prebuiltDefinitions, lazyAjvValidator, lazyFzstd, cjsNamedExports('undici')],
  // CommonJS dependencies bundled into ESM call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
  },
});

// The launcher turns on V8's code cache (Node ≥ 22.1; absent on Node 20, where it does nothing)
// before the server's ~1.6 MB of start-up code is compiled: later starts reuse the compiled code
// instead of parsing it again, the largest start-up cost once the tool entries are prebuilt. The
// cache lives in Node's default place (os.tmpdir()/node-compile-cache, or NODE_COMPILE_CACHE);
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. Where it cannot be written (a read-only file system
// without a writable /tmp) Node reports a failed status and starts without it, as it would here
// if anything else went wrong: a cache is never a reason not to start.
writeFileSync(
  join(dist, 'main.js'),
  `#!/usr/bin/env node
// dockerhub-mcp: enables Node's compile cache, then starts the server (chunks/server.js).
import module from 'node:module';

try {
  module.enableCompileCache?.();
} catch {
  // Started without the cache.
}
await import('./chunks/server.js');
`,
);
rmSync(join(dist, 'main.js.map'), { force: true });

// A renamed module would silently bring back the start-up cost: say so instead.
if (!lazyAjvUsed)
  throw new Error("bundle: the SDK's Server no longer imports validation/ajv-provider.js; revisit the lazy-ajv-validator plugin");
if (!prebuiltEmbedded)
  throw new Error('bundle: dist/server/prebuilt-definitions.js was not bundled; the tools/list entries are not embedded');

if (!lazyFzstdUsed) throw new Error('bundle: nothing imports fzstd any more; drop the lazy-fzstd plugin');

// One notice per bundled package: its name, version, license and LICENSE file, as the MIT, ISC and
// BSD licenses of the dependencies ask for copies of their notices.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /(?:^|[\\/])node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(input);
  if (!match) continue;
  const dir = join(root, input.slice(0, match.index + match[0].length));
  if (packages.has(dir)) continue;
  const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const licenseFile = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'LICENCE', 'COPYING']
    .map((name) => join(dir, name))
    .find((path) => existsSync(path));
  packages.set(dir, { name: meta.name, version: meta.version, license: meta.license ?? 'see package', licenseFile });
}
const notices = [...packages.values()]
  .sort((a, b) => a.name.localeCompare(b.name))
  .map((p) => {
    const text = p.licenseFile
      ? readFileSync(p.licenseFile, 'utf8').trim()
      : `(no license file in the package; license field: ${p.license})`;
    return `${p.name}@${p.version} (${p.license})\n${'-'.repeat(72)}\n${text}\n`;
  });
writeFileSync(
  join(dist, 'THIRD_PARTY_LICENSES.txt'),
  `dockerhub-mcp ${pkg.version} bundles the following packages into dist/main.js and dist/chunks/.\n\n${notices.join('\n')}`,
);

const outputs = Object.entries(result.metafile.outputs).map(([path, out]) => [relative(root, path).split(sep).join('/'), out.bytes]);
const total = outputs.reduce((sum, [, bytes]) => sum + bytes, 0);
console.error(`bundle: ${outputs.length} files, ${(total / 1e6).toFixed(2)} MB, ${packages.size} packages inlined`);
