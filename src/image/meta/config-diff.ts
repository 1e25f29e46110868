// Differences between two image configs, field by field, as a reader would list them: env and
// labels by key (added, removed, changed), entrypoint / cmd / user / working dir as from → to,
// exposed ports added and removed. Only fields that differ appear.
import { REDACTED } from '../../redact.js';
import { isSecretArgName } from '../attestations/build-args.js';

export interface ConfigView {
  env: string[];
  entrypoint: string[] | null;
  cmd: string[] | null;
  user: string;
  working_dir: string;
  labels: Record<string, string>;
  exposed_ports: string[];
}

export interface MapDiff {
  added: Record<string, string>;
  removed: Record<string, string>;
  changed: Record<string, { from: string; to: string }>;
}

export type ConfigDiff = Partial<{
  env: MapDiff;
  labels: MapDiff;
  entrypoint: { from: string[] | null; to: string[] | null };
  cmd: { from: string[] | null; to: string[] | null };
  user: { from: string; to: string };
  working_dir: { from: string; to: string };
  exposed_ports: { added: string[]; removed: string[] };
}>;

/** `KEY=value` lines as a map. */
function envMap(env: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of env) {
    const eq = line.indexOf('=');
    out[eq >= 0 ? line.slice(0, eq) : line] = eq >= 0 ? line.slice(eq + 1) : '';
  }
  return out;
}

/** An ENV can hold a credential: compared as is, shown hidden (a change still shows as a change). */
function shown(key: string, value: string, secretKeys: boolean): string {
  return secretKeys && value !== '' && isSecretArgName(key) ? REDACTED : value;
}

function mapDiff(a: Record<string, string>, b: Record<string, string>, secretKeys = false): MapDiff | undefined {
  const out: MapDiff = { added: {}, removed: {}, changed: {} };
  for (const [k, v] of Object.entries(a)) {
    if (!(k in b)) out.removed[k] = shown(k, v, secretKeys);
    else if (b[k] !== v) out.changed[k] = { from: shown(k, v, secretKeys), to: shown(k, b[k]!, secretKeys) };
  }
  for (const [k, v] of Object.entries(b)) if (!(k in a)) out.added[k] = shown(k, v, secretKeys);
  const empty = [out.added, out.removed, out.changed].every((m) => Object.keys(m).length === 0);
  return empty ? undefined : out;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function diffConfigs(a: ConfigView, b: ConfigView): ConfigDiff {
  const out: ConfigDiff = {};
  const env = mapDiff(envMap(a.env), envMap(b.env), true);
  if (env) out.env = env;
  const labels = mapDiff(a.labels, b.labels);
  if (labels) out.labels = labels;
  if (!same(a.entrypoint, b.entrypoint)) out.entrypoint = { from: a.entrypoint, to: b.entrypoint };
  if (!same(a.cmd, b.cmd)) out.cmd = { from: a.cmd, to: b.cmd };
  if (a.user !== b.user) out.user = { from: a.user, to: b.user };
  if (a.working_dir !== b.working_dir) out.working_dir = { from: a.working_dir, to: b.working_dir };
  const added = b.exposed_ports.filter((p) => !a.exposed_ports.includes(p));
  const removed = a.exposed_ports.filter((p) => !b.exposed_ports.includes(p));
  if (added.length > 0 || removed.length > 0) out.exposed_ports = { added, removed };
  return out;
}
