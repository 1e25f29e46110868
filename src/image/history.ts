// The build step behind each layer: the config's `history` lists every Dockerfile instruction,
// those that made no layer flagged `empty_layer`; the rest line up with the manifest's layers in
// order. Instructions are shown as a Dockerfile would say them, without the shell wrapper that
// the classic builder (`/bin/sh -c #(nop) `) and BuildKit (`RUN /bin/sh -c … # buildkit`) add.

export interface HistoryStep {
  instruction: string | null;
  created: string | null;
  comment?: string;
}

interface HistoryItem {
  created?: unknown;
  created_by?: unknown;
  comment?: unknown;
  empty_layer?: unknown;
}

/** `/bin/sh -c #(nop)  CMD ["x"]` → `CMD ["x"]`; `/bin/sh -c apt-get …` → `RUN apt-get …`. */
export function cleanInstruction(raw: string): string {
  let text = raw.trim();
  text = text.replace(/\s*# buildkit$/, '');
  // Build arguments in effect are written ahead of the command: `|2 A=1 B=2 /bin/sh -c …`.
  const args = /^\|(\d+)\s+/.exec(text);
  if (args) {
    let rest = text.slice(args[0].length);
    for (let i = 0; i < Number(args[1]); i++) rest = rest.replace(/^\S+=\S*\s+/, '');
    text = rest;
  }
  const nop = /^\/bin\/sh -c #\(nop\)\s*/.exec(text);
  if (nop) return text.slice(nop[0].length).trim();
  const buildkitRun = /^RUN \/bin\/sh -c\s+/.exec(text);
  if (buildkitRun) return `RUN ${text.slice(buildkitRun[0].length).trim()}`;
  const shell = /^\/bin\/sh -c\s+/.exec(text);
  if (shell) return `RUN ${text.slice(shell[0].length).trim()}`;
  return text;
}

/** One step per layer, in layer order; null fields where the history is missing or short. */
export function layerSteps(config: Record<string, unknown> | undefined, layerCount: number): HistoryStep[] {
  const history = Array.isArray(config?.history) ? (config.history as unknown[]) : [];
  const steps: HistoryStep[] = [];
  for (const raw of history) {
    if (raw === null || typeof raw !== 'object') continue;
    const item = raw as HistoryItem;
    if (item.empty_layer === true) continue;
    const step: HistoryStep = {
      instruction: typeof item.created_by === 'string' ? cleanInstruction(item.created_by) : null,
      created: typeof item.created === 'string' ? item.created : null,
    };
    if (typeof item.comment === 'string' && item.comment !== 'buildkit.dockerfile.v0') step.comment = item.comment;
    steps.push(step);
  }
  return Array.from({ length: layerCount }, (_, i) => steps[i] ?? { instruction: null, created: null });
}
