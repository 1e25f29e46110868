// Rewrites the generated tables in README.md from the built code (run via `npm run docs`).
import { readFileSync, writeFileSync } from 'node:fs';
import { renderReadme } from '../dist/docs/tables.js';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = renderReadme(before);
if (after !== before) {
  writeFileSync(path, after);
  console.error('README.md tables updated');
} else {
  console.error('README.md tables already current');
}
