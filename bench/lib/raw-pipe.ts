// The raw limit for a blob copy between two registries: `curl GET | curl -T - PUT` with the same
// upload protocol the server uses for a big streamed blob (POST to open a session, then one PUT
// ?digest= carrying the whole body, chunked), no manifest work, no hashing on our side.
import { execFile } from 'node:child_process';

const SCRIPT = `
set -e -o pipefail
location=$(curl -sf -D - -o /dev/null -X POST "http://$2/v2/$3/blobs/uploads/" | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p')
case "$location" in http*) ;; *) location="http://$2$location" ;; esac
case "$location" in *\\?*) sep='&' ;; *) sep='?' ;; esac
code=$(curl -sf "http://$1/v2/$4/blobs/$5" | curl -sf -o /dev/null -w '%{http_code}' -T - -H 'content-type: application/octet-stream' "$location\${sep}digest=$5")
test "$code" = 201
times
`;

export interface RawPipeRun {
  /** Wall time. */
  ms: number;
  /** CPU time (user + system) of the curl processes, from bash's `times`. */
  cpuMs: number;
}

/** `0m1.234s` → ms. */
function seconds(text: string | undefined): number {
  const match = /(\d+)m([\d.]+)s/.exec(text ?? '');
  return match ? (Number(match[1]) * 60 + Number(match[2])) * 1000 : NaN;
}

/** Copies blob `digest` from `srcHost`/`srcRepo` to `dstHost`/`dstRepo`. */
export function rawPipe(srcHost: string, srcRepo: string, dstHost: string, dstRepo: string, digest: string): Promise<RawPipeRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', SCRIPT, 'raw-pipe', srcHost, dstHost, dstRepo, srcRepo, digest], (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`raw pipe of ${digest} failed: ${stderr || error.message}`));
        return;
      }
      // `times`: the shell's own user/sys, then its children's (the curls).
      const [user, system] = (stdout.trim().split('\n')[1] ?? '').split(/\s+/);
      resolve({ ms: performance.now() - started, cpuMs: seconds(user) + seconds(system) });
    });
  });
}
