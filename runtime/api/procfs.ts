/** The ProcFs of procspec: the generic reader bound to every generated spec, with the process table on top. */
import { registry, writers, type BigintSpecTypes, type SpecTypes, type WriterTypes } from '../../generated/index.js';
import { ProcessMonitor, type MonitorOptions } from '../processes/monitor.js';
import type { Group } from '../processes/groups.js';
import { isSameProcess } from '../processes/identity.js';
import { listProcesses } from '../processes/list-processes.js';
import { listProcessesAsync } from '../processes/list-processes-async.js';
import type { Listing, ListOptions } from '../processes/listing.js';
import { ProcFs as BaseProcFs, type ProcFsOptions } from './procfs-base.js';

/** How a ProcFs reads wide integers: bigint in exact mode. */
type Wide<B extends boolean> = B extends true ? bigint : number;

/**
 * Reads and parses /proc files (or a copy under another root) with every
 * spec of procspec. `new ProcFs({ bigint: true })` reads in exact mode: its
 * reads are typed with BigintSpecTypes (wide integers bigint) with no cast.
 */
export class ProcFs<B extends boolean = false> extends BaseProcFs<B extends true ? BigintSpecTypes : SpecTypes, WriterTypes> {
  constructor(options: ProcFsOptions & { bigint?: B } = {}) {
    super(registry, options, writers);
  }

  /** Lists processes (or threads) with the attribute groups asked for; see runtime/processes/list-processes.ts. In exact mode the wide fields are bigints. */
  processes<G extends Group>(opts: ListOptions<G>): Listing<G, Wide<B>> {
    return listProcesses<G, Wide<B>>(this.root, (file) => this.readContext(file), opts);
  }

  /** processes() without blocking the event loop (`concurrency` default 64; see listProcessesAsync). */
  processesAsync<G extends Group>(opts: ListOptions<G> & { concurrency?: number }): Promise<Listing<G, Wide<B>>> {
    return listProcessesAsync<G, Wide<B>>(this.root, (file) => this.readContext(file), opts);
  }

  /** A refresh-mode monitor that keeps the watched processes' files open between samples; in exact mode its counters are bigints, its rates numbers. */
  monitor<G extends Group>(opts: MonitorOptions<G>): ProcessMonitor<G, Wide<B>> {
    return new ProcessMonitor<G, Wide<B>>(this.root, (file) => this.readContext(file), opts);
  }

  /** Whether `pid` is still the process incarnation that started at `startTicks` (a row's identity). */
  isSameProcess(pid: number, startTicks: number): boolean {
    return isSameProcess(this.root, pid, startTicks, this.facts().clockTick);
  }
}
