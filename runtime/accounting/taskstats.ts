/**
 * Per-task statistics from the kernel's taskstats interface (generic netlink
 * family "TASKSTATS"): CPU, memory and I/O accounting and delay accounting of
 * a thread (by pid) or a process (by tgid), and the records of tasks as they
 * exit. The struct is laid out by struct-layout.ts from taskstats-layout.ts;
 * the socket is genl-socket.ts. See docs/taskstats.md.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { ProcfsError } from '../core/errors.js';
import { GenlSocket, RECV_DROPPED, RECV_NONE, genlFamily, netlinkError, type SocketWatch } from './genl-socket.js';
import {
  LITTLE_ENDIAN,
  attrUint,
  decodeAttrs,
  decodeGenl,
  decodeMessages,
  findAttr,
  stringAttr,
  u32Attr,
  type GenlMessage,
  type NlMessage,
} from './netlink.js';
import { placeFields, structSize } from './struct-layout.js';
import { BROKEN_VERSIONS, DELAY_KINDS, LAYOUT_VERSION, TASKSTATS, TASKSTATS_LAYOUT, type DelayKind, type LayoutField } from './taskstats-layout.js';

// ---- struct taskstats -------------------------------------------------------------------------

/** A field with its byte offset, and its name in the decoded value (camelCase). */
export interface PlacedField extends LayoutField {
  offset: number;
  size: number;
  key: string;
}

/** Every field of struct taskstats with its offset. */
export const TASKSTATS_FIELDS: readonly PlacedField[] = placeFields(TASKSTATS_LAYOUT);

/** taskstatsSize of each version of this layout, worked out once per version decoded. */
const SIZE_OF_VERSION: number[] = [];

/** sizeof(struct taskstats) of a version, in bytes: its last field's end, rounded up to the struct's alignment (8: it has u64 fields). */
export function taskstatsSize(version: number, fields: readonly PlacedField[] = TASKSTATS_FIELDS): number {
  return structSize(fields.filter((f) => f.since <= version));
}

type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type Decoded = Exclude<(typeof TASKSTATS_LAYOUT)[number], { unit: 'padding' }>;
type ValueOf<F> = F extends { type: 'char[32]' } ? string : F extends { type: 'u64'; unit: 'id' | 'dev' } ? bigint : number;

/**
 * The fields of a struct taskstats, named in camelCase (cpu_delay_total → cpuDelayTotal), normalised:
 * times in seconds (the kernel writes ns or µs), sizes in bytes (hiwater_* are KiB), coremem and
 * virtmem in byte-seconds (MiB·µs), 64-bit ids as bigint. Fields newer than version 1 are present
 * only when the struct's version has them. See runtime/accounting/taskstats-layout.ts for each field.
 */
export type TaskstatsFields = { [F in Decoded as F['since'] extends 1 ? Camel<F['name']> : never]: ValueOf<F> } & {
  [F in Decoded as F['since'] extends 1 ? never : Camel<F['name']>]?: ValueOf<F>;
};

/** One kind of delay: how often, how long in total, and per event. */
export interface DelayStats {
  /** Delays recorded. */
  count: number;
  /** Their total, in seconds (the kernel counts ns; the total wraps to 0 on overflow). */
  total: number;
  /** total / count, in seconds; 0 when count is 0. */
  average: number;
  /** The longest and shortest single delay, in seconds (struct version 16 and later). */
  max?: number;
  min?: number;
}

/** A decoded struct taskstats. */
export interface Taskstats {
  /** The struct's version (TASKSTATS_VERSION of the kernel that wrote it). */
  version: number;
  /** Bytes the kernel sent. */
  size: number;
  /** Bytes after the fields this layout knows (a newer kernel's additions), ignored. */
  unknownBytes: number;
  fields: TaskstatsFields;
  /** Delays by kind, for the kinds the version has. */
  delays: Partial<Record<DelayKind, DelayStats>>;
  /**
   * Whether delay accounting was off (kernel.task_delayacct=0) when the stats were read: the delay
   * fields other than cpu are then zero. Undefined when not known (decoding a saved buffer).
   */
  delayAccountingOff?: boolean;
}

