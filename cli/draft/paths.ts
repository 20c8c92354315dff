/**
 * The path and the id of a drafted spec: the /proc path the sample stands
 * for (with process ids written as `[pid]`), and the spec id that path
 * gives (`/proc/[pid]/timerslack_ns` -> proc/pid/timerslack_ns).
 */
import { basename, resolve } from 'node:path';
import { typeNameOf } from '../../generator/names.js';

/** A path a spec may name: under /proc/ or /sys/, parameters as lower-case words in brackets (the schema's and the checker's rules). */
const SPEC_PATH = /^\/(proc|sys)\/([A-Za-z0-9_.-]|\[[a-z]+\]|\/)+$/;
/** Longest path the schema accepts. */
const MAX_PATH = 200;
/** A spec id: the file under specs/ without .yaml, in path segments. */
const SPEC_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)*$/;

/**
 * The path a sample stands for: its own path when it is under /proc/ (a
 * process's own files under `[pid]`, a thread's under `[pid]/task/[tid]`),
 * else /proc/ and its file name.
 */
export function defaultPathOf(sample: string): string {
  const abs = resolve(sample);
  if (abs.startsWith('/proc/')) {
    return abs
      .replace(/^\/proc\/thread-self\//, '/proc/[pid]/task/[tid]/')
      .replace(/^\/proc\/([0-9]+|self)\/task\/[0-9]+\//, '/proc/[pid]/task/[tid]/')
      .replace(/^\/proc\/([0-9]+|self)\//, '/proc/[pid]/');
  }
  return `/proc/${basename(abs).replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** The spec id of a path: its segments without the leading slash, parameters without brackets. */
export function specIdOfPath(path: string): string {
  return path.replace(/^\/+/, '').replace(/\[([a-z]+)\]/g, '$1');
}

/** Why `path` cannot be a spec's path, or undefined when it can. */
export function badPath(path: string): string | undefined {
  return SPEC_PATH.test(path) && path.length <= MAX_PATH
    ? undefined
    : `--path ${path}: a spec's path starts with /proc/ or /sys/ and holds at most ${MAX_PATH} letters, digits, _ . - / and [parameter] words`;
}

/** Why `id` cannot be a spec id, or undefined when it can. */
export function badId(id: string): string | undefined {
  if (!SPEC_ID.test(id) || !/^[A-Z][A-Za-z0-9]*$/.test(typeNameOf(id))) {
    return `--id ${id}: a spec id is the spec's file under specs/ without .yaml, such as proc/net/psched`;
  }
  return undefined;
}
