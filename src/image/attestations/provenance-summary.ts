// What a SLSA provenance says at a glance: who built the image (builder id, build type), from
// what (source repository and commit, Dockerfile path, build arguments with secrets redacted) and
// with which inputs (materials with their digests). BuildKit writes v0.2 and v1; both read here.
import { redactArgs } from './build-args.js';
import { at, digestsOf, list, obj, str, type JsonObject } from './json-fields.js';
import { SLSA_V1 } from './predicate-types.js';

export interface Material {
  uri: string;
  digests: string[];
}

export interface ProvenanceSummary {
  slsa_version: 'v0.2' | 'v1';
  builder_id?: string;
  build_type?: string;
  source?: { repository?: string; commit?: string; uri?: string };
  dockerfile?: string;
  frontend?: string;
  target?: string;
  /** --build-arg values, secrets redacted. */
  build_args: Record<string, unknown>;
  materials: Material[];
  started?: string;
  finished?: string;
  missing?: string[];
}

/** BuildKit records an empty builder id for local builds: shown as recorded, not dropped. */
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const BUILDKIT_METADATA_V02 = 'https://mobyproject.org/buildkit@v1#metadata';

function materials(value: unknown): Material[] {
  return (list(value) ?? [])
    .map((item) => {
      const o = obj(item);
      const uri = str(o?.uri);
      return uri ? { uri, digests: digestsOf(o?.digest) } : undefined;
    })
    .filter((m): m is Material => m !== undefined);
}

/** `build-arg:NAME` entries of a BuildKit frontend args map, by NAME. */
function buildArgs(args: unknown): Record<string, unknown> {
  const redacted = redactArgs(args);
  return Object.fromEntries(
    Object.entries(redacted)
      .filter(([key]) => key.startsWith('build-arg:'))
      .map(([key, value]) => [key.slice('build-arg:'.length), value]),
  );
}

/** `localdir:dockerfile` + entry point, when BuildKit recorded the Dockerfile's folder. */
function dockerfilePath(entry: string | undefined, vcs: JsonObject | undefined): string | undefined {
  if (!entry) return undefined;
  const dir = str(vcs?.['localdir:dockerfile']);
  return dir && dir !== '.' ? `${dir.replace(/\/+$/, '')}/${entry}` : entry;
}

function source(vcs: JsonObject | undefined, uri: string | undefined, commit: string | undefined): ProvenanceSummary['source'] {
  const repository = str(vcs?.source);
  const revision = str(vcs?.revision) ?? commit;
  if (!repository && !revision && !uri) return undefined;
  return { ...(repository ? { repository } : {}), ...(revision ? { commit: revision } : {}), ...(uri ? { uri } : {}) };
}

function v02(p: JsonObject): ProvenanceSummary {
  const missing: string[] = [];
  const metadata = obj(p.metadata);
  const vcs = obj(at(metadata, BUILDKIT_METADATA_V02, 'vcs'));
  const configSource = obj(at(p, 'invocation', 'configSource'));
  const parameters = obj(at(p, 'invocation', 'parameters'));
  if (!p.materials) missing.push('materials');
  if (!obj(p.builder)) missing.push('builder');
  const out: ProvenanceSummary = {
    slsa_version: 'v0.2',
    build_args: buildArgs(parameters?.args),
    materials: materials(p.materials),
  };
  assign(out, {
    builder_id: text(at(p, 'builder', 'id')),
    build_type: str(p.buildType),
    dockerfile: dockerfilePath(str(configSource?.entryPoint), vcs),
    frontend: str(parameters?.frontend),
    target: str(obj(parameters?.args)?.target),
    started: str(metadata?.buildStartedOn),
    finished: str(metadata?.buildFinishedOn),
  });
  const src = source(vcs, str(configSource?.uri), str(obj(configSource?.digest)?.sha1));
  if (src) out.source = src;
  if (missing.length > 0) out.missing = missing;
  return out;
}

function v1(p: JsonObject): ProvenanceSummary {
  const missing: string[] = [];
  const definition = obj(p.buildDefinition);
  const run = obj(p.runDetails);
  if (!definition) missing.push('buildDefinition');
  if (!run) missing.push('runDetails');
  const external = obj(definition?.externalParameters);
  const configSource = obj(external?.configSource);
  const request = obj(external?.request);
  const metadata = obj(run?.metadata);
  const vcs = obj(at(metadata, 'buildkit_metadata', 'vcs')) ?? obj(at(metadata, BUILDKIT_METADATA_V02, 'vcs'));
  const out: ProvenanceSummary = {
    slsa_version: 'v1',
    build_args: buildArgs(request?.args),
    materials: materials(definition?.resolvedDependencies),
  };
  assign(out, {
    builder_id: text(at(run, 'builder', 'id')),
    build_type: str(definition?.buildType),
    dockerfile: dockerfilePath(str(configSource?.path), vcs),
    frontend: str(request?.frontend),
    target: str(obj(request?.args)?.target),
    started: str(metadata?.startedOn),
    finished: str(metadata?.finishedOn),
  });
  const src = source(vcs, str(configSource?.uri), str(obj(configSource?.digest)?.sha1));
  if (src) out.source = src;
  if (missing.length > 0) out.missing = missing;
  return out;
}

function assign(out: ProvenanceSummary, values: Partial<Record<keyof ProvenanceSummary, string | undefined>>): void {
  for (const [key, value] of Object.entries(values)) if (value !== undefined) (out as unknown as JsonObject)[key] = value;
}

export function summariseProvenance(predicateType: string, predicate: JsonObject): ProvenanceSummary {
  return predicateType === SLSA_V1 ? v1(predicate) : v02(predicate);
}
