/**
 * Pressure stall (PSI) triggers: the kernel wakes a poller when a resource's
 * stall time within a window exceeds a threshold (Documentation/accounting/
 * psi.rst, "Monitoring for pressure thresholds"). watchPressure() checks the
 * arguments against the kernel's limits, opens /proc/pressure/<resource> or
 * <cgroup2>/<cgroup>/<resource>.pressure read-write, writes the trigger
 * ("some 150000 1000000": kind, stall us, window us) and waits for POLLPRI on
 * Node's event loop through the optional native module native/psi.c (no
 * thread, no polling timer). See docs/pressure-triggers.md.
 */
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import { posix } from 'node:path';
import { parseProcPressure } from '../../generated/parsers/proc/pressure.js';
import type { ProcPressure } from '../../generated/types/proc/pressure.js';
import { cgroup2Root } from '../reading/cgroup-root.js';
import { DEFAULT_CONTEXT } from '../core/context.js';
import { absent, ioError, ProcfsError } from '../core/errors.js';
import { errnoName, loadNativeModule } from '../reading/native.js';
import { rereadFdSync } from '../reading/read.js';

/** A resource PSI tracks. `irq` exists only with CONFIG_IRQ_TIME_ACCOUNTING and has only `full`. */
export type PressureResource = 'cpu' | 'memory' | 'io' | 'irq';

/** `some`: at least one task stalled; `full`: every non-idle task stalled at once. */
export type PressureKind = 'some' | 'full';

export interface PressureTriggerOptions {
  resource: PressureResource;
  kind: PressureKind;
  /** Stall time within one window that fires the trigger. Unit: seconds (0.05 = 50 ms); sent to the kernel in whole microseconds. */
  stall: number;
  /** Length of the tracking window. Unit: seconds, 0.5 to 10; without CAP_SYS_RESOURCE a multiple of 2 (2, 4, 6, 8, 10). */
  window: number;
  /** A cgroup, as a path relative to the cgroup2 mount ('/' or '' is the root, the system-wide group). Absent: system-wide (/proc/pressure). */
  cgroup?: string;
  /** Folder that stands for /proc (its self/mountinfo and self/status are read). Default `/proc`. */
  root?: string;
  /** Where cgroup2 is mounted. Default: found in `<root>/self/mountinfo`. */
  cgroupMount?: string;
}

/** One firing of the trigger. */
export interface PressureEvent {
  /** When the event reached JavaScript. Unit: milliseconds since the Unix epoch. */
  timestamp: number;
  /** The file's values re-read at that moment (averages in percent, totals in seconds); undefined if the re-read failed. */
  pressure: ProcPressure | undefined;
}

/** The trigger's source went away (POLLERR): its cgroup was removed, or its pressure files turned off (cgroup.pressure = 0). */
export interface PressureGone {
  /** When POLLERR reached JavaScript. Unit: milliseconds since the Unix epoch. */
  timestamp: number;
  /** The pressure file the trigger was on. */
  file: string;
}

/** The kernel's window limits (psi.rst; WINDOW_MAX_US in kernel/sched/psi.c). Unit: microseconds. */
export const PSI_WINDOW_MIN_US = 500_000;
export const PSI_WINDOW_MAX_US = 10_000_000;
/** Windows of callers without CAP_SYS_RESOURCE must be a multiple of this (psi.c, since 6.5). Unit: microseconds. */
export const PSI_UNPRIVILEGED_WINDOW_STEP_US = 2_000_000;

/** Bit of CAP_SYS_RESOURCE in a capability set (linux/capability.h). */
const CAP_SYS_RESOURCE = 24n;

const RESOURCES: readonly string[] = ['cpu', 'memory', 'io', 'irq'];

/** A trigger checked against the kernel's limits, in the kernel's units. */
export interface TriggerSpec {
  resource: PressureResource;
  kind: PressureKind;
  /** Stall threshold. Unit: microseconds. */
  stallUs: number;
  /** Window. Unit: microseconds. */
  windowUs: number;
  /** The cgroup relative to the cgroup2 mount, normalised ('' for the root), or undefined for /proc/pressure. */
  cgroup: string | undefined;
}

