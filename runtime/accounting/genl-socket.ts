/**
 * A NETLINK_GENERIC socket and the lookup of a generic netlink family's id.
 * The system calls are made by the optional native module native/taskstats.c
 * (runtime/reading/native-load.ts), loaded on first use; the messages are
 * built and read by netlink.ts. This is the only module that calls the
 * native module.
 */
import { fstatSync, readFileSync } from 'node:fs';
import { parseProcNetNetlink } from '../../generated/parsers/proc/net/netlink.js';
import { ProcfsError } from '../core/errors.js';
import { errnoName, loadNativeModule } from '../reading/native.js';
import {
  CTRL_ATTR_FAMILY_ID,
  CTRL_ATTR_FAMILY_NAME,
  CTRL_CMD_GETFAMILY,
  GENL_ID_CTRL,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLM_F_ACK,
  NLM_F_REQUEST,
  attrUint,
  decodeGenl,
  decodeMessages,
  encodeGenl,
  errorOf,
  findAttr,
  stringAttr,
  type Attr,
  type GenlMessage,
  type NlMessage,
} from './netlink.js';

/** The system calls of native/taskstats.c; numbers below 0 are -errno. */
interface NetlinkNative {
  open(): number;
  send(fd: number, buf: Uint8Array): number;
  recv(fd: number, buf: Uint8Array): number;
  setRcvBuf(fd: number, bytes: number, force: boolean): number;
  getRcvBuf(fd: number): number;
  close(fd: number): number;
  watch(fd: number, callback: (status: number) => void): object | number;
  unwatch(handle: object): void;
  refWatch(handle: object, ref: boolean): void;
}

let loaded: NetlinkNative | Error | undefined;

/** The native module; its absence is ProcfsError 'unsupported'. */
function nativeModule(): NetlinkNative {
  loaded ??= loadNativeModule<NetlinkNative>('taskstats');
  if (loaded instanceof Error) {
    throw new ProcfsError('unsupported', `taskstats needs a native module (${loaded.message})`, { cause: loaded });
  }
  return loaded;
}

/** A ProcfsError for a failed netlink call (`errno` positive). */
export function netlinkError(what: string, errno: number): ProcfsError {
  const name = errnoName(errno);
  const code =
    name === 'ESRCH' || name === 'ENOENT'
      ? 'not_found'
      : name === 'EPERM' || name === 'EACCES'
        ? 'permission'
        : name === 'EOPNOTSUPP' || name === 'EINVAL'
          ? 'unsupported'
          : 'io';
  const hint = code === 'permission' ? ' (needs CAP_NET_ADMIN)' : '';
  return new ProcfsError(code, `${what}: ${name}${hint}`, { errno: name });
}

/** What receive() returns when no datagram is waiting (-EAGAIN). */
export const RECV_NONE = -11;
/** What receive() returns when the kernel dropped datagrams because the receive buffer was full (-ENOBUFS). */
export const RECV_DROPPED = -105;

/** A socket's readability watched on Node's event loop (no thread, no timer). */
export interface SocketWatch {
  /** Whether the watch keeps the process alive. */
  ref(on: boolean): void;
  stop(): void;
}

/** One NETLINK_GENERIC socket: requests answered synchronously (the kernel replies inside send). */
export class GenlSocket {
  readonly fd: number;
  private readonly nat: NetlinkNative;
  private seq = 1;
  private inode: number | undefined;
  /** Receive buffer for one datagram: taskstats messages are under 1 KiB. */
  readonly buf = new Uint8Array(65536);

  constructor() {
    this.nat = nativeModule();
    const fd = this.nat.open();
    if (fd < 0) throw netlinkError('netlink socket', -fd);
    this.fd = fd;
  }

