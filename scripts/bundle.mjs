// Bundles the compiled server (dist/main.js and everything it imports, the MCP SDK and zod
// included) into dist/main.js itself: one file to load instead of ~400 modules to resolve, which
// halves the cold start (spawn to first tools/list). undici stays external: it is loaded lazily on
// the first upstream request. tsc still emits dist/**/*.js for tools that import modules directly.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/main.js'],
  outfile: 'dist/main.js',
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.18',
  external: ['undici'],
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
  // CommonJS dependencies bundled into ESM call require() for Node built-ins.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
  },
});
