/**
 * How a row is built from the files of one task: the stat groups from the
 * fields picked from stat, each other group from its parsed file. Private
 * to the listing: callers read rows through readTask (task-read.ts).
 */
import { parseProcPidCgroup } from '../../../generated/parsers/proc/pid/cgroup.js';
import { parseProcPidCmdline } from '../../../generated/parsers/proc/pid/cmdline.js';
import { parseProcPidEnviron } from '../../../generated/parsers/proc/pid/environ.js';
import { parseProcPidIo } from '../../../generated/parsers/proc/pid/io.js';
import { parseProcPidMaps } from '../../../generated/parsers/proc/pid/maps.js';
import { parseProcPidSchedstat } from '../../../generated/parsers/proc/pid/schedstat.js';
import { parseProcPidSmaps } from '../../../generated/parsers/proc/pid/smaps.js';
import { parseProcPidSmapsRollup } from '../../../generated/parsers/proc/pid/smaps_rollup.js';
import { parseProcPidStatm } from '../../../generated/parsers/proc/pid/statm.js';
import { parseProcPidStatus } from '../../../generated/parsers/proc/pid/status.js';
import type { FileText } from '../../core/bytes.js';
import type { ParseContext } from '../../core/context.js';
import type { Credentials, Group, Parsed, Stat } from '../groups.js';
import type { Task } from '../tasks.js';
import { pickStatusCounters } from './status-pick.js';

/** Fills `row` with the fields of `group` from the parsed text of its file. */
export function fill(row: Parsed, group: Group, text: FileText, ctx: ParseContext, stat: Stat): void {
  switch (group) {
    case 'base':
      row.ppid = stat.ppid;
      row.pgid = stat.pgrp;
      row.sid = stat.session;
      row.comm = stat.comm;
      row.state = stat.state;
      return;
    case 'cpu':
      row.utime = stat.utime;
      row.stime = stat.stime;
      row.cutime = stat.cutime;
      row.cstime = stat.cstime;
      row.startTime = stat.starttime;
      row.processor = stat.processor;
      row.threads = stat.numThreads;
      row.priority = stat.priority;
      row.nice = stat.nice;
      return;
    case 'memory':
      row.vsize = stat.vsize;
      row.rss = stat.rss;
      row.minorFaults = stat.minflt;
      row.majorFaults = stat.majflt;
      return;
    case 'credentials': {
      const s = parseProcPidStatus(text, ctx);
      const capabilities: Credentials['capabilities'] = { inheritable: s.capInh!, permitted: s.capPrm!, effective: s.capEff!, bounding: s.capBnd! };
      if (s.capAmb !== undefined) capabilities.ambient = s.capAmb;
      row.credentials = { uid: s.uid, gid: s.gid, groups: s.groups, capabilities } satisfies Credentials;
      return;
    }
    case 'status':
      row.status = parseProcPidStatus(text, ctx);
      return;
    case 'statusCounters':
      row.statusCounters = pickStatusCounters(text, ctx);
      return;
    case 'statm':
      row.statm = parseProcPidStatm(text, ctx);
      return;
    case 'io':
      row.io = parseProcPidIo(text, ctx);
      return;
    case 'cmdline':
      row.cmdline = parseProcPidCmdline(text, ctx);
      return;
    case 'environ':
      row.environ = parseProcPidEnviron(text, ctx);
      return;
    case 'cgroup':
      row.cgroup = parseProcPidCgroup(text, ctx);
      return;
    case 'schedstat':
      row.schedstat = parseProcPidSchedstat(text, ctx);
      return;
    case 'maps':
      row.maps = parseProcPidMaps(text, ctx);
      return;
    case 'smapsRollup':
      row.smapsRollup = parseProcPidSmapsRollup(text, ctx);
      return;
    case 'smaps':
      row.smaps = parseProcPidSmaps(text, ctx);
      return;
  }
}

/**
 * A row with the identity and the stat groups of a plan. The plans of ps and
 * top (base, cpu and memory) and base alone are built as one object literal,
 * the fields in the order fill() adds them: one allocation of the final
 * size instead of a property store, and a grown property array, per field.
 */
export function statRow(t: Task, s: Stat, startTicks: number, statGroups: readonly Group[], c: ParseContext): Parsed {
  if (statGroups.length === 3) {
    return {
      pid: t.pid,
      tgid: t.tgid,
      startTicks,
      ppid: s.ppid,
      pgid: s.pgrp,
      sid: s.session,
      comm: s.comm,
      state: s.state,
      utime: s.utime,
      stime: s.stime,
      cutime: s.cutime,
      cstime: s.cstime,
      startTime: s.starttime,
      processor: s.processor,
      threads: s.numThreads,
      priority: s.priority,
      nice: s.nice,
      vsize: s.vsize,
      rss: s.rss,
      minorFaults: s.minflt,
      majorFaults: s.majflt,
    };
  }
  if (statGroups.length === 1 && statGroups[0] === 'base') {
    return { pid: t.pid, tgid: t.tgid, startTicks, ppid: s.ppid, pgid: s.pgrp, sid: s.session, comm: s.comm, state: s.state };
  }
  const row: Parsed = { pid: t.pid, tgid: t.tgid, startTicks };
  for (const g of statGroups) fill(row, g, '', c, s);
  return row;
}