  /**
   * Sends a request and returns the answer's generic netlink messages (an ACK gives none); kernel
   * errors throw. Messages that are not the answer (exit records on a listening socket) go to `other`.
   */
  request(family: number, cmd: number, version: number, attrs: readonly Attr[], what: string, ack = false, other?: (m: NlMessage) => void): GenlMessage[] {
    const seq = this.seq++;
    const sent = this.nat.send(this.fd, encodeGenl({ family, flags: NLM_F_REQUEST | (ack ? NLM_F_ACK : 0), seq, cmd, version, attrs }));
    if (sent < 0) throw netlinkError(what, -sent);
    const out: GenlMessage[] = [];
    for (;;) {
      const n = this.receive();
      if (n < 0) throw netlinkError(what, n === RECV_NONE ? 62 : -n); // no answer came: ETIME
      if (n > this.buf.length) throw new ProcfsError('io', `${what}: a reply of ${n} bytes did not fit in ${this.buf.length}`);
      for (const m of decodeMessages(this.buf.subarray(0, n))) {
        if (m.seq !== seq) {
          other?.(m); // a stale answer to an earlier request, or a record sent unasked
          continue;
        }
        if (m.type === NLMSG_ERROR) {
          const e = errorOf(m);
          if (e !== 0) throw netlinkError(what, e);
          return out;
        }
        if (m.type === NLMSG_DONE) return out;
        out.push(decodeGenl(m.payload));
        if (!ack) return out;
      }
    }
  }

  /**
   * Reads one datagram into `buf`: its length in bytes (more than buf.length when it was cut short),
   * or -errno: RECV_NONE when none is waiting, RECV_DROPPED after the kernel dropped some.
   */
  receive(): number {
    return this.nat.recv(this.fd, this.buf);
  }

  /** Asks for a receive buffer of `bytes` (SO_RCVBUFFORCE, else SO_RCVBUF capped by net.core.rmem_max); returns the bytes granted. */
  setReceiveBuffer(bytes: number): number {
    // The kernel doubles the value asked for (bookkeeping overhead), so ask for half.
    const half = Math.ceil(bytes / 2);
    if (this.nat.setRcvBuf(this.fd, half, true) < 0) this.nat.setRcvBuf(this.fd, half, false);
    return this.nat.getRcvBuf(this.fd);
  }

  /** Calls `onReadable` when a datagram is waiting (status 0) or polling failed (-errno); a failure to start is a ProcfsError. */
  watch(onReadable: (status: number) => void, what: string): SocketWatch {
    const handle = this.nat.watch(this.fd, onReadable);
    if (typeof handle === 'number') throw netlinkError(what, -handle);
    return { ref: (on) => this.nat.refWatch(handle, on), stop: () => this.nat.unwatch(handle) };
  }

  /** Datagrams the kernel has dropped on this socket (its row of /proc/net/netlink), or null when that cannot be read. */
  drops(): number | null {
    try {
      this.inode ??= fstatSync(this.fd).ino;
      const inode = this.inode;
      return parseProcNetNetlink(readFileSync('/proc/net/netlink', 'utf8')).find((r) => r.inode === inode)?.drops ?? null;
    } catch {
      return null;
    }
  }

  close(): void {
    this.nat.close(this.fd);
  }
}

const familyIds = new Map<string, number>();

/** The id of a generic netlink family; a family the kernel lacks is ProcfsError 'unsupported'. */
export function genlFamily(sock: GenlSocket, name: string): number {
  const known = familyIds.get(name);
  if (known !== undefined) return known;
  let reply: GenlMessage[];
  try {
    reply = sock.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, [stringAttr(CTRL_ATTR_FAMILY_NAME, name)], `generic netlink family ${name}`);
  } catch (err) {
    if (err instanceof ProcfsError && err.errno === 'ENOENT') {
      throw new ProcfsError('unsupported', `this kernel has no generic netlink family ${name} (built without CONFIG_TASKSTATS?)`, {
        errno: 'ENOENT',
        cause: err,
      });
    }
    throw err;
  }
  const id = findAttr(reply[0]?.attrs ?? [], CTRL_ATTR_FAMILY_ID);
  if (id === undefined) throw new ProcfsError('io', `generic netlink family ${name}: the controller's answer has no family id`);
  familyIds.set(name, attrUint(id));
  return attrUint(id);
}
