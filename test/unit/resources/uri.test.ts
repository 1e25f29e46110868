// Resource URI parsing: what a template expands to parses back to the same parts, whichever way a
// client expanded it; anything else is either not ours (undefined: "resource not found") or an
// invalid_argument naming the part, never another kind of failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../../src/http/errors.js';
import { ociUri, parseResourceUri } from '../../../src/resources/uri.js';

const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8}){0,2}$/);
const repository = fc.array(component, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
const host = fc.constantFrom('docker.io', 'ghcr.io', 'registry.example.com', '127.0.0.1:5000', 'localhost:5000', '[::1]:5000');
const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`);

describe('parseResourceUri', () => {
  it('reads back what ociUri writes, manifest and config, with / or %2F in the repository', () => {
    fc.assert(
      fc.property(host, repository, digest, fc.boolean(), fc.boolean(), (registry, repo, hex, config, encoded) => {
        const uri = ociUri(registry, encoded ? repo.replace(/\//g, '%2F') : repo, hex, config);
        expect(parseResourceUri(uri)).toEqual({ kind: config ? 'config' : 'manifest', registry, repository: repo, digest: hex });
      }),
    );
  });

  it('reads a README URI', () => {
    expect(parseResourceUri('dockerhub://library/nginx/readme')).toEqual({ kind: 'readme', namespace: 'library', repository: 'nginx' });
  });

  it('any other string is not ours or an invalid_argument, never another failure', () => {
    const prefixed = fc
      .tuple(fc.constantFrom('oci://', 'dockerhub://', 'test://', ''), fc.string({ maxLength: 300 }))
      .map(([p, s]) => p + s);
    fc.assert(
      fc.property(prefixed, (uri) => {
        try {
          parseResourceUri(uri);
        } catch (error) {
          expect(error).toBeInstanceOf(ToolError);
          expect((error as ToolError).type).toBe('invalid_argument');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['test://static-text', undefined],
    ['https://registry-1.docker.io/v2/library/nginx/manifests/latest', undefined],
  ])('%s is not a URI of this server', (uri, expected) => {
    expect(parseResourceUri(uri)).toBe(expected);
  });

  it.each([
    [`oci://docker.io/library/nginx@sha512:${'a'.repeat(64)}`, 'sha256 needs|form'],
    [`oci://docker.io/library/nginx@sha256:${'A'.repeat(64)}`, 'sha256 needs 64 lowercase hex'],
    [`oci://docker.io/library/nginx@sha256:${'a'.repeat(64)}/layers`, 'matches none of'],
    [`oci://docker.io/library/nginx@sha256:%ZZ`, 'not valid percent-encoding'],
    ['dockerhub://acme/app', 'matches none of'],
  ])('%s is an invalid_argument (%s)', (uri, message) => {
    expect(() => parseResourceUri(uri)).toThrow(new RegExp(message));
  });
});
