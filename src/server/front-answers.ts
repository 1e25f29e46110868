// The two answers a stdio client waits for before it can show a single tool, computed without
// the SDK, zod or any tool module: initialize (the same negotiation and the same result as the
// SDK's Server._oninitialize) and tools/list (the build-time entries, picked as catalogFor in
// create-server.ts picks them). A request these do not cover exactly returns undefined and goes
// to the full server, which answers it as it always did.
import type { Config } from '../config.js';
import { TOOL_NAMES } from '../config-spec.js';
import { toolUnavailable } from '../tools/availability.js';
import { INSTRUCTIONS, SERVER_NAME, SERVER_TITLE, serverCapabilities } from './identity.js';
import { prebuiltDefinitions, type PrebuiltDefinitions } from './prebuilt-definitions.js';
import { PREBUILT_PROTOCOL, type ProtocolVersions } from './prebuilt-protocol.js';

/** Each returns the JSON text of the result, or undefined when the SDK must judge these params. */
export interface FrontAnswers {
  initialize(params: unknown): string | undefined;
  toolsList(params: unknown): string | undefined;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isOptional = (value: unknown, check: (v: unknown) => boolean): boolean => value === undefined || check(value);
const isString = (value: unknown): boolean => typeof value === 'string';

/** `_meta` of any request: an object when present. */
const metaOk = (params: Json): boolean => isOptional(params._meta, isObject);

/** Only keys from `allowed`: anything else is a shape the SDK should see. */
const onlyKeys = (value: Json, allowed: readonly string[]): boolean => Object.keys(value).every((key) => allowed.includes(key));

/** An object whose every value is an object (the capability sub-records clients send). */
const objectOfObjects = (value: unknown): boolean => isObject(value) && Object.values(value).every(isObject);

/**
 * The client capabilities the SDK's ClientCapabilitiesSchema accepts, in the forms clients send:
 * `tasks`, or a nested value of another type, is left to the SDK.
 */
function capabilitiesOk(value: unknown): boolean {
  if (!isObject(value) || !onlyKeys(value, ['experimental', 'sampling', 'elicitation', 'roots', 'extensions'])) return false;
  const { experimental, sampling, elicitation, roots, extensions } = value;
  return (
    isOptional(experimental, objectOfObjects) &&
    isOptional(extensions, objectOfObjects) &&
    isOptional(sampling, objectOfObjects) &&
    isOptional(elicitation, objectOfObjects) &&
    isOptional(roots, (r) => isObject(r) && onlyKeys(r, ['listChanged']) && isOptional(r.listChanged, (b) => typeof b === 'boolean'))
  );
}

const clientInfoOk = (value: unknown): boolean =>
  isObject(value) &&
  onlyKeys(value, ['name', 'version', 'title', 'description', 'websiteUrl']) &&
  isString(value.name) &&
  isString(value.version) &&
  isOptional(value.title, isString) &&
  isOptional(value.description, isString) &&
  isOptional(value.websiteUrl, isString);

/** What the answers are made of; the bundle's build-time data unless a test gives its own. */
export interface FrontData {
  definitions: PrebuiltDefinitions | undefined;
  protocol: ProtocolVersions | undefined;
}

/** undefined where the bundle's build-time data is missing (tsc's output run directly). */
export function frontAnswers(
  config: Config,
  version: string,
  { definitions, protocol }: FrontData = { definitions: prebuiltDefinitions(config), protocol: PREBUILT_PROTOCOL },
): FrontAnswers | undefined {
  if (definitions === undefined || protocol === undefined) return undefined;
  const enabled = new Set(config.enabledTools);
  // JSON.stringify({ tools: [a, b] }) spelled out from the entries' own texts.
  const tools = `{"tools":[${TOOL_NAMES.filter((name) => enabled.has(name) && toolUnavailable(name, config) === undefined)
    .map((name) => definitions[name])
    .filter((text) => text !== undefined)
    .join(',')}]}`;
  return {
    initialize(params) {
      if (!isObject(params) || !metaOk(params) || !isString(params.protocolVersion)) return undefined;
      if (!capabilitiesOk(params.capabilities) || !clientInfoOk(params.clientInfo)) return undefined;
      const requested = params.protocolVersion as string;
      return JSON.stringify({
        protocolVersion: protocol.supported.includes(requested) ? requested : protocol.latest,
        capabilities: serverCapabilities(),
        serverInfo: { name: SERVER_NAME, title: SERVER_TITLE, version },
        instructions: INSTRUCTIONS,
      });
    },
    toolsList(params) {
      if (params !== undefined && !(isObject(params) && metaOk(params) && isOptional(params.cursor, isString))) return undefined;
      return tools;
    },
  };
}
