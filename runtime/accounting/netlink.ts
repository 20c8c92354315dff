/**
 * Netlink and generic netlink messages as bytes: the message header
 * (nlmsghdr), the generic netlink header (genlmsghdr) and attributes (nlattr
 * TLVs), in the host's byte order and 4-byte alignment, as the kernel reads
 * and writes them. Pure functions: the socket is genl-socket.ts.
 */
import { endianness } from 'node:os';

/** Whether the kernel's integers are little-endian: they are in the host's order. */
export const LITTLE_ENDIAN = endianness() === 'LE';

/** Netlink message header length (struct nlmsghdr), in bytes. */
export const NLMSG_HDRLEN = 16;
/** Generic netlink header length (struct genlmsghdr), in bytes. */
export const GENL_HDRLEN = 4;
/** Attribute header length (struct nlattr), in bytes. */
export const NLA_HDRLEN = 4;

/** Message types the netlink core uses (below 16); generic netlink families have ids from 16. */
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;

/** Header flags. */
export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;

/** The generic netlink controller: a fixed family id, and how to ask it for a family by name. */
export const GENL_ID_CTRL = 0x10;
export const CTRL_CMD_GETFAMILY = 3;
export const CTRL_ATTR_FAMILY_ID = 1;
export const CTRL_ATTR_FAMILY_NAME = 2;

/** Attribute type bits that are flags, not part of the type number. */
const NLA_TYPE_MASK = 0x3fff;

/** Rounds up to netlink's 4-byte alignment. */
export const align4 = (n: number): number => (n + 3) & ~3;

/** One attribute: its type number (flags removed) and its payload bytes (a view into the message). */
export interface Attr {
  type: number;
  payload: Uint8Array;
}

/** One netlink message: its header fields and the bytes after the header. */
export interface NlMessage {
  /** nlmsg_type: a family id, or NLMSG_ERROR / NLMSG_DONE / ... */
  type: number;
  flags: number;
  seq: number;
  /** nlmsg_pid: the sender's port id (0: the kernel). */
  pid: number;
  payload: Uint8Array;
}

/** A generic netlink message's command, version and attributes. */
export interface GenlMessage {
  cmd: number;
  version: number;
  attrs: Attr[];
}

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** An attribute whose payload is a 32-bit unsigned integer. */
export function u32Attr(type: number, value: number): Attr {
  const payload = new Uint8Array(4);
  view(payload).setUint32(0, value >>> 0, LITTLE_ENDIAN);
  return { type, payload };
}

/** An attribute whose payload is a NUL-terminated string. */
export function stringAttr(type: number, value: string): Attr {
  const text = new TextEncoder().encode(value);
  const payload = new Uint8Array(text.length + 1);
  payload.set(text);
  return { type, payload };
}

/** Encodes attributes one after another, each padded to 4 bytes. */
export function encodeAttrs(attrs: readonly Attr[]): Uint8Array {
  const out = new Uint8Array(attrs.reduce((n, a) => n + align4(NLA_HDRLEN + a.payload.length), 0));
  const dv = view(out);
  let at = 0;
  for (const a of attrs) {
    dv.setUint16(at, NLA_HDRLEN + a.payload.length, LITTLE_ENDIAN);
    dv.setUint16(at + 2, a.type, LITTLE_ENDIAN);
    out.set(a.payload, at + NLA_HDRLEN);
    at += align4(NLA_HDRLEN + a.payload.length);
  }
  return out;
}

/** Decodes the attributes in `bytes`; a length that runs past the end is an error, never a short read. */
export function decodeAttrs(bytes: Uint8Array): Attr[] {
  const dv = view(bytes);
  const attrs: Attr[] = [];
  let at = 0;
  while (at + NLA_HDRLEN <= bytes.length) {
    const len = dv.getUint16(at, LITTLE_ENDIAN);
    if (len < NLA_HDRLEN || at + len > bytes.length) throw new RangeError(`netlink attribute at byte ${at}: length ${len} runs past ${bytes.length}`);
    attrs.push({ type: dv.getUint16(at + 2, LITTLE_ENDIAN) & NLA_TYPE_MASK, payload: bytes.subarray(at + NLA_HDRLEN, at + len) });
    at += align4(len);
  }
  return attrs;
}

/** The payload of the first attribute of `type`, if any. */
export const findAttr = (attrs: readonly Attr[], type: number): Uint8Array | undefined => attrs.find((a) => a.type === type)?.payload;

/** Reads a 16- or 32-bit unsigned attribute payload. */
export function attrUint(payload: Uint8Array): number {
  const dv = view(payload);
  if (payload.length === 2) return dv.getUint16(0, LITTLE_ENDIAN);
  if (payload.length >= 4) return dv.getUint32(0, LITTLE_ENDIAN);
  throw new RangeError(`netlink attribute of ${payload.length} bytes is not an integer`);
}

/** Encodes one generic netlink request: nlmsghdr, genlmsghdr, attributes. */
export function encodeGenl(msg: { family: number; flags?: number; seq: number; cmd: number; version: number; attrs: readonly Attr[] }): Uint8Array {
  const body = encodeAttrs(msg.attrs);
  const out = new Uint8Array(NLMSG_HDRLEN + GENL_HDRLEN + body.length);
  const dv = view(out);
  dv.setUint32(0, out.length, LITTLE_ENDIAN);
  dv.setUint16(4, msg.family, LITTLE_ENDIAN);
  dv.setUint16(6, msg.flags ?? NLM_F_REQUEST, LITTLE_ENDIAN);
  dv.setUint32(8, msg.seq >>> 0, LITTLE_ENDIAN);
  dv.setUint32(12, 0, LITTLE_ENDIAN);
  out[16] = msg.cmd;
  out[17] = msg.version;
  out.set(body, NLMSG_HDRLEN + GENL_HDRLEN);
  return out;
}

/** Splits a received datagram into its netlink messages. */
export function decodeMessages(bytes: Uint8Array): NlMessage[] {
  const dv = view(bytes);
  const out: NlMessage[] = [];
  let at = 0;
  while (at + NLMSG_HDRLEN <= bytes.length) {
    const len = dv.getUint32(at, LITTLE_ENDIAN);
    if (len < NLMSG_HDRLEN || at + len > bytes.length) throw new RangeError(`netlink message at byte ${at}: length ${len} runs past ${bytes.length}`);
    out.push({
      type: dv.getUint16(at + 4, LITTLE_ENDIAN),
      flags: dv.getUint16(at + 6, LITTLE_ENDIAN),
      seq: dv.getUint32(at + 8, LITTLE_ENDIAN),
      pid: dv.getUint32(at + 12, LITTLE_ENDIAN),
      payload: bytes.subarray(at + NLMSG_HDRLEN, at + len),
    });
    at += align4(len);
  }
  return out;
}

/** The generic netlink header and attributes of a message's payload. */
export function decodeGenl(payload: Uint8Array): GenlMessage {
  if (payload.length < GENL_HDRLEN) throw new RangeError(`generic netlink payload of ${payload.length} bytes has no header`);
  return { cmd: payload[0]!, version: payload[1]!, attrs: decodeAttrs(payload.subarray(GENL_HDRLEN)) };
}

/** The error number of an NLMSG_ERROR message: 0 for an acknowledgement, else a positive errno. */
export function errorOf(msg: NlMessage): number {
  if (msg.payload.length < 4) throw new RangeError('netlink error message without its error number');
  return -view(msg.payload).getInt32(0, LITTLE_ENDIAN);
}
