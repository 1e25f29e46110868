// Runs skopeo (the containers/image client, Debian package) as the peer in the same run.
import { execFile, execFileSync } from 'node:child_process';

export function skopeoAvailable(): boolean {
  try {
    execFileSync('skopeo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface SkopeoRun {
  ms: number;
  stdout: string;
}

export function skopeo(args: string[]): Promise<SkopeoRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile('skopeo', args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`skopeo ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve({ ms: performance.now() - started, stdout });
    });
  });
}
