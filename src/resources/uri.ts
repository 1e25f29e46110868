// Resource URIs: the three templates the server offers and the parser that turns a URI back into
// validated parts. `oci://host/repository@digest` is the form Helm and ORAS already use for OCI
// content, with the digest making it immutable; `/config` after it names that image's config.
// Every part is checked the way tool arguments are (host grammar, repository components, digest
// algorithm:hex) before anything is put into a request URL.
import { ToolError } from '../http/errors.js';
import { validateDigest } from '../registry/reference.js';

export const MANIFEST_TEMPLATE = 'oci://{registry}/{+repository}@{digest}';
export const CONFIG_TEMPLATE = 'oci://{registry}/{+repository}@{digest}/config';
export const README_TEMPLATE = 'dockerhub://{namespace}/{repository}/readme';

export type ParsedUri =
  | { kind: 'manifest' | 'config'; registry: string; repository: string; digest: string }
  | { kind: 'readme'; namespace: string; repository: string };

const OCI = /^oci:\/\/([^/@?#]+)\/([^@?#]+)@([^/@?#]+)(\/config)?$/;
const README = /^dockerhub:\/\/([^/?#]+)\/([^/?#]+)\/readme$/;
/** A Hub namespace or repository name: what Hub itself allows. */
const HUB_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** A template variable, decoded: a client expanding `{repository}` without `+` sends `%2F`. */
function decode(part: string, name: string, uri: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ToolError('invalid_argument', `resource URI ${uri.slice(0, 200)}: '${name}' is not valid percent-encoding`);
  }
}

function hubName(value: string, name: string): string {
  if (value.length < 2 || value.length > 255 || !HUB_NAME.test(value)) {
    throw new ToolError(
      'invalid_argument',
      `'${name}' '${value.slice(0, 80)}' is not a Docker Hub ${name}: 2-255 lowercase letters and digits, separated by '.', '_' or '-'`,
    );
  }
  return value;
}

/**
 * The parts of a URI this server serves, or undefined for a URI of another kind (the caller
 * answers "resource not found"). A URI of a known kind with a bad part throws invalid_argument.
 * The repository is checked by the registry client's reference parser where it is used.
 */
export function parseResourceUri(uri: string): ParsedUri | undefined {
  const oci = OCI.exec(uri);
  if (oci) {
    const [, registry = '', repository = '', digest = '', config] = oci;
    const host = decode(registry, 'registry', uri);
    // The reference grammar tells a host from a path component by a dot, a port or localhost.
    if (!/[.:[]/.test(host) && host !== 'localhost') {
      throw new ToolError(
        'invalid_argument',
        `'registry' '${host.slice(0, 80)}' is not a registry host: e.g. docker.io, ghcr.io, 127.0.0.1:5000`,
      );
    }
    return {
      kind: config ? 'config' : 'manifest',
      registry: host,
      repository: decode(repository, 'repository', uri),
      digest: validateDigest(decode(digest, 'digest', uri)),
    };
  }
  const readme = README.exec(uri);
  if (readme) {
    const [, namespace = '', repository = ''] = readme;
    return {
      kind: 'readme',
      namespace: hubName(decode(namespace, 'namespace', uri), 'namespace'),
      repository: hubName(decode(repository, 'repository', uri), 'repository'),
    };
  }
  if (uri.startsWith('oci://') || uri.startsWith('dockerhub://')) {
    throw new ToolError(
      'invalid_argument',
      `resource URI ${uri.slice(0, 200)} matches none of ${MANIFEST_TEMPLATE}, ${CONFIG_TEMPLATE}, ${README_TEMPLATE}`,
    );
  }
  return undefined;
}

/** The URI of an image's manifest (or, with `config`, of its config). */
export function ociUri(registry: string, repository: string, digest: string, config = false): string {
  return `oci://${registry}/${repository}@${digest}${config ? '/config' : ''}`;
}