const SECONDS: Partial<Record<string, number>> = { ns: 1e-9, us: 1e-6, 'MiB*us': 1048576e-6 };

/**
 * A u64 as a number (KiB scaled to bytes): exact up to 2^53, beyond it the
 * nearest double, as every counter of procspec's default mode (docs/numbers.md).
 */
function nearest(v: bigint, scale = 1n): number {
  return Number(v * scale);
}

function readField(dv: DataView, f: PlacedField): number | bigint | string {
  switch (f.type) {
    case 'u8':
      return f.unit === 'nice' ? dv.getInt8(f.offset) : dv.getUint8(f.offset);
    case 'u16':
      return dv.getUint16(f.offset, LITTLE_ENDIAN);
    case 'u32':
      return dv.getUint32(f.offset, LITTLE_ENDIAN);
    case 'char[32]': {
      const bytes = new Uint8Array(dv.buffer, dv.byteOffset + f.offset, f.size);
      const end = bytes.indexOf(0);
      return Buffer.from(bytes.subarray(0, end < 0 ? f.size : end)).toString('utf8');
    }
    case 'u8[3]':
      return 0;
    case 'u64': {
      const v = dv.getBigUint64(f.offset, LITTLE_ENDIAN);
      const scale = SECONDS[f.unit];
      if (scale !== undefined) return Number(v) * scale;
      if (f.unit === 'id' || f.unit === 'dev') return v;
      return nearest(v, f.unit === 'KiB' ? 1024n : 1n);
    }
  }
}

/**
 * Decodes a struct taskstats of any version: the fields its version has (and its size holds),
 * the bytes past them counted in `unknownBytes`. A struct shorter than its version's size,
 * or of version 15 (whose layout was withdrawn), is a ProcfsError 'parse'.
 */
export function decodeTaskstats(bytes: Uint8Array, opts: { delayAccountingOff?: boolean } = {}): Taskstats {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (expected: string, found: string) =>
    new ProcfsError('parse', `struct taskstats: expected ${expected}, found ${found}`, { file: '<taskstats>', expected, found });
  if (bytes.length < 2) throw fail('at least the 2-byte version', `${bytes.length} bytes`);
  const version = dv.getUint16(0, LITTLE_ENDIAN);
  if (version === 0) throw fail('a version of 1 or more', 'version 0');
  if (BROKEN_VERSIONS.includes(version))
    throw fail('a struct version other than 15 (its layout inserted fields mid-struct and was replaced by version 16)', `version ${version}`);
  const known = Math.min(version, LAYOUT_VERSION);
  const size = (SIZE_OF_VERSION[known] ??= taskstatsSize(known));
  if (bytes.length < size) throw fail(`${size} bytes for version ${version}`, `${bytes.length} bytes`);
  const fields: Record<string, number | bigint | string> = {};
  for (const f of TASKSTATS_FIELDS) {
    if (f.since > known || f.unit === 'padding') continue;
    fields[f.key] = readField(dv, f);
  }
  const delays: Partial<Record<DelayKind, DelayStats>> = {};
  for (const kind of Object.keys(DELAY_KINDS) as DelayKind[]) {
    const count = fields[`${kind}Count`];
    const total = fields[`${kind}DelayTotal`];
    if (typeof count !== 'number' || typeof total !== 'number') continue;
    const d: DelayStats = { count, total, average: count > 0 ? total / count : 0 };
    const max = fields[`${kind}DelayMax`];
    const min = fields[`${kind}DelayMin`];
    if (typeof max === 'number') d.max = max;
    if (typeof min === 'number') d.min = min;
    delays[kind] = d;
  }
  const out: Taskstats = { version, size: bytes.length, unknownBytes: bytes.length - size, fields: fields as TaskstatsFields, delays };
  if (opts.delayAccountingOff !== undefined) out.delayAccountingOff = opts.delayAccountingOff;
  return out;
}

