/**
 * Counts of a cgroup's tasks by scheduling state. The kernel answers
 * CGROUPSTATS_CMD_GET (family TASKSTATS) only for a directory of a cgroup v1
 * hierarchy; for a cgroup v2 directory the same counts are computed from its
 * cgroup.threads and each thread's /proc/<tid>/stat. `source` says which.
 */
import { closeSync, existsSync, openSync, readFileSync, statfsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseProcPidMountinfo } from '../../generated/parsers/proc/pid/mountinfo.js';
import { parseProcPidStat } from '../../generated/parsers/proc/pid/stat.js';
import type { ProcPidMountinfo } from '../../generated/types/proc/pid/mountinfo.js';
import type { ProcPidStat } from '../../generated/types/proc/pid/stat.js';
import { ProcfsError, absent, ioError } from '../core/errors.js';
import { readViewSync } from '../reading/read.js';
import { GenlSocket, genlFamily } from './genl-socket.js';
import { LITTLE_ENDIAN, findAttr, u32Attr } from './netlink.js';
import { placeFields, structSize } from './struct-layout.js';
import { CGROUPSTATS_LAYOUT, TASKSTATS } from './taskstats-layout.js';

/** Commands and attributes of include/uapi/linux/cgroupstats.h (they share the TASKSTATS family). */
export const CGROUPSTATS = { CMD_GET: 4, CMD_NEW: 5, TYPE_CGROUP_STATS: 1, CMD_ATTR_FD: 1 } as const;

/** What cgroupstats reads /proc through: a ProcFs, or by default the live /proc read directly. */
export interface ProcReads {
  read(id: 'proc/pid/mountinfo', params: { pid: 'self' }): ProcPidMountinfo;
  read(id: 'proc/pid/stat', params: { pid: number }): ProcPidStat;
}

/** The live /proc, read without a ProcFs: the two files this module needs, parsed by their generated parsers. */
const liveProc: ProcReads = {
  read(id: 'proc/pid/mountinfo' | 'proc/pid/stat', params: { pid: 'self' | number }): never {
    const file = id === 'proc/pid/stat' ? `/proc/${params.pid}/stat` : `/proc/${params.pid}/mountinfo`;
    let text: Buffer;
    try {
      text = readViewSync(file);
    } catch (err) {
      throw absent(err, existsSync(dirname(file)));
    }
    return (id === 'proc/pid/stat' ? parseProcPidStat(text, { file }) : parseProcPidMountinfo(text, { file })) as never;
  },
};

/** statfs f_type of cgroup v1 and v2 file systems. */
const CGROUP_SUPER_MAGIC = 0x27e0eb;
const CGROUP2_SUPER_MAGIC = 0x63677270;

/** Tasks (threads) of a cgroup by state, not counting its descendants. */
export interface CgroupStats {
  /** Interruptible sleep (S). */
  nrSleeping: number;
  /** Running or runnable (R). */
  nrRunning: number;
  /** Stopped (T). */
  nrStopped: number;
  /** Uninterruptible sleep (D). */
  nrUninterruptible: number;
  /**
   * Waiting on I/O, counted by the kernel only for tasks in none of the states above (such as
   * TASK_KILLABLE or TASK_IDLE sleeps) that are in_iowait. null from procfs: /proc does not show it.
   */
  nrIoWait: number | null;
  /** 'netlink': the kernel's CGROUPSTATS_CMD_GET (cgroup v1); 'procfs': counted from /proc (cgroup v2). */
  source: 'netlink' | 'procfs';
  /** With source 'procfs': threads listed in the cgroup that ended before their stat was read. */
  gone?: number;
}

/** The cgroup version of the file system a directory is on; ProcfsError 'unsupported' if not a cgroup. */
export function cgroupVersion(dir: string): 1 | 2 {
  let type: number;
  try {
    type = statfsSync(dir).type;
  } catch (err) {
    throw ioError(dir, err);
  }
  if (type === CGROUP_SUPER_MAGIC) return 1;
  if (type === CGROUP2_SUPER_MAGIC) return 2;
  throw new ProcfsError('unsupported', `${dir}: not a cgroup directory (file system type 0x${type.toString(16)})`, { file: dir });
}