/**
 * Checks options against the kernel's rules (kernel/sched/psi.c,
 * psi_trigger_create) without touching any file. Bad arguments throw
 * TypeError (wrong type or name) or RangeError (a number out of the
 * kernel's range); CPU `full` of the system-wide group, which the kernel
 * accepts but never computes (it prints zeros), throws ProcfsError
 * 'unsupported'. `privileged`: the caller has CAP_SYS_RESOURCE; false
 * requires a window that is a multiple of 2 s; undefined (not known) leaves
 * that rule to the kernel.
 */
export function checkTrigger(opts: PressureTriggerOptions, privileged: boolean | undefined): TriggerSpec {
  if (typeof opts !== 'object' || opts === null) throw new TypeError('watchPressure: options must be an object');
  const { resource, kind, stall, window } = opts;
  if (!RESOURCES.includes(resource)) throw new TypeError(`watchPressure: resource must be cpu, memory, io or irq, not ${JSON.stringify(resource)}`);
  if (kind !== 'some' && kind !== 'full') throw new TypeError(`watchPressure: kind must be some or full, not ${JSON.stringify(kind)}`);
  if (typeof stall !== 'number' || !Number.isFinite(stall)) throw new TypeError('watchPressure: stall must be a finite number of seconds');
  if (typeof window !== 'number' || !Number.isFinite(window)) throw new TypeError('watchPressure: window must be a finite number of seconds');
  const windowUs = Math.round(window * 1e6);
  const stallUs = Math.round(stall * 1e6);
  if (windowUs < PSI_WINDOW_MIN_US || windowUs > PSI_WINDOW_MAX_US) {
    throw new RangeError(`watchPressure: window must be 0.5 to 10 seconds, not ${window}`);
  }
  if (stallUs <= 0) throw new RangeError(`watchPressure: stall must be at least 1 microsecond, not ${stall} s`);
  if (stallUs > windowUs) throw new RangeError(`watchPressure: stall (${stall} s) must not exceed the window (${window} s)`);
  if (privileged === false && windowUs % PSI_UNPRIVILEGED_WINDOW_STEP_US !== 0) {
    throw new RangeError(`watchPressure: without CAP_SYS_RESOURCE the window must be a multiple of 2 seconds (2, 4, 6, 8 or 10), not ${window}`);
  }
  if (resource === 'irq' && kind !== 'full') throw new RangeError("watchPressure: irq pressure has only 'full' (the kernel rejects 'some')");
  const cgroup = opts.cgroup === undefined ? undefined : cgroupPath(opts.cgroup);
  if (resource === 'cpu' && kind === 'full' && (cgroup === undefined || cgroup === '')) {
    throw new ProcfsError('unsupported', 'cpu full pressure is undefined for the whole system (the kernel reports zeros); watch a cgroup, or cpu some');
  }
  return { resource, kind, stallUs, windowUs, cgroup };
}

/** A cgroup path made relative to the mount, '' for its root; '..' is refused (it would leave the mount). */
function cgroupPath(cgroup: string): string {
  if (typeof cgroup !== 'string') throw new TypeError('watchPressure: cgroup must be a path relative to the cgroup2 mount');
  const parts = cgroup.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new RangeError(`watchPressure: cgroup ${JSON.stringify(cgroup)} must not contain '..'`);
  return parts.join('/');
}

/** The trigger text the kernel takes: "<some|full> <stall us> <window us>". */
export const triggerText = (t: TriggerSpec): string => `${t.kind} ${t.stallUs} ${t.windowUs}`;

/** Whether this process has CAP_SYS_RESOURCE (from `<root>/self/status`), or undefined when that cannot be read. */
export function hasCapSysResource(root = '/proc'): boolean | undefined {
  try {
    const m = /^CapEff:\s*([0-9a-fA-F]+)$/m.exec(fs.readFileSync(`${root}/self/status`, 'utf8'));
    return m === null ? undefined : ((BigInt(`0x${m[1]}`) >> CAP_SYS_RESOURCE) & 1n) === 1n;
  } catch {
    return undefined;
  }
}

