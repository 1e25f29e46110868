// npm and Python manifests recognised by path and read for name and version only.
import { describe, expect, it } from 'vitest';
import { languageEcosystem, parseLanguageManifest } from '../../../src/image/language-packages.js';

describe('language packages', () => {
  it('recognises installed package manifests, not any package.json', () => {
    expect(languageEcosystem('usr/lib/node_modules/npm/package.json')).toBe('npm');
    expect(languageEcosystem('app/node_modules/@types/node/package.json')).toBe('npm');
    expect(languageEcosystem('app/node_modules/a/node_modules/b/package.json')).toBe('npm');
    expect(languageEcosystem('app/package.json')).toBeUndefined();
    expect(languageEcosystem('app/node_modules/a/lib/package.json')).toBeUndefined();
    expect(languageEcosystem('app/node_modules/.bin/package.json')).toBeUndefined();
    expect(languageEcosystem('usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA')).toBe('pypi');
  });

  it('reads name and version, and ignores manifests that are not JSON objects with both', () => {
    const path = 'node_modules/x/package.json';
    expect(parseLanguageManifest('npm', Buffer.from('{"name":"x","version":"1.2.3","dependencies":{}}'), path)).toEqual({
      ecosystem: 'npm',
      name: 'x',
      version: '1.2.3',
      path,
    });
    expect(parseLanguageManifest('npm', Buffer.from('{"name":"x"}'), path)).toBeUndefined();
    expect(parseLanguageManifest('npm', Buffer.from('[1]'), path)).toBeUndefined();
    expect(parseLanguageManifest('npm', Buffer.from('not json'), path)).toBeUndefined();
    expect(parseLanguageManifest('npm', Buffer.from('['.repeat(100_000)), path)).toBeUndefined();
    const metadata = 'Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n\nName: not-this\n';
    expect(parseLanguageManifest('pypi', Buffer.from(metadata), 'r.dist-info/METADATA')).toMatchObject({
      name: 'requests',
      version: '2.31.0',
    });
  });
});
