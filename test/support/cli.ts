/** Runs the procspec CLI from the sources as a user would (spawned), for tests of commands. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';

export const repo = join(import.meta.dirname, '..', '..');

/** The command that starts the CLI from the sources: node --import tsx cli/run.ts. */
export const CLI = [process.execPath, '--import', 'tsx', join(repo, 'cli', 'run.ts')] as const;

/** Runs `procspec ARGS...` to its end: status, stdout and stderr as text. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(CLI[0], [...CLI.slice(1), ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
}