/** Where cgroup2 is mounted, from `<root>/self/mountinfo`; ProcfsError 'unsupported' when it is not mounted. */
export function cgroup2Mount(root = '/proc'): string {
  return cgroup2Root(root);
}

/** The pressure file of a trigger: /proc/pressure/<resource>, or <mount>/<cgroup>/<resource>.pressure. */
function pressureFile(t: TriggerSpec, root: string, mount: string | undefined): string {
  if (t.cgroup === undefined) return `${root}/pressure/${t.resource}`;
  return posix.join(mount ?? cgroup2Mount(root), t.cgroup, `${t.resource}.pressure`);
}

// ---------------------------------------------------------------------------
// The native poller (native/psi.c), loaded on first use.

interface PsiNative {
  /** Polls fd for POLLPRI on Node's loop; calls back with 0 (fired), 1 (POLLERR: gone) or -errno. */
  watch(fd: number, callback: (outcome: number) => void): unknown;
  /** Stops polling; the fd may be closed right after. */
  stop(handle: unknown): void;
  /** Whether the watch keeps the event loop alive. */
  ref(handle: unknown, on: boolean): void;
}

let psiModule: PsiNative | null | undefined;

let psiError = '';

function loadPsi(): PsiNative | null {
  const m = loadNativeModule<PsiNative>('psi');
  if (m instanceof Error) psiError = m.message;
  return m instanceof Error ? null : m;
}

/** The native poller, or undefined when it is not available or PROCSPEC_NATIVE=0. */
function psiNative(): PsiNative | undefined {
  if (process.env.PROCSPEC_NATIVE === '0') return undefined;
  if (psiModule === undefined) psiModule = loadPsi();
  return psiModule ?? undefined;
}

// ---------------------------------------------------------------------------
// Registering and watching

/**
 * Writes a trigger to an open pressure file (with the final NUL the kernel
 * expects: it overwrites the last byte written with one). Kernel errors
 * become ProcfsError: EBUSY (this descriptor already holds a trigger) 'io'
 * with errno EBUSY; EOPNOTSUPP (PSI disabled) and EINVAL (a trigger this
 * kernel refuses) 'unsupported'; EPERM/EACCES 'permission'.
 */
export function registerTrigger(fd: number, file: string, text: string): void {
  try {
    fs.writeSync(fd, `${text}\0`);
  } catch (err) {
    const errno = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
    switch (errno) {
      case 'EBUSY':
        throw new ProcfsError('io', `${file}: a trigger is already registered on this descriptor (EBUSY)`, { file, errno, cause: err });
      case 'EOPNOTSUPP':
      case 'ENOTSUP':
        throw new ProcfsError('unsupported', `${file}: pressure stall information is disabled (${errno})`, { file, errno, cause: err });
      case 'EINVAL':
        throw new ProcfsError('unsupported', `${file}: the kernel refused the trigger "${text}" (EINVAL)`, { file, errno, cause: err });
      default:
        throw ioError(file, err);
    }
  }
}

export interface PressureWatcherEvents {
  /** The stall time in a window crossed the threshold (at most one per window). */
  trigger: [event: PressureEvent];
  /** POLLERR: the trigger's cgroup or pressure file went away; the watcher has closed itself ('close' follows). */
  gone: [event: PressureGone];
  /** Polling failed (a ProcfsError 'io' with the errno); the watcher has closed itself ('close' follows). */
  error: [error: ProcfsError];
  /** The watcher stopped: close() was called, or after 'gone' or 'error'. Emitted once. */
  close: [];
}

/**
 * A registered trigger being watched. An EventEmitter: 'trigger',
 * 'gone', 'error' and 'close' (see PressureWatcherEvents). Without an
 * 'error' listener a polling error is thrown as an uncaught exception, as
 * for any EventEmitter. Keeps the event loop alive until closed or unref().
 */
export class PressureWatcher extends EventEmitter<PressureWatcherEvents> {
  /** The pressure file the trigger is on. */
  readonly file: string;
  /** The trigger as written to the kernel: "<kind> <stall us> <window us>". */
  readonly trigger: string;
  private fd: number;
  private handle: unknown;

