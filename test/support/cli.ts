/**
 * Runs the procspec CLI as a user would (spawned), for tests of commands.
 *
 * A spawn of `bin/procspec.js` runs the built copy in dist/ (plain Node: about a third of the CPU time of a start
 * through tsx, which compiles the TypeScript it loads); `npm test` builds dist/ before vitest runs. When dist/ is
 * missing or older than a source it is built from (a source edited since the last build, a test file run by
 * itself), the tests run the sources through tsx instead, so that they never test a stale copy.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const repo = join(import.meta.dirname, '..', '..');

/**
 * The command that starts the CLI from the sources: node --import tsx cli/run.ts (tsx named by its file, so that
 * it runs in any working folder). new-spec always runs so: it loads the generator.
 */
export const CLI_SOURCES = [process.execPath, '--import', join(repo, 'node_modules', 'tsx', 'dist', 'loader.mjs'), join(repo, 'cli', 'run.ts')] as const;

/** The command that starts the built CLI as the package's `procspec` does: node bin/procspec.js. */
export const CLI_BUILT = [process.execPath, join(repo, 'bin', 'procspec.js')] as const;

/** The folders tsconfig.build.json compiles; what they import (exporter/, ...) is compiled with them. */
const BUILT_FROM = ['runtime', 'generated', 'cli'];

/** Every file under `dir` (relative to it) whose name ends with `ext`; none when it does not exist. */
function filesOf(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith(ext) && !f.endsWith('.d.ts'));
}

const mtime = (path: string): number | undefined => (existsSync(path) ? statSync(path).mtimeMs : undefined);

/**
 * Whether dist/ was built from the sources as they are: every .ts of the built folders has its .js in dist/, no
 * .js in dist/ is older than its .ts, and the bundled CLI (dist/bin/, tools/bundle-cli.mjs) is no older than the
 * modules it was made from. A source changed since the build (mtime), or a tsc run without the bundle after it,
 * makes dist/ stale.
 */
export function distIsFresh(): boolean {
  const dist = join(repo, 'dist');
  const bundled = mtime(join(dist, 'bin', 'main.js'));
  if (mtime(join(dist, 'cli', 'main.js')) === undefined || bundled === undefined) return false;
  for (const folder of BUILT_FROM) {
    for (const f of filesOf(join(repo, folder), '.ts')) {
      const built = mtime(join(dist, folder, f.replace(/\.ts$/, '.js')));
      if (built === undefined || built < statSync(join(repo, folder, f)).mtimeMs) return false;
    }
  }
  for (const f of filesOf(dist, '.js')) {
    const built = statSync(join(dist, f)).mtimeMs;
    const source = mtime(join(repo, f.replace(/\.js$/, '.ts')));
    if (source !== undefined && source > built) return false;
    if (!f.startsWith('bin/') && built > bundled) return false;
  }
  return true;
}

/** The command that starts the CLI: the built one when dist/ is fresh, else the sources through tsx. */
export const CLI: readonly [string, ...string[]] = distIsFresh() ? CLI_BUILT : CLI_SOURCES;

/** CLI as one line for `sh -c` (each word single-quoted). */
export const CLI_LINE = CLI.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');

/** Runs `procspec ARGS...` to its end: status, stdout and stderr as text. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(CLI[0], [...CLI.slice(1), ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
}

/** What `runCliAsync` gives: the exit status (null when killed by a signal), stdout and stderr as text. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command ARGS...` from the repository to its end without blocking the test process: status, stdout and stderr as text. */
export function runAsync(command: readonly string[], args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, [...command.slice(1), ...args], { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * Runs `procspec ARGS...` to its end as runCli does, without blocking the test process: the cases of a file that
 * spawn many commands run them side by side (it.concurrent), which keeps both cores busy while one waits. `command`
 * starts the CLI (CLI_SOURCES for a command that loads the generator).
 */
export const runCliAsync = (args: readonly string[], env: Record<string, string> = {}, command: readonly string[] = CLI): Promise<CliRun> =>
  runAsync(command, args, env);