/** Mount points of cgroup v1 hierarchies (fsType 'cgroup' in /proc/self/mountinfo) with their options (controllers). */
export function cgroupV1Mounts(proc: ProcReads = liveProc): { mountPoint: string; options: string[] }[] {
  return proc
    .read('proc/pid/mountinfo', { pid: 'self' })
    .filter((m) => m.fsType === 'cgroup')
    .map((m) => ({ mountPoint: m.mountPoint, options: m.superOptions }));
}

/** The counts from the kernel, for a cgroup v1 directory (no privilege needed). */
export function cgroupstatsNetlink(dir: string): CgroupStats {
  const sock = new GenlSocket();
  let fd: number | undefined;
  try {
    const family = genlFamily(sock, TASKSTATS.GENL_NAME);
    try {
      fd = openSync(dir, 'r');
    } catch (err) {
      throw ioError(dir, err);
    }
    const reply = sock.request(family, CGROUPSTATS.CMD_GET, TASKSTATS.GENL_VERSION, [u32Attr(CGROUPSTATS.CMD_ATTR_FD, fd)], `cgroupstats of ${dir}`);
    const payload = findAttr(reply[0]?.attrs ?? [], CGROUPSTATS.TYPE_CGROUP_STATS);
    const fields = placeFields(CGROUPSTATS_LAYOUT);
    const size = structSize(fields);
    if (payload === undefined || payload.length < size) {
      throw new ProcfsError('parse', `cgroupstats of ${dir}: expected a struct cgroupstats of ${size} bytes`, {
        file: dir,
        expected: `${size} bytes`,
        found: `${payload?.length ?? 0} bytes`,
      });
    }
    const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const v = (name: string): number => Number(dv.getBigUint64(fields.find((f) => f.name === name)!.offset, LITTLE_ENDIAN));
    return {
      nrSleeping: v('nr_sleeping'),
      nrRunning: v('nr_running'),
      nrStopped: v('nr_stopped'),
      nrUninterruptible: v('nr_uninterruptible'),
      nrIoWait: v('nr_io_wait'),
      source: 'netlink',
    };
  } finally {
    if (fd !== undefined) closeSync(fd);
    sock.close();
  }
}

/** The counts from /proc, for any cgroup directory (cgroup v2 in practice): its threads' states. */
export function cgroupstatsProcfs(dir: string, proc: ProcReads = liveProc): CgroupStats {
  let text: string;
  try {
    text = readFileSync(join(dir, 'cgroup.threads'), 'utf8');
  } catch {
    try {
      text = readFileSync(join(dir, 'tasks'), 'utf8'); // a v1 directory lists its threads in `tasks`
    } catch (err) {
      throw ioError(join(dir, 'cgroup.threads'), err);
    }
  }
  const out: CgroupStats = { nrSleeping: 0, nrRunning: 0, nrStopped: 0, nrUninterruptible: 0, nrIoWait: null, source: 'procfs', gone: 0 };
  for (const tid of text
    .split('\n')
    .filter((l) => l !== '')
    .map(Number)) {
    let state: string;
    try {
      state = proc.read('proc/pid/stat', { pid: tid }).state;
    } catch (err) {
      if (err instanceof ProcfsError && err.code === 'not_found') {
        out.gone! += 1;
        continue;
      }
      throw err;
    }
    if (state === 'running') out.nrRunning++;
    else if (state === 'sleeping') out.nrSleeping++;
    else if (state === 'disk_sleep') out.nrUninterruptible++;
    else if (state === 'stopped') out.nrStopped++;
  }
  return out;
}

/**
 * Task counts by state of a cgroup directory: from the kernel for cgroup v1 (source 'netlink'),
 * from /proc for cgroup v2 (source 'procfs'), or from /proc when the native module is not available.
 */
export function cgroupstats(dir: string, proc?: ProcReads): CgroupStats {
  if (cgroupVersion(dir) === 1) {
    try {
      return cgroupstatsNetlink(dir);
    } catch (err) {
      if (!(err instanceof ProcfsError) || err.code !== 'unsupported') throw err;
    }
  }
  return cgroupstatsProcfs(dir, proc);
}
