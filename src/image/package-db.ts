// Parsers for the OS package databases and os-release, as written inside images: dpkg's status
// file (RFC 822-style stanzas; distroless images keep one file per package in status.d/), apk's
// `installed` (one `K:value` line per field, blank line between packages) and os-release
// (`KEY=value`, shell-quoted). Upstream text: read defensively, fields picked by name.

export interface OsPackage {
  name: string;
  version: string;
  architecture?: string;
  /** The source package (dpkg `Source`, apk origin `o`), without a version. */
  source?: string;
}

/** Stanzas separated by blank lines; continuation lines (leading space) belong to the field above. */
function stanzas(text: string): Array<Map<string, string>> {
  const out: Array<Map<string, string>> = [];
  let current = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (current.size > 0) out.push(current);
      current = new Map();
      last = undefined;
      continue;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) continue; // descriptions: not needed
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    current.set(last, line.slice(colon + 1).trim());
  }
  if (current.size > 0) out.push(current);
  return out;
}

/** Packages dpkg lists as installed (`Status: install ok installed`); status.d files carry no Status. */
export function parseDpkgStatus(text: string): OsPackage[] {
  const out: OsPackage[] = [];
  for (const fields of stanzas(text)) {
    const name = fields.get('package');
    const version = fields.get('version');
    if (!name || !version) continue;
    const status = fields.get('status');
    if (status !== undefined && !/\binstalled$/.test(status)) continue;
    const pkg: OsPackage = { name, version };
    const arch = fields.get('architecture');
    if (arch) pkg.architecture = arch;
    const source = fields.get('source')?.replace(/\s*\(.*\)$/, '');
    if (source) pkg.source = source;
    out.push(pkg);
  }
  return out;
}

export function parseApkInstalled(text: string): OsPackage[] {
  const out: OsPackage[] = [];
  let fields = new Map<string, string>();
  const flush = (): void => {
    const name = fields.get('P');
    const version = fields.get('V');
    if (name && version) {
      const pkg: OsPackage = { name, version };
      const arch = fields.get('A');
      if (arch) pkg.architecture = arch;
      const origin = fields.get('o');
      if (origin) pkg.source = origin;
      out.push(pkg);
    }
    fields = new Map();
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') flush();
    else if (line[1] === ':') fields.set(line[0]!, line.slice(2));
  }
  flush();
  return out;
}

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    let value = match[2]!;
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1).replace(/\\(["$`\\])/g, '$1');
    out[match[1]!] = value;
  }
  return out;
}