/** Statistics of one task or thread group, as the kernel tagged them. */
export interface TaskRecord {
  /** 'pid': one thread; 'tgid': a whole thread group (process). */
  kind: 'pid' | 'tgid';
  /** The thread id or thread group id the record is for. */
  id: number;
  stats: Taskstats;
}

/** The AGGR_PID / AGGR_TGID records of a taskstats message. */
export function taskRecords(msg: GenlMessage, delayAccountingOff?: boolean): TaskRecord[] {
  const out: TaskRecord[] = [];
  for (const a of msg.attrs) {
    if (a.type !== TASKSTATS.TYPE_AGGR_PID && a.type !== TASKSTATS.TYPE_AGGR_TGID) continue;
    const inner = decodeAttrs(a.payload);
    const kind = a.type === TASKSTATS.TYPE_AGGR_PID ? 'pid' : 'tgid';
    const id = findAttr(inner, kind === 'pid' ? TASKSTATS.TYPE_PID : TASKSTATS.TYPE_TGID);
    const stats = findAttr(inner, TASKSTATS.TYPE_STATS);
    if (id === undefined || stats === undefined)
      throw new ProcfsError('parse', `taskstats message: a ${kind} record without its id or stats`, { file: '<taskstats>' });
    out.push({ kind, id: attrUint(id), stats: decodeTaskstats(stats, delayAccountingOff === undefined ? {} : { delayAccountingOff }) });
  }
  return out;
}

// ---- requests ----------------------------------------------------------------------------------

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

// ---- exit records ------------------------------------------------------------------------------

/** The online CPUs as the kernel lists them ("0-3,8"), the default cpumask for exit records. */
export function onlineCpus(): string {
  return readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();
}

/** Records lost because the receive buffer was full (ENOBUFS). */
export interface LostRecords {
  /** Records dropped since the previous report (the socket's drop counter in /proc/net/netlink), or null if unreadable. */
  count: number | null;
  /** Records dropped since the listener opened, or null if unreadable. */
  total: number | null;
}

export interface ExitListenerOptions {
  /** CPUs whose exiting tasks are reported, in the kernel's list format; default: all online CPUs. */
  cpus?: string;
  /** Receive buffer in bytes (SO_RCVBUFFORCE as root, else SO_RCVBUF capped by net.core.rmem_max); default 4 MiB. */
  receiveBuffer?: number;
  /** Whether the open listener keeps the process alive (default true, like a server). */
  ref?: boolean;
}

/**
 * The statistics of tasks as they exit, on the CPUs of a cpumask: one 'record' event per task
 * (kind 'pid') and one per thread group when its last thread exits (kind 'tgid'; a single-threaded
 * process sends only its pid record). Also an async iterator of records. Events: 'record'
 * (TaskRecord), 'lost' (LostRecords: the buffer overflowed), 'error' (ProcfsError). Registering
 * needs CAP_NET_ADMIN. close() deregisters and closes the socket.
 */
export class ExitListener extends EventEmitter<{ record: [TaskRecord]; lost: [LostRecords]; error: [Error]; close: [] }> {
  /** The cpumask registered. */
  readonly cpus: string;
  /** The receive buffer the kernel granted, in bytes. */
  readonly receiveBufferBytes: number;
  private readonly sock: GenlSocket;
  private readonly family: number;
  private readonly dropsAtOpen: number | null;
  private lastDrops: number | null;
  private watcher: SocketWatch | undefined;
  private closed = false;
  private readonly delayOff: boolean | undefined;

