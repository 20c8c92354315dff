/**
 * How the exporter reads its files: async, so that a file that does not
 * answer can miss the scrape's deadline without stopping the server, and
 * cheaply, since a scrape reads some twenty files. On a live procfs each
 * file is kept open and re-read from offset 0 with pread (procfs prints the
 * file anew for a read at 0), one request to libuv's thread pool per read
 * (two for a file not printed in one piece) instead of open, read and close
 * through promises; the bytes are parsed by the ProcFs, in its mode. A read
 * through a kept descriptor that fails closes it, and the file is read once
 * by the ProcFs's own async read, which gives the error a caller sees (or
 * the value, when the file came back). Saved copies are read by the ProcFs.
 */
import { close, open, read, statfsSync } from 'node:fs';
import type { PathParams, ProcFs } from '../runtime/index.js';

/** Magic number of a procfs mount (statfs f_type). */
const PROC_SUPER_MAGIC = 0x9fa0;

/** Most descriptors the exporter keeps open; the one read longest ago is closed first. */
const MAX_KEPT = 64;

const FIRST = 16 * 1024;

export interface Reads {
  read(id: string, params: PathParams | undefined): Promise<unknown>;
  /** Closes the kept descriptors. */
  close(): void;
}

/** What the reads need of a ProcFs (either mode). */
type Fs = Pick<ProcFs<boolean>, 'root'> & {
  readAsync(id: string, params?: PathParams): Promise<unknown>;
  path(id: string, params?: PathParams): string;
  parse(id: string, text: Uint8Array, file: string): unknown;
  entry(id: string): { model: { singleRecord?: boolean } };
};

function isLive(root: string): boolean {
  try {
    return statfsSync(root).type === PROC_SUPER_MAGIC;
  } catch {
    return false;
  }
}

const openAsync = (path: string): Promise<number> => new Promise((resolve, reject) => open(path, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));

const preadAsync = (fd: number, buf: Buffer, offset: number, position: number): Promise<number> =>
  new Promise((resolve, reject) => read(fd, buf, offset, buf.length - offset, position, (err, n) => (err ? reject(err) : resolve(n))));

/** The bytes of a kept file, read from offset 0 to its end (a short read ends a file printed in one piece). */
async function reread(fd: number, single: boolean): Promise<Buffer> {
  let buf = Buffer.allocUnsafe(FIRST);
  let length = 0;
  for (;;) {
    const n = await preadAsync(fd, buf, length, length);
    if (n === 0) break;
    length += n;
    if (single && length < buf.length) break;
    if (length === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, length);
      buf = bigger;
    }
  }
  return buf.subarray(0, length);
}

export function readsOf(procfs: ProcFs<boolean>): Reads {
  const fs = procfs as unknown as Fs;
  if (!isLive(fs.root)) return { read: (id, params) => fs.readAsync(id, params), close: () => {} };
  /**
   * Descriptor (or its opening) by path, and the read through it that ended
   * last or is under way: a descriptor is closed only once its read has
   * ended, so that no read goes to a number the system has given to another
   * file. Map order is the order of last use.
   */
  const kept = new Map<string, { fd: Promise<number>; busy: Promise<unknown> }>();
  const drop = (path: string): void => {
    const k = kept.get(path);
    kept.delete(path);
    if (k !== undefined) {
      const shut = () =>
        k.fd.then(
          (n) => close(n, () => {}),
          () => {},
        );
      k.busy.then(shut, shut);
    }
  };
  const descriptor = (path: string): { fd: Promise<number>; busy: Promise<unknown> } => {
    let k = kept.get(path);
    if (k !== undefined) kept.delete(path);
    else {
      if (kept.size >= MAX_KEPT) drop(kept.keys().next().value as string);
      const fd = openAsync(path);
      k = { fd, busy: fd };
    }
    kept.set(path, k);
    return k;
  };
  // Only files of the procfs are kept: a cgroup's files are many, and a descriptor kept would hold the group's file after it is removed.
  const underProc = `${fs.root.replace(/\/+$/, '')}/`;
  return {
    async read(id, params) {
      const path = fs.path(id, params);
      if (!path.startsWith(underProc)) return fs.readAsync(id, params);
      let bytes: Buffer;
      try {
        const k = descriptor(path);
        const read = k.fd.then((fd) => reread(fd, fs.entry(id).model.singleRecord === true));
        k.busy = read;
        bytes = await read;
      } catch {
        drop(path);
        return fs.readAsync(id, params);
      }
      return fs.parse(id, bytes, path);
    },
    close() {
      for (const path of [...kept.keys()]) drop(path);
    },
  };
}
