// Docker schema1 manifests for tests: a pretty-printed payload signed the way docker 1.x and
// libtrust sign it (JWS over the payload, `protected` carrying formatLength / formatTail / time,
// the public key as `header.jwk` with libtrust's key id), so a real distribution registry with
// `compatibility: schema1: enabled: true` accepts the push and computes the digest over the
// payload without its `signatures`.
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { FlattenedSign, exportJWK } from 'jose';

export const SCHEMA1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
export const SCHEMA1_UNSIGNED = 'application/vnd.docker.distribution.manifest.v1+json';

export interface Schema1Layer {
  /** Layer digest (blobSum). */
  blobSum: string;
  /** The v1Compatibility JSON object of this layer's history entry. */
  v1: Record<string, unknown>;
}

export interface Schema1Spec {
  name: string;
  tag: string;
  architecture: string;
  /** Top (newest) layer first, as schema1 lists them. */
  layers: Schema1Layer[];
}

export interface Schema1Manifest {
  /** What a registry stores and serves (with `signatures` when signed). */
  bytes: Buffer;
  /** The payload the digest covers. */
  payload: Buffer;
  digest: string;
  mediaType: string;
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** libtrust's key id: SHA-256 of the DER SPKI, first 240 bits, base32, in groups of 4. */
export function libtrustKeyId(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  const hash = createHash('sha256').update(der).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of hash) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out.match(/.{1,4}/g)!.join(':');
}

/** The payload docker writes: the manifest indented by three spaces. */
export function schema1Payload(spec: Schema1Spec): Buffer {
  const manifest = {
    schemaVersion: 1,
    name: spec.name,
    tag: spec.tag,
    architecture: spec.architecture,
    fsLayers: spec.layers.map((l) => ({ blobSum: l.blobSum })),
    history: spec.layers.map((l) => ({ v1Compatibility: JSON.stringify(l.v1) })),
  };
  return Buffer.from(JSON.stringify(manifest, null, 3), 'utf8');
}

export function unsignedSchema1(spec: Schema1Spec): Schema1Manifest {
  const payload = schema1Payload(spec);
  return { bytes: payload, payload, digest: sha256(payload), mediaType: SCHEMA1_UNSIGNED };
}

/** Signs like libtrust: `signatures` spliced in before the closing brace, the tail kept in `protected`. */
export async function signSchema1(spec: Schema1Spec, time = '2016-01-01T00:00:00Z'): Promise<Schema1Manifest> {
  const payload = schema1Payload(spec);
  const text = payload.toString('utf8');
  const close = text.lastIndexOf('}');
  let formatLength = close;
  while (formatLength > 0 && /\s/.test(text[formatLength - 1] ?? '')) formatLength--;
  const tail = payload.subarray(formatLength);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...(await exportJWK(publicKey)), kid: libtrustKeyId(publicKey) };
  const signed = await new FlattenedSign(payload)
    .setProtectedHeader({ formatLength, formatTail: tail.toString('base64url'), time })
    .setUnprotectedHeader({ jwk, alg: 'ES256' })
    .sign(privateKey);
  const signature = { header: signed.header, signature: signed.signature, protected: signed.protected };
  const signatures = JSON.stringify([signature], null, 3).replace(/\n/g, '\n   ');
  const bytes = Buffer.concat([payload.subarray(0, formatLength), Buffer.from(`,\n   "signatures": ${signatures}`), tail]);
  return { bytes, payload, digest: sha256(payload), mediaType: SCHEMA1_SIGNED };
}

/** A v1Compatibility entry as docker wrote them: id, parent, created, container_config.Cmd. */
export function v1Entry(opts: {
  id: string;
  parent?: string;
  created: string;
  cmd: string[];
  os?: string;
  architecture?: string;
  throwaway?: boolean;
  config?: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    id: opts.id,
    ...(opts.parent ? { parent: opts.parent } : {}),
    created: opts.created,
    container_config: { Cmd: opts.cmd },
    ...(opts.os ? { os: opts.os } : {}),
    ...(opts.architecture ? { architecture: opts.architecture } : {}),
    ...(opts.config ? { config: opts.config } : {}),
    ...(opts.throwaway ? { throwaway: true } : {}),
  };
}
