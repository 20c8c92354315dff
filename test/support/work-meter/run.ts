/** Runs a script under the work meter, in a process of its own (the hooks apply to a whole process): its output. */
import { execFile, execFileSync } from 'node:child_process';

const REGISTER = new URL('./register.ts', import.meta.url).pathname;

export function runMetered(script: string, args: string[] = []): string {
  return execFileSync(process.execPath, ['--import', 'tsx', '--import', REGISTER, script, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
}

/** runMetered without blocking: several metered processes can run side by side. */
export function runMeteredAsync(script: string, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--import', REGISTER, script, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 }, (err, stdout) =>
      err === null ? resolve(stdout) : reject(err),
    );
  });
}
