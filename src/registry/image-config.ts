// Reading the config blob of a manifest for inspect and list_platforms. OCI artifacts carry
// configs that are not image configs, often not JSON at all (a Helm chart's, a binary); the digest,
// size and layers are still worth showing, so such a config is described in a note instead of
// failing the whole call. Values are picked by type: a config is upstream data, not a contract.
import { ToolError } from '../http/errors.js';
import { jsonTextDepth, UPSTREAM_JSON_BOUNDS } from '../util/json-bounds.js';
import type { RegistryClient } from './client.js';
import { EMPTY_JSON_DIGEST } from './media-types.js';
import type { Descriptor, Platform } from './platform.js';
import type { ImageRef } from './reference.js';

/** Configs larger than this are not fetched for a summary (image configs are a few KiB). */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export interface ConfigNote {
  digest: string;
  size: number;
  media_type: string;
  parsed: false;
  reason: string;
}

export type ConfigRead = { parsed: true; value: Record<string, unknown> } | { parsed: false; note: ConfigNote };

function note(descriptor: Descriptor, reason: string): ConfigRead {
  return {
    parsed: false,
    note: { digest: descriptor.digest, size: descriptor.size, media_type: descriptor.mediaType, parsed: false, reason },
  };
}

/** Why `bytes` is not a JSON object we summarise, or the object. */
export function parseConfigBytes(bytes: Buffer): { value: Record<string, unknown> } | { reason: string } {
  const text = bytes.toString('utf8');
  if (jsonTextDepth(text) > UPSTREAM_JSON_BOUNDS.maxDepth)
    return { reason: `the config nests JSON deeper than ${UPSTREAM_JSON_BOUNDS.maxDepth} levels` };
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return { reason: 'the config is not JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { reason: 'the config is JSON but not an object' };
  return { value: value as Record<string, unknown> };
}

/** The config of an image manifest as an object, or a note saying why it is not shown. */
export async function readConfig(client: RegistryClient, ref: ImageRef, descriptor: Descriptor, signal?: AbortSignal): Promise<ConfigRead> {
  // The OCI empty config is `{}` by definition: no request needed.
  if (descriptor.digest === EMPTY_JSON_DIGEST) return { parsed: true, value: {} };
  if (descriptor.size > MAX_CONFIG_BYTES)
    return note(descriptor, `the config is ${descriptor.size} bytes, more than the ${MAX_CONFIG_BYTES} read for a summary`);
  let bytes: Buffer;
  try {
    bytes = await client.getBlobBytes(ref, descriptor.digest, signal);
  } catch (error) {
    // Integrity errors, auth and network failures stay errors; only absence becomes a note.
    if (error instanceof ToolError && error.type === 'not_found') return note(descriptor, 'the registry does not have the config blob');
    throw error;
  }
  const parsed = parseConfigBytes(bytes);
  return 'value' in parsed ? { parsed: true, value: parsed.value } : note(descriptor, parsed.reason);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function strings(value: unknown): string[] | null {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null;
}

function stringMap(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** os / architecture / variant of a config, when it names them as strings. */
export function configPlatform(config: Record<string, unknown>): Platform | undefined {
  const os = str(config.os);
  const architecture = str(config.architecture);
  if (!os || !architecture) return undefined;
  const variant = str(config.variant);
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function configCreated(config: Record<string, unknown>): string | undefined {
  return str(config.created);
}

/** env, entrypoint, cmd, user, … of a config's `config` section (Docker's container config). */
export function summariseConfig(config: Record<string, unknown>): Record<string, unknown> {
  const raw = config.config;
  const c: Record<string, unknown> = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const ports = c.ExposedPorts;
  return {
    env: strings(c.Env) ?? [],
    entrypoint: strings(c.Entrypoint),
    cmd: strings(c.Cmd),
    user: str(c.User) ?? '',
    working_dir: str(c.WorkingDir) ?? '',
    labels: stringMap(c.Labels),
    exposed_ports: ports !== null && typeof ports === 'object' && !Array.isArray(ports) ? Object.keys(ports) : [],
    history_length: Array.isArray(config.history) ? config.history.length : 0,
  };
}
