// Bundles the compiled server (tsc's dist/**/*.js, every npm dependency included) into what the
// package and the image ship, in two passes:
//
// 1. The front (dist/main.cjs): the CLI, the configuration, the logger and the stdio front door,
//    which answers initialize and tools/list before anything else loads (src/server/stdio-front.ts).
//    One file: every module evaluated before the first answer is in it (each further file costs a
//    stdio start ~1 ms). Its dynamic imports become the entries of pass 2.
// 2. The rest (dist/chunks/): the full server, the HTTP transport, undici, loaded when needed, code
//    shared between them split into chunks. A module of the front that they use is not bundled
//    again: they import it from ../main.cjs, the entry module already loaded, so there is one copy of
//    each module's state (the redactor's secrets, above all).
//
// Whitespace and syntax are minified (less for V8 to parse at every start) but identifiers are
// not, so a stack trace still names readable functions (its line numbers say little). No source
// map ships: a map would either embed all the sources (~3 MB) or point at a src/ that is not in the
// package. The licenses of the bundled packages go to dist/THIRD_PARTY_LICENSES.txt, which ships
// beside the bundle.
//
// tsc still emits dist/**/*.js (scripts/gen-readme.mjs and gen-catalog.mjs import dist/docs/);
// they are not part of the package (package.json `files`).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// Outputs of an earlier bundle (chunk names carry content hashes). tsc's dist/main.js stays: it is
// the unbundled server (scripts and tests import dist/), not what ships.
for (const stale of ['chunks', 'main.cjs', 'THIRD_PARTY_LICENSES.txt']) {
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
// same code the server would run (tsc's dist/server/tool-definitions.js) and written to one JSON
// file per setting combination, each entry as its JSON text: a starting process reads its one set
// instead of generating JSON Schemas from zod (the largest piece of start-up work), and the stdio
// front door copies the texts into its answer without parsing them. The module that reads them
// stands in for prebuilt-definitions.js; it is in the front (dist/main.cjs), so the files are
// found at ./chunks/ from it. A file that cannot be read means no prebuilt set: the server then
// builds its entries as an unbundled one does.
const { definitionSets } = await import(pathToFileURL(join(dist, 'server', 'tool-definitions.js')).href);
const definitionFiles = {};
for (const [index, [key, set]] of Object.entries(definitionSets()).entries()) {
  const file = `tool-definitions-${index}.json`;
  definitionFiles[key] = file;
  const texts = Object.fromEntries(Object.entries(set).map(([name, definition]) => [name, JSON.stringify(definition)]));
  mkdirSync(join(dist, 'chunks'), { recursive: true });
  writeFileSync(join(dist, 'chunks', file), JSON.stringify(texts));
}
let prebuiltEmbedded = false;
const prebuiltDefinitions = {
  name: 'prebuilt-definitions',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]server[\\/]prebuilt-definitions\.js$/ }, () => {
      prebuiltEmbedded = true;
      return {
        contents: `import { settingsKey } from './definition-key.js';
const FILES = ${JSON.stringify(definitionFiles)};
const read = new Map();
export function prebuiltDefinitions(settings) {
  const file = FILES[settingsKey(settings)];
  if (file === undefined) return undefined;
  if (!read.has(file)) {
    try {
      read.set(file, JSON.parse(process.getBuiltinModule('node:fs').readFileSync(__dirname + '/chunks/' + file, 'utf8')));
    } catch {
      read.set(file, undefined);
    }
  }
  return read.get(file);
}
`,
        resolveDir: join(dist, 'server'),
        loader: 'js',
      };
    });
  },
};

// The protocol versions the SDK negotiates, for the stdio front door's initialize answer
// (src/server/prebuilt-protocol.ts), which is given before the SDK's types module (and zod) load.
const sdkTypes = await import(pathToFileURL(createRequire(join(root, 'package.json')).resolve('@modelcontextprotocol/sdk/types.js')).href);
let protocolEmbedded = false;
const prebuiltProtocol = {
  name: 'prebuilt-protocol',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]server[\\/]prebuilt-protocol\.js$/ }, () => {
      protocolEmbedded = true;
      const versions = { latest: sdkTypes.LATEST_PROTOCOL_VERSION, supported: sdkTypes.SUPPORTED_PROTOCOL_VERSIONS };
      return { contents: `export const PREBUILT_PROTOCOL = ${JSON.stringify(versions)};\n`, loader: 'js' };
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

const REQUIRE_BANNER = "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);";

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.18',
  sourcemap: false,
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  logLevel: 'warning',
};

/** A dynamic import's target becomes a pass-2 entry, dist/chunks/<name>.js; name → its module. */
const later = new Map();
const laterChunks = {
  name: 'later-chunks',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.kind !== 'dynamic-import' || args.pluginData === 'resolving') return undefined;
      const resolved = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'resolving' });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      const name = args.path.startsWith('.') ? args.path.replace(/^.*\//, '').replace(/\.js$/, '') : args.path.replace(/\W+/g, '-');
      if (later.has(name) && later.get(name) !== resolved.path) throw new Error(`bundle: two lazily imported modules named ${name}`);
      later.set(name, resolved.path);
      return { path: `./chunks/${name}.js`, external: true };
    });
  },
};

