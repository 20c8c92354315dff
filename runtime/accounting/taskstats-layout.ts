/**
 * include/uapi/linux/taskstats.h as data: the generic netlink commands and
 * attributes, and struct taskstats, its fields in order, each with its C
 * type, the struct version that appended it, the kernel's unit and what it
 * means. The struct is append-only (a newer kernel adds fields at the end
 * and bumps `version`), so offsets are computed from this list with C's
 * alignment rules (struct-layout.ts), and a struct of any version decodes:
 * the fields its version has, the rest of its bytes counted as unknown.
 *
 * Version 15 is the exception: it inserted max/min fields in the middle
 * (upstream commits 658eb5ab916d, f65c64f311ee) and was replaced by version
 * 16, which appends them at the end instead (0bf2d838de1f); a version 15
 * struct is refused rather than misread.
 *
 * `since` for versions 2 to 8 follows the header's history of additions
 * (basic and extended accounting, storage I/O, context switches, scaled
 * times, reclaim delays); from version 9 on, the header marks each addition.
 */
import type { StructField } from './struct-layout.js';

/** Commands and attributes of include/uapi/linux/taskstats.h. */
export const TASKSTATS = {
  GENL_NAME: 'TASKSTATS',
  GENL_VERSION: 1,
  CMD_GET: 1,
  CMD_NEW: 2,
  TYPE_PID: 1,
  TYPE_TGID: 2,
  TYPE_STATS: 3,
  TYPE_AGGR_PID: 4,
  TYPE_AGGR_TGID: 5,
  TYPE_NULL: 6,
  CMD_ATTR_PID: 1,
  CMD_ATTR_TGID: 2,
  CMD_ATTR_REGISTER_CPUMASK: 3,
  CMD_ATTR_DEREGISTER_CPUMASK: 4,
} as const;

/**
 * The unit the kernel writes a field in, and what procspec returns:
 * ns, us → seconds; KiB → bytes; MiB*us (memory integrated over system time) → byte-seconds;
 * unix-s → seconds since 1970 (as is); bytes, count, id, flags, status, nice, version, text, dev → as is.
 */
export type RawUnit =
  | 'ns'
  | 'us'
  | 'KiB'
  | 'MiB*us'
  | 'unix-s'
  | 'bytes'
  | 'count'
  | 'id'
  | 'flags'
  | 'status'
  | 'nice'
  | 'version'
  | 'text'
  | 'dev'
  | 'padding';

/** One field of struct taskstats (or cgroupstats). */
export interface LayoutField extends StructField {
  /** The struct version that appended it. */
  since: number;
  unit: RawUnit;
  description: string;
  /** Which delay kind a `*_count` / `*_delay_total` / `*_delay_max` / `*_delay_min` field belongs to. */
  delay?: DelayKind;
}

/** The kinds of delay the kernel accounts, by the prefix of their fields. */
export type DelayKind = 'cpu' | 'blkio' | 'swapin' | 'freepages' | 'thrashing' | 'compact' | 'wpcopy' | 'irq';

/** What each delay kind is (as getdelays prints it). */
export const DELAY_KINDS: Record<DelayKind, string> = {
  cpu: 'waiting for a CPU while runnable',
  blkio: 'waiting for synchronous block I/O to complete',
  swapin: 'waiting for swap-in (page fault I/O)',
  freepages: 'waiting for memory reclaim',
  thrashing: 'waiting for a thrashing page (refault of a recently evicted page)',
  compact: 'waiting for memory compaction',
  wpcopy: 'waiting for a write-protect copy (copy-on-write fault)',
  irq: 'time taken from the task by IRQ/softirq handling',
};

/** The one struct version whose layout is not an extension of the previous one. */
export const BROKEN_VERSIONS: readonly number[] = [15];

const delayPair = (kind: DelayKind, since: number, what: string) =>
  [
    { name: `${kind}_count`, type: 'u64', since, unit: 'count', delay: kind, description: `Number of delays ${what} recorded` },
    { name: `${kind}_delay_total`, type: 'u64', since, unit: 'ns', delay: kind, description: `Total delay ${what} (wraps to 0 on overflow)` },
  ] as const;

