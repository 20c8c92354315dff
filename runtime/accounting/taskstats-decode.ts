/**
 * Decoding struct taskstats of any version (fields from taskstats-layout.ts,
 * placed by struct-layout.ts) into values in procspec's units, and the task
 * records of a taskstats message. No I/O: the socket is genl-socket.ts.
 */
import { ProcfsError } from '../core/errors.js';
import { LITTLE_ENDIAN, attrUint, decodeAttrs, findAttr, type GenlMessage } from './netlink.js';
import { placeFields, structSize } from './struct-layout.js';
import { BROKEN_VERSIONS, DELAY_KINDS, LAYOUT_VERSION, TASKSTATS, TASKSTATS_LAYOUT, type DelayKind, type LayoutField } from './taskstats-layout.js';

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
