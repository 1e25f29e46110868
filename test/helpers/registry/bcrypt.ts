// bcrypt ($2y$) in plain Node for the htpasswd file the registry reads (distribution accepts only
// bcrypt entries). No dependency: Blowfish's initial P-array and S-boxes are the hexadecimal
// digits of pi, so they are computed once with BigInt (Machin's formula) instead of being pasted.
import { randomBytes } from 'node:crypto';

const WORDS = 18 + 4 * 256;
let piWords: Uint32Array | undefined;

/** The first `WORDS` 32-bit words of the fractional part of pi (0x243f6a88, 0x85a308d3, ...). */
function blowfishInit(): Uint32Array {
  if (piWords) return piWords;
  const bits = BigInt(WORDS * 32 + 64);
  const one = 1n << bits;
  const arctanInv = (x: bigint): bigint => {
    const x2 = x * x;
    let term = one / x;
    let sum = term;
    for (let k = 1n, sign = -1n; term !== 0n; k++, sign = -sign) {
      term /= x2;
      sum += (sign * term) / (2n * k + 1n);
    }
    return sum;
  };
  const pi = 16n * arctanInv(5n) - 4n * arctanInv(239n);
  let frac = (pi - 3n * one) >> 64n; // WORDS*32 bits of the fraction
  const out = new Uint32Array(WORDS);
  for (let i = WORDS - 1; i >= 0; i--) {
    out[i] = Number(frac & 0xffffffffn);
    frac >>= 32n;
  }
  piWords = out;
  return out;
}

class Blowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array;
  constructor() {
    const init = blowfishInit();
    this.p = init.slice(0, 18);
    this.s = init.slice(18);
  }

  private f(x: number): number {
    const s = this.s;
    return ((((s[x >>> 24]! + s[256 + ((x >>> 16) & 0xff)]!) | 0) ^ s[512 + ((x >>> 8) & 0xff)]!) + s[768 + (x & 0xff)]!) | 0;
  }

  /** Enciphers lr[off], lr[off+1] in place. */
  encipher(lr: Uint32Array, off: number): void {
    const p = this.p;
    let l = lr[off]! ^ p[0]!;
    let r = lr[off + 1]!;
    for (let i = 1; i <= 16; i += 2) {
      r ^= this.f(l) ^ p[i]!;
      l ^= this.f(r) ^ p[i + 1]!;
    }
    lr[off] = (r ^ p[17]!) >>> 0;
    lr[off + 1] = l >>> 0;
  }

  /** ExpandKey(state, salt, key); `salt` undefined = the zero-salt variant. */
  expand(key: Uint8Array, salt?: Uint8Array): void {
    const keyPos = { i: 0 };
    const saltPos = { i: 0 };
    for (let i = 0; i < 18; i++) this.p[i] = (this.p[i]! ^ streamWord(key, keyPos)) >>> 0;
    const lr = new Uint32Array(2);
    const step = (target: Uint32Array, at: number): void => {
      if (salt) {
        lr[0] = lr[0]! ^ streamWord(salt, saltPos);
        lr[1] = lr[1]! ^ streamWord(salt, saltPos);
      }
      this.encipher(lr, 0);
      target[at] = lr[0]!;
      target[at + 1] = lr[1]!;
    };
    for (let i = 0; i < 18; i += 2) step(this.p, i);
    for (let i = 0; i < 1024; i += 2) step(this.s, i);
  }
}

function streamWord(data: Uint8Array, pos: { i: number }): number {
  let word = 0;
  for (let k = 0; k < 4; k++) {
    word = (word << 8) | data[pos.i]!;
    pos.i = (pos.i + 1) % data.length;
  }
  return word >>> 0;
}

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BCRYPT = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function b64(data: Uint8Array): string {
  return Buffer.from(data)
    .toString('base64')
    .replace(/=+$/, '')
    .replace(/./g, (c) => BCRYPT[STD.indexOf(c)]!);
}

/** Hashes `password` as `$2y$<cost>$<22 salt chars><31 hash chars>` (cost 4..31; 5 = htpasswd -B default). */
export function bcryptHash(password: string, cost = 5, salt: Uint8Array = randomBytes(16)): string {
  if (cost < 4 || cost > 31) throw new Error(`bcrypt cost ${cost} out of range 4..31`);
  if (salt.length !== 16) throw new Error('bcrypt salt must be 16 bytes');
  // $2b$/$2y$: UTF-8 key with its NUL terminator, at most 72 bytes.
  const key = Buffer.concat([Buffer.from(password, 'utf8'), Buffer.alloc(1)]).subarray(0, 72);
  const bf = new Blowfish();
  bf.expand(key, salt);
  for (let i = 0, rounds = 2 ** cost; i < rounds; i++) {
    bf.expand(key);
    bf.expand(salt);
  }
  const ctext = new Uint32Array(6);
  const magic = Buffer.from('OrpheanBeholderScryDoubt', 'latin1');
  for (let i = 0; i < 6; i++) ctext[i] = magic.readUInt32BE(i * 4);
  for (let i = 0; i < 64; i++) for (let j = 0; j < 6; j += 2) bf.encipher(ctext, j);
  const out = Buffer.alloc(24);
  for (let i = 0; i < 6; i++) out.writeUInt32BE(ctext[i]!, i * 4);
  return `$2y$${String(cost).padStart(2, '0')}$${b64(salt)}${b64(out.subarray(0, 23))}`;
}

/** An htpasswd file body (one `user:bcrypt` line per user). */
export function htpasswdFile(users: Record<string, string>, cost = 5): string {
  return Object.entries(users)
    .map(([user, password]) => {
      if (user.includes(':') || /\s/.test(user)) throw new Error(`bad htpasswd user name: ${user}`);
      return `${user}:${bcryptHash(password, cost)}\n`;
    })
    .join('');
}