const delayPeak = (kind: DelayKind, what: string) =>
  [
    { name: `${kind}_delay_max`, type: 'u64', since: 16, unit: 'ns', delay: kind, description: `Longest single delay ${what}` },
    { name: `${kind}_delay_min`, type: 'u64', since: 16, unit: 'ns', delay: kind, description: `Shortest single delay ${what}` },
  ] as const;

/** struct taskstats, in order. */
export const TASKSTATS_LAYOUT = [
  { name: 'version', type: 'u16', since: 1, unit: 'version', description: 'Version of this struct (TASKSTATS_VERSION of the kernel that wrote it)' },
  { name: 'ac_exitcode', type: 'u32', since: 1, unit: 'status', description: 'Exit status, as wait() encodes it (exit records; 0 for a live task)' },
  {
    name: 'ac_flag',
    type: 'u8',
    since: 1,
    unit: 'flags',
    description: 'Accounting flags (linux/acct.h): AFORK 0x01, ASU 0x02, ACORE 0x08, AXSIG 0x10, AGROUP 0x20 (whole thread group, v12)',
  },
  { name: 'ac_nice', type: 'u8', since: 1, unit: 'nice', description: 'Nice value (-20..19; the kernel stores it in a u8)' },
  { ...delayPair('cpu', 1, 'waiting for a CPU while runnable')[0], align: 8 },
  delayPair('cpu', 1, 'waiting for a CPU while runnable')[1],
  ...delayPair('blkio', 1, 'waiting for synchronous block I/O'),
  ...delayPair('swapin', 1, 'waiting for swap-in'),
  { name: 'cpu_run_real_total', type: 'u64', since: 1, unit: 'ns', description: 'CPU "wall-clock" running time (may include time stolen by a hypervisor)' },
  { name: 'cpu_run_virtual_total', type: 'u64', since: 1, unit: 'ns', description: 'CPU running time as the kernel saw it (no adjustment for virtualisation)' },
  { name: 'ac_comm', type: 'char[32]', since: 2, unit: 'text', description: 'Command name (comm)' },
  { name: 'ac_sched', type: 'u8', since: 2, unit: 'id', align: 8, description: 'Scheduling policy (SCHED_OTHER 0, FIFO 1, RR 2, BATCH 3, IDLE 5, DEADLINE 6)' },
  { name: 'ac_pad', type: 'u8[3]', since: 2, unit: 'padding', description: 'Padding' },
  { name: 'ac_uid', type: 'u32', since: 2, unit: 'id', align: 8, description: 'Real user id' },
  { name: 'ac_gid', type: 'u32', since: 2, unit: 'id', description: 'Real group id' },
  { name: 'ac_pid', type: 'u32', since: 2, unit: 'id', description: 'Process (thread) id' },
  { name: 'ac_ppid', type: 'u32', since: 2, unit: 'id', description: 'Parent process id' },
  { name: 'ac_btime', type: 'u32', since: 2, unit: 'unix-s', description: 'Start time, seconds since 1970 (32-bit; see ac_btime64)' },
  { name: 'ac_etime', type: 'u64', since: 2, unit: 'us', align: 8, description: 'Elapsed time since the task started' },
  { name: 'ac_utime', type: 'u64', since: 2, unit: 'us', description: 'User CPU time' },
  { name: 'ac_stime', type: 'u64', since: 2, unit: 'us', description: 'System CPU time' },
  { name: 'ac_minflt', type: 'u64', since: 2, unit: 'count', description: 'Minor page faults' },
  { name: 'ac_majflt', type: 'u64', since: 2, unit: 'count', description: 'Major page faults' },
  { name: 'coremem', type: 'u64', since: 2, unit: 'MiB*us', description: 'RSS integrated over system time (returned in byte-seconds)' },
  { name: 'virtmem', type: 'u64', since: 2, unit: 'MiB*us', description: 'Virtual memory size integrated over system time (returned in byte-seconds)' },
  { name: 'hiwater_rss', type: 'u64', since: 2, unit: 'KiB', description: 'Peak resident set size' },
  { name: 'hiwater_vm', type: 'u64', since: 2, unit: 'KiB', description: 'Peak virtual memory size' },
  { name: 'read_char', type: 'u64', since: 2, unit: 'bytes', description: 'Bytes read by read-like system calls (rchar)' },
  { name: 'write_char', type: 'u64', since: 2, unit: 'bytes', description: 'Bytes written by write-like system calls (wchar)' },
  { name: 'read_syscalls', type: 'u64', since: 2, unit: 'count', description: 'Read system calls (syscr)' },
  { name: 'write_syscalls', type: 'u64', since: 2, unit: 'count', description: 'Write system calls (syscw)' },
  { name: 'read_bytes', type: 'u64', since: 3, unit: 'bytes', description: 'Bytes the task caused to be read from storage' },
  { name: 'write_bytes', type: 'u64', since: 3, unit: 'bytes', description: 'Bytes the task caused to be written to storage' },
  { name: 'cancelled_write_bytes', type: 'u64', since: 3, unit: 'bytes', description: 'Bytes of writes cancelled (truncated dirty page cache)' },
  { name: 'nvcsw', type: 'u64', since: 4, unit: 'count', description: 'Voluntary context switches' },
  { name: 'nivcsw', type: 'u64', since: 4, unit: 'count', description: 'Involuntary context switches' },
  { name: 'ac_utimescaled', type: 'u64', since: 5, unit: 'us', description: 'User CPU time scaled by CPU frequency' },
  { name: 'ac_stimescaled', type: 'u64', since: 5, unit: 'us', description: 'System CPU time scaled by CPU frequency' },
  { name: 'cpu_scaled_run_real_total', type: 'u64', since: 5, unit: 'ns', description: 'cpu_run_real_total scaled by CPU frequency' },
  ...delayPair('freepages', 7, 'waiting for memory reclaim'),
  ...delayPair('thrashing', 9, 'waiting for a thrashing page'),
  { name: 'ac_btime64', type: 'u64', since: 10, unit: 'unix-s', description: 'Start time, seconds since 1970 (64-bit)' },
  ...delayPair('compact', 11, 'waiting for memory compaction'),
  { name: 'ac_tgid', type: 'u32', since: 12, unit: 'id', description: 'Thread group (process) id' },
  { name: 'ac_tgetime', type: 'u64', since: 12, unit: 'us', align: 8, description: 'Elapsed time of the thread group (whole process when ac_flag has AGROUP)' },
  {
    name: 'ac_exe_dev',
    type: 'u64',
    since: 12,
    unit: 'dev',
    description: "Device of the program's executable (kernel dev_t encoding: major = (v >> 8) & 0xfff, minor = (v & 0xff) | ((v >> 12) & 0xfff00))",
  },
  { name: 'ac_exe_inode', type: 'u64', since: 12, unit: 'id', description: "Inode of the program's executable" },
  ...delayPair('wpcopy', 13, 'waiting for a write-protect copy'),
  ...delayPair('irq', 14, 'from IRQ/softirq handling'),
  ...delayPeak('cpu', 'waiting for a CPU'),
  ...delayPeak('blkio', 'waiting for block I/O'),
  ...delayPeak('swapin', 'waiting for swap-in'),
  ...delayPeak('freepages', 'waiting for memory reclaim'),
  ...delayPeak('thrashing', 'waiting for a thrashing page'),
  ...delayPeak('compact', 'waiting for memory compaction'),
  ...delayPeak('wpcopy', 'waiting for a write-protect copy'),
  ...delayPeak('irq', 'from IRQ/softirq handling'),
] as const satisfies readonly LayoutField[];

/** The newest struct version this layout describes. */
export const LAYOUT_VERSION = Math.max(...TASKSTATS_LAYOUT.map((f) => f.since));

/** struct cgroupstats (include/uapi/linux/cgroupstats.h): five u64 counts of tasks by state. */
export const CGROUPSTATS_LAYOUT = [
  { name: 'nr_sleeping', type: 'u64', since: 1, unit: 'count', description: 'Tasks sleeping (interruptible)' },
  { name: 'nr_running', type: 'u64', since: 1, unit: 'count', description: 'Tasks running or runnable' },
  { name: 'nr_stopped', type: 'u64', since: 1, unit: 'count', description: 'Tasks stopped or traced' },
  { name: 'nr_uninterruptible', type: 'u64', since: 1, unit: 'count', description: 'Tasks in uninterruptible sleep' },
  { name: 'nr_io_wait', type: 'u64', since: 1, unit: 'count', description: 'Tasks waiting on I/O (in_iowait)' },
] as const satisfies readonly LayoutField[];
