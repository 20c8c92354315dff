/**
 * Reading a symbolic link of /proc (a spec with `link: true`): its target as
 * readlink gives it, as bytes (a path need not be UTF-8), for the spec's
 * parser. /proc/[pid]/fd/3, exe, cwd, root and ns/net are links whose target
 * the kernel makes when it is read (proc_fd_link, proc_exe_link,
 * proc_ns_get_link), so a link is read each time, never kept open.
 */
import * as fs from 'node:fs';
import { ioError, ProcfsError } from '../core/errors.js';

/** The error of a readlink: EINVAL says the file is there but is not a link (a spec that names the wrong file, or a copy that lost its links). */
function linkError(path: string, err: unknown): ProcfsError {
  const e = ioError(path, err);
  if (e.errno !== 'EINVAL') return e;
  return new ProcfsError('unsupported', `${path}: not a symbolic link (EINVAL from readlink)`, { file: path, errno: 'EINVAL', cause: err });
}

/** The target of the link at `path`, as bytes. Throws ProcfsError: `not_found` when it is gone (a closed descriptor, an ended process). */
export function readLinkSync(path: string): Buffer {
  try {
    return fs.readlinkSync(path, { encoding: 'buffer' });
  } catch (err) {
    throw linkError(path, err);
  }
}

/** readLinkSync without blocking the event loop. Rejects with ProcfsError. */
export async function readLinkAsync(path: string): Promise<Buffer> {
  try {
    return await fs.promises.readlink(path, { encoding: 'buffer' });
  } catch (err) {
    throw linkError(path, err);
  }
}
