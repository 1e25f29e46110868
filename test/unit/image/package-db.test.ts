// Package database parsers on text shaped like what distributions write.
import { describe, expect, it } from 'vitest';
import { parseApkInstalled, parseDpkgStatus, parseOsRelease } from '../../../src/image/package-db.js';
import { apkInstalled, debianPackages, dpkgStatus, osRelease, REMOVED_STANZA } from '../../helpers/image/distros.js';

describe('package databases', () => {
  it('dpkg status: installed packages only, source without its version, descriptions skipped', () => {
    const pkgs = debianPackages(12);
    const parsed = parseDpkgStatus(dpkgStatus(pkgs, [REMOVED_STANZA]));
    expect(parsed).toHaveLength(12);
    expect(parsed[0]).toEqual({ name: 'debpkg00', version: '1.0.0-1', architecture: 'all', source: 'debsrc0' });
    expect(parsed[1]).toEqual({ name: 'debpkg01', version: '1.1.0-2', architecture: 'amd64' });
    expect(parsed.some((p) => p.name === 'oldpkg')).toBe(false);
  });

  it('distroless status.d files have no Status field and still count', () => {
    expect(parseDpkgStatus('Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n')).toEqual([
      { name: 'tzdata', version: '2024a-0+deb12u1', architecture: 'all' },
    ]);
  });

  it('apk installed: P, V, A and origin', () => {
    const parsed = parseApkInstalled(
      apkInstalled([
        { name: 'musl', version: '1.2.5-r0', architecture: 'x86_64' },
        { name: 'busybox', version: '1.36.1-r29', architecture: 'x86_64', source: 'busybox' },
      ]),
    );
    expect(parsed).toEqual([
      { name: 'musl', version: '1.2.5-r0', architecture: 'x86_64', source: 'musl' },
      { name: 'busybox', version: '1.36.1-r29', architecture: 'x86_64', source: 'busybox' },
    ]);
  });

  it('os-release: quoted and bare values', () => {
    expect(parseOsRelease(osRelease('debian', '12', 'Debian GNU/Linux 12 (bookworm)'))).toMatchObject({
      ID: 'debian',
      VERSION_ID: '12',
      PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)',
    });
    expect(parseOsRelease("ID='alpine'\n# comment\nbad line\n")).toEqual({ ID: 'alpine' });
  });
});
