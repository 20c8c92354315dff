/**
 * Reading one task into a row: the reader of its files (by path, from a
 * native batch, or through kept descriptors: the caller chooses), the
 * parse context of a listing, and readTask, which tells a task that ended
 * from one whose file the reader may not see (left out of the row with the
 * reason) and from a damaged file.
 */
import { registry } from '../../generated/index.js';
import { pickProcPidStat } from '../../generated/parsers/proc/pid/stat.js';
import type { FileText } from '../core/bytes.js';
import type { ParseContext, ParseOptions, ReadContext } from '../core/context.js';
import { ProcfsError } from '../core/errors.js';
import { readViewSync } from '../reading/read.js';
import { FILE_OF, type Parsed, type Plan, type Stat } from './groups.js';
import { startTicksOf } from './identity.js';
import { fill, statRow } from './internal/rows.js';
import type { Task } from './tasks.js';

/** Task files the kernel prints in one piece (their specs say singleRecord): read without the final empty read. */
export const SINGLE_RECORD: ReadonlySet<string> = new Set(
  registry.filter((e) => e.id.startsWith('proc/pid/') && e.model.singleRecord === true).map((e) => e.id.slice('proc/pid/'.length)),
);

/**
 * Reads one file of a task folder (`file` is a name of FILE_OF): its bytes
 * (valid until the next read: readTask parses each file before reading the
 * next) or text, or a ProcfsError naming the path. The listing, the native
 * batch and the refresh mode each give readTask their own.
 */
export type TaskRead = (dir: string, file: string) => FileText;

/** The reader of task files by path: one read for files printed in one piece. */
export const readTaskFile: TaskRead = (dir, file) => readViewSync(`${dir}/${file}`, SINGLE_RECORD.has(file));

const GONE = new Set(['not_found']);

/**
 * Reads one task: the row (and the stat it came from), or undefined when it
 * ended. Rethrows what is neither "gone" nor a denied group. `c` is the
 * listing's parse context, whose `file` is set to each file before it is
 * parsed (one context per listing, not one per file). `seen`, if given, is
 * handed the stat the row comes from (the refresh mode's counters).
 */
export function readTask(t: Task, { statGroups, others, statFields }: Plan, c: ParseContext, read: TaskRead, seen?: (stat: Stat) => void): Parsed | undefined {
  let stat: Stat;
  try {
    const text = read(t.dir, 'stat');
    c.file = `${t.dir}/stat`;
    // Only the fields the groups need: the fields of a pick are those of the full stat type, the others absent.
    stat = pickProcPidStat(text, statFields, c as ParseOptions) as Stat;
  } catch (err) {
    if (err instanceof ProcfsError && (GONE.has(err.code) || err.errno === 'ESRCH')) return undefined;
    throw err;
  }
  seen?.(stat);
  const row = statRow(t, stat, startTicksOf(stat.starttime, c.clockTick), statGroups, c);
  for (const g of others) {
    const name = FILE_OF[g];
    let text: FileText;
    try {
      text = read(t.dir, name);
    } catch (err) {
      if (!(err instanceof ProcfsError)) throw err;
      if (GONE.has(err.code) || err.errno === 'ESRCH') return undefined;
      if (err.code === 'permission' || err.code === 'unsupported') {
        ((row.denied ??= {}) as Record<string, string>)[g] = err.code;
        continue;
      }
      throw err;
    }
    c.file = `${t.dir}/${name}`;
    fill(row, g, text, c, stat);
  }
  return row;
}

/** What reading one task gives a listing: its row, undefined when it ended, null when a file of it did not parse. */
export type TaskResult = Parsed | undefined | null;

/**
 * readTask for a listing: a task one of whose files does not parse (never
 * seen from a kernel; a damaged copy) goes into `failed` with its error,
 * returned as null, so that one damaged file does not end the listing.
 */
export function readTaskOrFail(
  failed: { pid: number; error: ProcfsError }[],
  t: Task,
  p: Plan,
  c: ParseContext,
  read: TaskRead,
  seen?: (stat: Stat) => void,
): TaskResult {
  try {
    return readTask(t, p, c, read, seen);
  } catch (err) {
    if (!(err instanceof ProcfsError) || err.code !== 'parse') throw err;
    failed.push({ pid: t.pid, error: err });
    return null;
  }
}

/** A parse context of its own for one listing (readTask sets its `file`), in the mode of `ctx` (exact with `bigint: true`). */
export const listingContext = (root: string, ctx: (file: string) => ReadContext): ReadContext => ({ ...ctx(root) });
