/**
 * Exit statuses of the commands: 0 done, 1 a file that cannot be read (or
 * another failure of the system), 2 bad usage (an option, a column, a spec
 * name), said on stderr as `procspec <command>: <message>`.
 */
import { ProcfsError } from '../runtime/index.js';

/** A bad option value or name given to a command: exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Runs a command, turning its usage errors into exit 2 and its ProcfsErrors into 1 (2 for an unknown spec). */
export async function usageOr(name: string, run: () => number | Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    const status = statusOf(err);
    if (status === undefined) throw err;
    process.stderr.write(`procspec ${name}: ${(err as Error).message}\n`);
    return status;
  }
}

/** The exit status an error stands for, or undefined for one that is a bug (thrown on). */
function statusOf(err: unknown): number | undefined {
  if (err instanceof UsageError) return 2;
  // A ProcfsError naming a spec but no file: the spec itself is unknown (ProcFs.entry).
  if (err instanceof ProcfsError) return err.spec !== undefined && err.file === undefined ? 2 : 1;
  return undefined;
}
