/** procspec's public API: the generated parsers, ProcFs and the interfaces built on it. Only re-exports: see docs/architecture.md. */
export { ProcFs } from './api/procfs.js';

export * from '../generated/index.js';
export { ProcfsError, type ProcfsErrorCode } from './core/errors.js';
export { DEFAULT_CONTEXT, contextOf, type ParseContext, type ParseOptions } from './core/context.js';
export { toJson } from './core/json.js';
export { bytesOf, decodeBytes } from './core/bytes.js';
export { specForPath, resolvePath, type PathParams, type MatchOptions } from './model/paths.js';
export { cgroupMounts, cgroupMountsOf, cgroup2Root, type CgroupMounts } from './reading/cgroup-root.js';
export { readFileSync, readFileAsync } from './reading/read.js';
export { systemFacts, kernelRelease, compareKernel, type SystemFacts, type KernelRelease } from './reading/system.js';
export type { SpecModel } from './model/model.js';
export type { ProcFsOptions } from './api/procfs-base.js';
export { GROUPS, type Group, type ProcessRow } from './processes/groups.js';
export type { Identity } from './processes/identity.js';
export type { Listing, ListOptions } from './processes/listing.js';
export type { Selection } from './processes/tasks.js';
export { ProcessMonitor, type MonitorOptions, type MonitorRow, type MonitorSample } from './processes/monitor.js';
export type { Rates } from './processes/monitor-rates.js';
export { TaskstatsClient, taskstatsOfPid, taskstatsOfTgid, delayAccountingEnabled } from './accounting/taskstats.js';
export {
  decodeTaskstats,
  taskstatsSize,
  TASKSTATS_FIELDS,
  type Taskstats,
  type TaskstatsFields,
  type DelayStats,
  type TaskRecord,
} from './accounting/taskstats-decode.js';
export { ExitListener, onlineCpus, type LostRecords, type ExitListenerOptions } from './accounting/exit-listener.js';
export { cgroupstats, cgroupV1Mounts, type CgroupStats, type ProcReads } from './accounting/cgroupstats.js';
export {
  watchPressure,
  PressureWatcher,
  type PressureTriggerOptions,
  type PressureEvent,
  type PressureGone,
  type PressureResource,
  type PressureKind,
} from './accounting/pressure-triggers.js';
