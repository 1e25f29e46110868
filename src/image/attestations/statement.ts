// Decoding one attestation blob into an in-toto statement: a plain statement (BuildKit), a DSSE
// envelope around one (signed attestations), or a bare SBOM document as some referrers carry it.
// Bytes that are not JSON, or not an object, break their own format: `invalid_content`.
import { ToolError } from '../../http/errors.js';
import { jsonTextDepth } from '../../util/json-bounds.js';
import { obj, str, type JsonObject } from './json-fields.js';

/** SBOMs nest deeper than manifests (CycloneDX component trees), but not without bound. */
const MAX_DEPTH = 200;

export interface Statement {
  /** From the statement, else the layer annotation, else the bare document's media type. */
  predicateType?: string;
  subjects: { name?: string; digests: string[] }[];
  predicate?: JsonObject;
  /** `in-toto` for a statement, `dsse` for an envelope around one, `bare` for a document alone. */
  wrapping: 'in-toto' | 'dsse' | 'bare';
}

function parseJson(text: string, what: string): unknown {
  if (jsonTextDepth(text) > MAX_DEPTH) throw new ToolError('invalid_content', `${what} nests JSON deeper than ${MAX_DEPTH} levels`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ToolError('invalid_content', `${what} is not JSON`, undefined, 'get_blob with its digest shows the bytes.');
  }
}

function subjectsOf(value: unknown): Statement['subjects'] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => {
    const o = obj(item) ?? {};
    const digest = obj(o.digest) ?? {};
    const name = str(o.name);
    return {
      ...(name ? { name } : {}),
      digests: Object.entries(digest)
        .filter((e): e is [string, string] => typeof e[1] === 'string')
        .map(([alg, hex]) => `${alg}:${hex}`),
    };
  });
}

/**
 * The statement in `bytes`. `bareType` is the predicate type a bare document (no statement around
 * it) stands for, from its layer media type.
 */
export function decodeStatement(bytes: Buffer, what: string, bareType?: string): Statement {
  let value = parseJson(bytes.toString('utf8'), what);
  let wrapping: Statement['wrapping'] = 'in-toto';
  const envelope = obj(value);
  if (envelope && typeof envelope.payloadType === 'string' && typeof envelope.payload === 'string') {
    value = parseJson(Buffer.from(envelope.payload, 'base64').toString('utf8'), `the DSSE payload of ${what}`);
    wrapping = 'dsse';
  }
  const o = obj(value);
  if (!o) throw new ToolError('invalid_content', `${what} is JSON but not an object (an in-toto statement)`);
  if (bareType && o._type === undefined && o.predicateType === undefined)
    return { predicateType: bareType, subjects: [], predicate: o, wrapping: 'bare' };
  const predicateType = str(o.predicateType);
  const predicate = obj(o.predicate);
  return {
    ...(predicateType ? { predicateType } : {}),
    subjects: subjectsOf(o.subject),
    ...(predicate ? { predicate } : {}),
    wrapping,
  };
}
