/**
 * How a spec is named on the command line, the same for every command that
 * takes one (`watch`, `docs`, `parse --as`):
 *
 * - its id: `proc/meminfo`, `proc/pid/stat`, `sys/fs/cgroup/cpu.stat`;
 * - a short name: the id without `proc/` (`meminfo`, `net/dev`, `pid/stat`),
 *   or the end of one id alone (`cpu.stat`, `limits`);
 * - the path of a file it reads: `/proc/meminfo`, `/proc/1/stat`, a saved
 *   copy (`./saved/net/dev`), found as `procspec parse` finds it.
 *
 * A word that starts with `/` or `.` is a path; any other is a name first,
 * then a path when such a file exists. A word that names nothing is a usage
 * error (exit 2) listing the nearest ids.
 */
import { existsSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { type MatchOptions, type SpecModel, specForPath } from '../runtime/index.js';
import { nearestNote } from './suggest.js';
import { UsageError } from './usage.js';

/** What resolving needs of a spec entry (read or write-only). */
export interface Named {
  id: string;
  model: Pick<SpecModel, 'paths'>;
}

/** The spec a word names, and the file when the word is a path. */
export interface Resolved<T> {
  entry: T;
  file?: string;
}

/**
 * The path a file's spec is found from: a relative path that names a file in
 * /proc or /sys (`stat` in /sys/block/sda) as that absolute path, so that it
 * is matched as the kernel's file it is; any other path as given.
 */
export function matchedPath(file: string): string {
  if (isAbsolute(file)) return file;
  const abs = resolve(file);
  return /^\/(proc|sys)\//.test(abs) ? abs : file;
}

/** Whether a word is written as a path: absolute, or relative from `.` or `..`. */
const pathLike = (word: string): boolean => word.startsWith('/') || word.startsWith('.');

/** The spec a name gives, undefined when none; several specs ending in the name are a usage error. */
function byName<T extends Named>(word: string, entries: readonly T[]): T | undefined {
  const exact = entries.find((e) => e.id === word) ?? entries.find((e) => e.id === `proc/${word}`);
  if (exact !== undefined) return exact;
  const tails = entries.filter((e) => e.id.endsWith(`/${word}`));
  if (tails.length > 1) throw new UsageError(`${word} names several specs: ${tails.map((e) => e.id).join(', ')}; give one of them`);
  return tails[0];
}

/**
 * The spec `word` names among `entries` (see the top of this file), and the
 * file when it is a path. Throws UsageError when it names none.
 */
export function resolveSpec<T extends Named>(word: string, entries: readonly T[], opts: MatchOptions = {}): Resolved<T> {
  const named = pathLike(word) ? undefined : byName(word, entries);
  if (named !== undefined) return { entry: named };
  const ids = entries.map((e) => e.id);
  if (pathLike(word) || existsSync(word)) {
    const entry = specForPath(entries, matchedPath(word), opts);
    if (entry !== undefined) return { entry, file: word };
    throw new UsageError(`no spec reads ${word}${nearestNote(basename(word), ids)}; see \`procspec list\``);
  }
  throw new UsageError(`no spec named ${word}${nearestNote(word, ids)}; see \`procspec list\``);
}
