// RFC 7235 `WWW-Authenticate` parsing: several challenges in one header, auth-params whose
// quoted values may hold commas and escaped quotes (`scope="repository:a/b:pull,push"`).

export interface Challenge {
  /** Lower-cased scheme: "bearer", "basic", … */
  scheme: string;
  /** Lower-cased parameter names → unquoted values. */
  params: Record<string, string>;
  token68?: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;
const TOKEN68 = /^([A-Za-z0-9._~+/-]+=*)[ \t]*(?=,|$)/;

export function parseWwwAuthenticate(header: string | null | undefined): Challenge[] {
  const challenges: Challenge[] = [];
  let rest = (header ?? '').trim();
  let current: Challenge | undefined;

  while (rest.length > 0) {
    rest = rest.replace(/^[\s,]+/, '');
    const name = TOKEN.exec(rest)?.[0];
    if (!name) break; // malformed remainder: keep what was parsed so far
    rest = rest.slice(name.length).replace(/^[ \t]+/, '');

    if (rest.startsWith('=') && current) {
      // auth-param: name = token / quoted-string
      rest = rest.slice(1).replace(/^[ \t]+/, '');
      let value = '';
      if (rest.startsWith('"')) {
        let i = 1;
        while (i < rest.length && rest[i] !== '"') {
          if (rest[i] === '\\' && i + 1 < rest.length) i++;
          value += rest[i];
          i++;
        }
        rest = rest.slice(i + 1);
      } else {
        value = /^[^\s,]*/.exec(rest)?.[0] ?? '';
        rest = rest.slice(value.length);
      }
      current.params[name.toLowerCase()] = value;
      continue;
    }

    current = { scheme: name.toLowerCase(), params: {} };
    challenges.push(current);
    const token68 = TOKEN68.exec(rest);
    if (token68?.[1]) {
      current.token68 = token68[1];
      rest = rest.slice(token68[0].length);
    }
  }
  return challenges;
}

/** Scopes named by a Bearer challenge (space-separated in one `scope` param). */
export function challengeScopes(challenge: Challenge): string[] {
  return (challenge.params.scope ?? '').split(' ').filter((s) => s.length > 0);
}
