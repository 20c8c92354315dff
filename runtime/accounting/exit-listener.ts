/**
 * The statistics of tasks as they exit: the TASKSTATS family sends a record
 * for each task that exits on the CPUs a socket registered for. Records come
 * in through a watch on Node's event loop (genl-socket.ts) and never block
 * it. See docs/taskstats.md.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { ProcfsError } from '../core/errors.js';
import { GenlSocket, RECV_DROPPED, RECV_NONE, genlFamily, netlinkError, type SocketWatch } from './genl-socket.js';
import { decodeGenl, decodeMessages, stringAttr, type NlMessage } from './netlink.js';
import { delayAccountingEnabled } from './taskstats.js';
import { taskRecords, type TaskRecord } from './taskstats-decode.js';
import { TASKSTATS } from './taskstats-layout.js';

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