// Pass 1a: which modules the front holds (its static graph from tsc's dist/main.js).
const frontPlugins = [inlineVersion, prebuiltDefinitions, prebuiltProtocol, laterChunks];
const probe = await build({ ...common, entryPoints: [join(dist, 'main.js')], write: false, plugins: frontPlugins });
const frontModules = Object.keys(probe.metafile.inputs).map((input) => join(root, input));
const heavy = frontModules.find((path) => /node_modules[\\/](zod|@modelcontextprotocol|undici)[\\/]/.test(path));
if (heavy)
  throw new Error(`bundle: the front (evaluated before the first answer) would hold ${relative(root, heavy)}; keep its imports light`);
const shared = frontModules.filter((path) => path !== join(dist, 'main.js') && path.startsWith(dist));

// Pass 1b: the front, exporting what its modules export so pass 2 can import them from it. Two
// modules exporting one name would make that name ambiguous: refuse instead.
const exportedBy = new Map();
for (const path of shared) {
  for (const name of Object.keys(await import(pathToFileURL(path).href))) {
    if (exportedBy.has(name))
      throw new Error(`bundle: ${name} is exported by ${exportedBy.get(name)} and ${relative(root, path)}; rename one`);
    exportedBy.set(name, relative(root, path));
  }
}
const front = await build({
  ...common,
  stdin: {
    contents: [...shared.map((path) => `export * from ${JSON.stringify(path)};`), `import ${JSON.stringify(join(dist, 'main.js'))};`].join(
      '\n',
    ),
    resolveDir: dist,
    sourcefile: 'front-entry.js',
    loader: 'js',
  },
  // CommonJS: Node starts a CommonJS entry without setting up its ES module loader, ~5 ms (a sixth
  // of Node's own start) that an ES entry pays before its first line runs. The loader is set up
  // when the first lazily loaded chunk is imported instead.
  format: 'cjs',
  outfile: join(dist, 'main.cjs'),
  plugins: frontPlugins,
  banner: { js: '#!/usr/bin/env node' },
});

// Pass 2: everything loaded later, importing the front's modules from the front.
const fromFront = {
  name: 'from-front',
  setup(b) {
    const inFront = new Set(shared);
    b.onResolve({ filter: /^\./ }, (args) => {
      const path = join(args.resolveDir, args.path);
      return inFront.has(path) ? { path: '../main.cjs', external: true } : undefined;
    });
  },
};
const result = await build({
  ...common,
  entryPoints: [...later].map(([name, path]) => ({ in: path, out: name })),
  outdir: join(dist, 'chunks'),
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  splitting: true,
  plugins: [fromFront, lazyAjvValidator, lazyFzstd, cjsNamedExports('undici')],
  // CommonJS dependencies bundled into ESM call require() for Node built-ins.
  banner: { js: REQUIRE_BANNER },
});

// The banner goes into every output file, but only files that call require() need it.
for (const path of Object.keys(result.metafile.outputs).filter((path) => path.endsWith('.js'))) {
  const file = join(root, path);
  const code = readFileSync(file, 'utf8');
  const at = code.indexOf(REQUIRE_BANNER);
  if (at === -1) continue;
  const without = code.slice(0, at) + code.slice(at + REQUIRE_BANNER.length + 1);
  if (!/\brequire\b/.test(without)) writeFileSync(file, without);
}

// A renamed module would silently bring back the start-up cost: say so instead.
if (!lazyAjvUsed)
  throw new Error("bundle: the SDK's Server no longer imports validation/ajv-provider.js; revisit the lazy-ajv-validator plugin");
if (!prebuiltEmbedded)
  throw new Error('bundle: dist/server/prebuilt-definitions.js was not bundled; the tools/list entries are not embedded');
if (!protocolEmbedded)
  throw new Error('bundle: dist/server/prebuilt-protocol.js was not bundled; the stdio front door cannot answer initialize');
const frontBytes = Object.values(front.metafile.outputs).reduce((sum, out) => sum + out.bytes, 0);

if (!lazyFzstdUsed) throw new Error('bundle: nothing imports fzstd any more; drop the lazy-fzstd plugin');

// One notice per bundled package: its name, version, license and LICENSE file, as the MIT, ISC and
// BSD licenses of the dependencies ask for copies of their notices.
const packages = new Map();
for (const input of [...Object.keys(front.metafile.inputs), ...Object.keys(result.metafile.inputs)]) {
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
  `dockerhub-mcp ${pkg.version} bundles the following packages into dist/main.cjs and dist/chunks/.\n\n${notices.join('\n')}`,
);

const outputs = [...Object.entries(front.metafile.outputs), ...Object.entries(result.metafile.outputs)].map(([path, out]) => [
  relative(root, path).split(sep).join('/'),
  out.bytes,
]);
const total = outputs.reduce((sum, [, bytes]) => sum + bytes, 0);
console.error(
  `bundle: ${outputs.length} files, ${(total / 1e6).toFixed(2)} MB, ${packages.size} packages inlined; dist/main.cjs (evaluated before the first answer) ${(frontBytes / 1e3).toFixed(0)} kB`,
);
