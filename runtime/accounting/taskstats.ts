/**
 * Per-task statistics from the kernel's taskstats interface (generic netlink
 * family "TASKSTATS"): CPU, memory and I/O accounting and delay accounting of
 * a thread (by pid) or a process (by tgid), asked for one at a time. Records
 * of tasks as they exit are exit-listener.ts. See docs/taskstats.md.
 */
import { readFileSync } from 'node:fs';
import { ProcfsError } from '../core/errors.js';
import { GenlSocket, genlFamily } from './genl-socket.js';
import { u32Attr } from './netlink.js';
import { taskRecords, type Taskstats } from './taskstats-decode.js';
import { TASKSTATS } from './taskstats-layout.js';

/** Whether delay accounting is on (kernel.task_delayacct); undefined when the sysctl cannot be read. */
export function delayAccountingEnabled(): boolean | undefined {
  try {
    return readFileSync('/proc/sys/kernel/task_delayacct', 'utf8').trim() !== '0';
  } catch {
    return undefined;
  }
}

/**
 * Asks the kernel for task statistics. Needs CAP_NET_ADMIN (the kernel marks TASKSTATS_CMD_GET
 * admin-only): without it, ProcfsError 'permission'. Synchronous: the kernel answers within the send.
 */
export class TaskstatsClient {
  private readonly sock = new GenlSocket();
  /** The TASKSTATS family id; ProcfsError 'unsupported' when the kernel has none. */
  readonly family: number;

  constructor() {
    try {
      this.family = genlFamily(this.sock, TASKSTATS.GENL_NAME);
    } catch (err) {
      this.sock.close();
      throw err;
    }
  }

  /** Statistics of one thread (task id); a thread that does not exist is 'not_found'. */
  pid(pid: number): Taskstats {
    return this.get(TASKSTATS.CMD_ATTR_PID, pid, 'pid');
  }

  /** Statistics of a thread group (process): its live threads plus the threads that have exited. */
  tgid(tgid: number): Taskstats {
    return this.get(TASKSTATS.CMD_ATTR_TGID, tgid, 'tgid');
  }

  private get(attr: number, id: number, kind: 'pid' | 'tgid'): Taskstats {
    const off = delayAccountingEnabled();
    const reply = this.sock.request(this.family, TASKSTATS.CMD_GET, TASKSTATS.GENL_VERSION, [u32Attr(attr, id)], `taskstats of ${kind} ${id}`);
    const rec = reply.flatMap((m) => taskRecords(m, off === undefined ? undefined : !off)).find((r) => r.kind === kind && r.id === id);
    if (rec === undefined) throw new ProcfsError('parse', `taskstats of ${kind} ${id}: the answer has no ${kind} record`, { file: '<taskstats>' });
    return rec.stats;
  }

  close(): void {
    this.sock.close();
  }
}

/** Statistics of one thread (opens and closes a socket; keep a TaskstatsClient for many). */
export function taskstatsOfPid(pid: number): Taskstats {
  const c = new TaskstatsClient();
  try {
    return c.pid(pid);
  } finally {
    c.close();
  }
}

/** Statistics of one process (thread group). */
export function taskstatsOfTgid(tgid: number): Taskstats {
  const c = new TaskstatsClient();
  try {
    return c.tgid(tgid);
  } finally {
    c.close();
  }
}
