// Tag ordering and filtering for list_tags: semver (newest first, pre-releases before their
// release) or by name; substring or glob filters.

export function semverKey(tag: string): [number, number, number, number, string] | undefined {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+](.*))?$/.exec(tag);
  if (!match) return undefined;
  // A pre-release sorts before its release: 1.0.0-rc1 < 1.0.0.
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0), match[4] ? 0 : 1, match[4] ?? ''];
}

export function sortTags(tags: string[], sort: 'semver' | 'name' | undefined): string[] {
  if (sort === 'name') return [...tags].sort((a, b) => a.localeCompare(b));
  if (sort !== 'semver') return tags;
  return [...tags].sort((a, b) => {
    const ka = semverKey(a);
    const kb = semverKey(b);
    if (ka && kb) {
      for (let i = 0; i < 4; i++) if (ka[i] !== kb[i]) return (kb[i] as number) - (ka[i] as number);
      return kb[4].localeCompare(ka[4]);
    }
    if (ka) return -1; // versions first, newest first
    if (kb) return 1;
    return a.localeCompare(b);
  });
}

/** `*` and `?` globs; without a wildcard, a substring match. */
export function tagFilter(pattern: string): (tag: string) => boolean {
  if (!/[*?]/.test(pattern)) return (tag) => tag.includes(pattern);
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const regex = new RegExp(`^${source}$`);
  return (tag) => regex.test(tag);
}
