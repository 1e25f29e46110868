// Bench output: a markdown table on stdout and bench/results/<name>.json, so the latest figures
// can be quoted and bench/README.md regenerated from them (`node bench/readme.mjs`); the file it
// replaces becomes bench/results/<name>.previous.json (the previous run's figures, shown beside).
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export type Row = Record<string, string | number | boolean | null>;

export function table(rows: readonly Row[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const lines = [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${columns.map((c) => format(row[c])).join(' | ')} |`);
  return lines.join('\n');
}

function format(value: Row[string] | undefined): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  return String(value);
}

export interface BenchResult {
  name: string;
  title: string;
  machine: string;
  date: string;
  notes: string[];
  rows: Row[];
  checks: { name: string; pass: boolean; detail: string }[];
}

export function writeResult(result: Omit<BenchResult, 'machine' | 'date'>): BenchResult {
  const full: BenchResult = {
    ...result,
    machine: `${process.platform} ${process.arch}, node ${process.version}, ${cpus().length} cpus, ${Math.round(totalmem() / 1024 ** 3)} GiB`,
    date: new Date().toISOString(),
  };
  // A run that measured nothing (it failed early) leaves the last figures where they are.
  if (result.rows.length === 0) {
    console.log(`\n## ${result.title}\n\n(no rows: bench/results/${result.name}.json left as it was)\n`);
    return full;
  }
  mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
  const latest = new URL(`../results/${result.name}.json`, import.meta.url);
  // The run before stays beside it, so bench/README.md can show both.
  if (existsSync(latest)) renameSync(latest, new URL(`../results/${result.name}.previous.json`, import.meta.url));
  writeFileSync(latest, `${JSON.stringify(full, null, 2)}\n`);
  console.log(`\n## ${result.title}\n\n${table(result.rows)}\n`);
  for (const note of result.notes) console.log(`- ${note}`);
  for (const check of result.checks) console.log(`${check.pass ? 'PASS' : 'FAIL'} ${check.name}: ${check.detail}`);
  return full;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