  constructor(opts: ExitListenerOptions = {}) {
    super();
    this.sock = new GenlSocket();
    try {
      this.family = genlFamily(this.sock, TASKSTATS.GENL_NAME);
      this.receiveBufferBytes = this.sock.setReceiveBuffer(opts.receiveBuffer ?? 4 << 20);
      this.cpus = opts.cpus ?? onlineCpus();
      const early: NlMessage[] = [];
      this.sock.request(
        this.family,
        TASKSTATS.CMD_GET,
        TASKSTATS.GENL_VERSION,
        [stringAttr(TASKSTATS.CMD_ATTR_REGISTER_CPUMASK, this.cpus)],
        `taskstats exit records on CPUs ${this.cpus}`,
        true,
        (m) => early.push(m),
      );
      // Records that came before the acknowledgement: emitted once the caller has attached its listeners.
      if (early.length > 0)
        process.nextTick(() => {
          for (const m of early) this.dispatch(m);
        });
    } catch (err) {
      this.sock.close();
      throw err;
    }
    this.dropsAtOpen = this.sock.drops();
    this.lastDrops = this.dropsAtOpen;
    const off = delayAccountingEnabled();
    this.delayOff = off === undefined ? undefined : !off;
    let watcher: SocketWatch;
    try {
      watcher = this.sock.watch((status) => this.onReadable(status), 'watching the taskstats socket');
    } catch (err) {
      this.close();
      throw err;
    }
    if (opts.ref === false) watcher.ref(false);
    this.watcher = watcher;
  }

  /** Whether the listener keeps the process alive. */
  ref(on = true): this {
    this.watcher?.ref(on);
    return this;
  }

  /** Reads every datagram waiting now (the watcher calls this; call it to collect records synchronously). */
  drain(): void {
    if (this.closed) return;
    for (;;) {
      const n = this.sock.receive();
      if (n === RECV_NONE) return;
      if (n === RECV_DROPPED) {
        const now = this.sock.drops();
        const count = now === null || this.lastDrops === null ? null : now - this.lastDrops;
        this.lastDrops = now;
        this.emit('lost', { count, total: now === null || this.dropsAtOpen === null ? null : now - this.dropsAtOpen });
        continue;
      }
      if (n < 0) {
        this.emit('error', netlinkError('receiving taskstats exit records', -n));
        return;
      }
      if (n > this.sock.buf.length) {
        this.emit('error', new ProcfsError('io', `a taskstats message of ${n} bytes did not fit in ${this.sock.buf.length}`));
        continue;
      }
      try {
        for (const m of decodeMessages(this.sock.buf.subarray(0, n))) this.dispatch(m);
      } catch (err) {
        this.emit('error', new ProcfsError('parse', `taskstats exit record: ${(err as Error).message}`, { cause: err }));
      }
    }
  }

  /** Emits the records of one message (exit records are TASKSTATS_CMD_NEW messages of the family). */
  private dispatch(m: NlMessage): void {
    if (m.type !== this.family) return;
    try {
      const g = decodeGenl(m.payload);
      if (g.cmd !== TASKSTATS.CMD_NEW) return;
      for (const r of taskRecords(g, this.delayOff)) this.emit('record', r);
    } catch (err) {
      this.emit('error', err instanceof ProcfsError ? err : new ProcfsError('parse', `taskstats exit record: ${(err as Error).message}`, { cause: err }));
    }
  }

  private onReadable(status: number): void {
    if (status < 0) {
      this.emit('error', netlinkError('watching the taskstats socket', -status));
      return;
    }
    this.drain();
  }

  /** The records as an async iterator, ending when the listener closes; errors are thrown from it. */
  async *[Symbol.asyncIterator](): AsyncGenerator<TaskRecord> {
    const queue: TaskRecord[] = [];
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const onRecord = (r: TaskRecord) => {
      queue.push(r);
      wake?.();
    };
    const onError = (e: Error) => {
      failure = e;
      wake?.();
    };
    const onClose = () => wake?.();
    this.on('record', onRecord).on('error', onError).on('close', onClose);
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (failure !== undefined) throw failure;
        if (this.closed) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      this.off('record', onRecord).off('error', onError).off('close', onClose);
    }
  }

  /** Deregisters the cpumask, stops watching and closes the socket. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watcher?.stop();
    this.watcher = undefined;
    try {
      this.sock.request(
        this.family,
        TASKSTATS.CMD_GET,
        TASKSTATS.GENL_VERSION,
        [stringAttr(TASKSTATS.CMD_ATTR_DEREGISTER_CPUMASK, this.cpus)],
        'taskstats deregister',
        true,
      );
    } catch {
      // Closing the socket below removes the listener too (the kernel drops listeners whose socket is gone).
    }
    this.sock.close();
    this.emit('close');
  }
}
