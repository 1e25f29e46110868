// Writes the catalog entries from the built code (run via `npm run docs`): server.json for the
// official MCP Registry and server.yaml for Docker's MCP catalog, both rendered by
// src/docs/catalog.ts from the settings table and package.json.
//
//   node scripts/gen-catalog.mjs                  rewrite server.json and server.yaml
//   node scripts/gen-catalog.mjs --commit <sha>   print server.yaml with source.commit set, for a
//                                                 submission to docker/mcp-registry (which pins
//                                                 the audited commit); the checked-in file has none
import { readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { stringify } from 'yaml';
import { dockerCatalogServer, mcpRegistryServer } from '../dist/docs/catalog.js';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

async function pretty(text, file) {
  const options = (await resolveConfig(file)) ?? {};
  return format(text, { ...options, filepath: file });
}

const commitAt = process.argv.indexOf('--commit');
if (commitAt !== -1) {
  const commit = process.argv[commitAt + 1] ?? '';
  if (!/^[0-9a-f]{40}$/.test(commit)) {
    console.error('--commit needs the full 40-character lowercase SHA-1 of the commit to pin');
    process.exit(2);
  }
  process.stdout.write(await pretty(stringify(dockerCatalogServer(pkg, commit)), new URL('server.yaml', root).pathname));
  process.exit(0);
}

const outputs = [
  ['server.json', JSON.stringify(mcpRegistryServer(pkg), null, 2)],
  ['server.yaml', stringify(dockerCatalogServer(pkg))],
];
for (const [name, text] of outputs) {
  const path = new URL(name, root).pathname;
  const after = await pretty(text, path);
  let before = '';
  try {
    before = readFileSync(path, 'utf8');
  } catch {
    // first run
  }
  if (after !== before) writeFileSync(path, after);
  console.error(`${name} ${after === before ? 'already current' : 'updated'}`);
}