  /** @internal Use watchPressure(). */
  constructor(native: PsiNative, fd: number, file: string, trigger: string) {
    super();
    this.file = file;
    this.trigger = trigger;
    this.fd = fd;
    try {
      this.handle = native.watch(fd, (outcome) => this.onOutcome(native, outcome));
    } catch (err) {
      // uv_poll_start fails with EPERM on a file epoll cannot watch (a regular file standing in for a pressure file).
      const errno = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : 'UNKNOWN';
      throw new ProcfsError('unsupported', `${file}: cannot be polled for pressure events (${errno})`, { file, errno, cause: err });
    }
  }

  /** Whether the watcher has stopped (its descriptor is closed). */
  get closed(): boolean {
    return this.fd < 0;
  }

  /** The pressure file's values now (percent, seconds), read through the watcher's descriptor. */
  read(): ProcPressure {
    if (this.fd < 0) throw new ProcfsError('io', `${this.file}: the watcher is closed`, { file: this.file });
    return parseProcPressure(rereadFdSync(this.fd, this.file), { ...DEFAULT_CONTEXT, file: this.file });
  }

  /** Stops watching, deregisters the trigger and closes the descriptor. Idempotent; emits 'close' the first time. */
  close(): void {
    if (this.release()) this.emit('close');
  }

  /** Lets the process exit while this watcher is open. */
  unref(): this {
    if (this.fd >= 0) psiNative()?.ref(this.handle, false);
    return this;
  }

  /** Keeps the process alive while this watcher is open (the default). */
  ref(): this {
    if (this.fd >= 0) psiNative()?.ref(this.handle, true);
    return this;
  }

  private release(): boolean {
    if (this.fd < 0) return false;
    const fd = this.fd;
    this.fd = -1;
    psiNative()?.stop(this.handle);
    fs.closeSync(fd); // closing the descriptor deregisters the trigger
    return true;
  }

  private onOutcome(native: PsiNative, outcome: number): void {
    if (this.fd < 0) return;
    const timestamp = Date.now();
    if (outcome === 0) {
      let pressure: ProcPressure | undefined;
      try {
        pressure = this.read();
      } catch {
        pressure = undefined;
      }
      this.emit('trigger', { timestamp, pressure });
      return;
    }
    const fd = this.fd;
    this.fd = -1;
    native.stop(this.handle);
    fs.closeSync(fd);
    if (outcome === 1) {
      this.emit('gone', { timestamp, file: this.file });
    } else {
      const errno = errnoName(-outcome);
      this.emit('error', new ProcfsError('io', `${this.file}: polling the trigger failed (${errno})`, { file: this.file, errno }));
    }
    this.emit('close');
  }
}

/**
 * Registers a pressure trigger and watches it (see PressureTriggerOptions
 * for units and limits). Throws, before writing anything: TypeError or
 * RangeError for bad arguments; ProcfsError 'unsupported' when the native
 * module (native/psi.c) is not available, for cpu full system-wide, or when the
 * kernel has no such pressure file (PSI off, no irq accounting, pressure off
 * for the cgroup). Then: 'not_found' (the cgroup does not exist),
 * 'permission' (the file may not be opened for writing), 'unsupported'
 * (EOPNOTSUPP or EINVAL on write), 'io' (EBUSY, others).
 */
export function watchPressure(opts: PressureTriggerOptions, root: string = opts.root ?? '/proc'): PressureWatcher {
  const spec = checkTrigger(opts, hasCapSysResource(root));
  const native = psiNative();
  if (native === undefined) {
    throw new ProcfsError(
      'unsupported',
      process.env.PROCSPEC_NATIVE === '0'
        ? 'pressure triggers need the native module psi, which PROCSPEC_NATIVE=0 turns off'
        : `pressure triggers need a native module (${psiError})`,
    );
  }
  const file = pressureFile(spec, root, opts.cgroupMount);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDWR);
  } catch (err) {
    // A missing file in a folder that exists (or a missing /proc/pressure in a /proc that exists): this kernel does not offer it.
    throw absent(ioError(file, err), fs.existsSync(spec.cgroup === undefined ? root : posix.dirname(file)));
  }
  try {
    const text = triggerText(spec);
    registerTrigger(fd, file, text);
    return new PressureWatcher(native, fd, file, text);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}
