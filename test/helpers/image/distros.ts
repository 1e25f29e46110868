// Package databases as distributions write them, generated so tests know exactly what is inside:
// a Debian-like dpkg `status`, an Alpine-like apk `installed`, distroless `status.d/` files.

export interface FakePackage {
  name: string;
  version: string;
  architecture: string;
  source?: string;
}

/** `count` Debian-style packages; every fifth one built from a differently named source. */
export function debianPackages(count: number, seed = 'deb'): FakePackage[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${seed}pkg${String(i).padStart(2, '0')}`,
    version: `1.${i}.0-${(i % 3) + 1}`,
    architecture: i % 7 === 0 ? 'all' : 'amd64',
    ...(i % 5 === 0 ? { source: `${seed}src${i}` } : {}),
  }));
}

export function dpkgStatus(packages: readonly FakePackage[], extra: string[] = []): string {
  const stanzas = packages.map((p) =>
    [
      `Package: ${p.name}`,
      'Status: install ok installed',
      'Priority: optional',
      'Section: libs',
      'Installed-Size: 120',
      'Maintainer: Fixture Maintainers <fixtures@example.com>',
      `Architecture: ${p.architecture}`,
      ...(p.source ? [`Source: ${p.source} (${p.version})`] : []),
      `Version: ${p.version}`,
      'Depends: libc6 (>= 2.36)',
      `Description: fixture package ${p.name}`,
      ' A longer description line that belongs to the field above.',
      ' .',
      ' And another.',
    ].join('\n'),
  );
  return [...stanzas, ...extra].join('\n\n') + '\n';
}

/** A stanza dpkg keeps for a removed package whose config files remain: not installed. */
export const REMOVED_STANZA = 'Package: oldpkg\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 0.9\n';

export function apkInstalled(packages: readonly FakePackage[]): string {
  return (
    packages
      .map((p) =>
        [
          `C:Q1fixture${p.name}=`,
          `P:${p.name}`,
          `V:${p.version}`,
          `A:${p.architecture}`,
          'S:1000',
          'I:4096',
          `T:fixture ${p.name}`,
          `o:${p.source ?? p.name}`,
          'm:Fixtures',
          'F:usr/lib',
          `R:lib${p.name}.so`,
        ].join('\n'),
      )
      .join('\n\n') + '\n\n'
  );
}

export function osRelease(id: string, version: string, pretty: string): string {
  return `PRETTY_NAME="${pretty}"\nNAME="${pretty.split(' ')[0]}"\nVERSION_ID="${version}"\nID=${id}\nHOME_URL="https://example.com/"\n`;
}
