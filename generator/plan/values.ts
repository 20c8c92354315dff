/**
 * Reads of values and tokens: which scanner call reads a value, how it is
 * scaled, and which fast path a token takes.
 */
import type { KeyedEntry, TokenModel, ValueModel } from '../../runtime/model/model.js';
import { scalarType } from '../shapes.js';
import type { Call, LineNumberRead, Scale, StringRead, TokenBody, TokenEnd, TokenRead, ValueRead } from './ir.js';

export type FieldToken = Extract<TokenModel, { kind: 'field' }>;

/** Where a value sits: one token among others, the rest of a keyed line, or a whole NUL-separated item. */
export type Place = 'token' | 'line' | 'item';

/** Units counted in something other than bytes, and the expression of bytes per unit (`bytes` itself: 1). */
const BYTE_FACTORS: Record<string, string> = { bytes: '1', kB: '1024', pages: 'ctx.pageSize', sectors: '512' };

/** Units of time, which a value is divided into seconds from (read as a double: approx). */
const TIME_UNITS: ReadonlySet<string> = new Set(['ticks', 'jiffies', 'ns', 'us', 'ms', 'cs']);

const DIVISORS: Record<string, string> = { ticks: 'ctx.clockTick', jiffies: 'ctx.hz', ns: '1e9', us: '1e6', ms: '1e3', cs: '100' };

const call = (method: string, ...args: Call['args']): Call => ({ method, args });

export function scaleOf(unit: string | undefined, wide = false): Scale {
  const factor = unit === undefined || unit === 'bytes' ? undefined : BYTE_FACTORS[unit];
  if (factor !== undefined) return { kind: 'bytes', factor, wide };
  const by = unit === undefined ? undefined : DIVISORS[unit];
  return by === undefined ? { kind: 'none' } : { kind: 'divide', by };
}

/** A plain unsigned number alone on a keyed line (Scan.uLine), or undefined when the entry's value is anything else. */
export interface LineNumber {
  factor: string;
  /** A number known when the parser is generated (Scan.keyedNumber takes those). */
  constant: boolean;
  suffix: string;
  /** The suffix may be missing: such a line is left to Scan.uLine (its factor in the key table is 0). */
  optional: boolean;
  /** A wide integer: a bigint in exact mode (Scan.uLineW). */
  wide: boolean;
}

export function lineNumber(e: KeyedEntry): LineNumber | undefined {
  const val = e.field.value;
  if (e.repeated || e.prefix !== undefined || val.kind !== 'integer') return undefined;
  const factor = BYTE_FACTORS[val.unit ?? 'bytes'];
  if (factor === undefined || val.signed || val.hex || val.octal || val.sentinels.length > 0) return undefined;
  return { factor, constant: /^\d+$/.test(factor), suffix: val.suffix ?? '', optional: val.suffixOptional === true, wide: val.wide === true };
}

export const lineNumberRead = (n: LineNumber, fromLoop: boolean): LineNumberRead => ({
  wide: n.wide,
  factor: n.factor,
  suffix: n.suffix,
  optional: n.optional,
  fromLoop,
});

/**
 * Whether a value is read as a bare s.u(): an unsigned decimal integer with
 * no sentinel, suffix, hex or octal form, and a unit that needs no scaling
 * (none, bytes, or one that is neither a byte multiple nor a time). A repeated
 * token of such values is read by Scan.uList in one loop.
 */
function isPlainUnsigned(v: ValueModel): boolean {
  if (v.kind !== 'integer' || v.hex || v.octal || v.signed || v.sentinels.length > 0 || v.suffix !== undefined) return false;
  return v.unit === undefined || v.unit === 'bytes' || (BYTE_FACTORS[v.unit] === undefined && !TIME_UNITS.has(v.unit));
}

/** A word that may begin with a phrase holding spaces (Scan.wordPhrased); the phrases are longest first. */
const phrased = (phrases: string[], stop?: string): Call => call('wordPhrased', { code: `[${phrases.map((p) => JSON.stringify(p)).join(', ')}]` }, stop);

const str = (c: Call, escaped: boolean | undefined, trim = false): StringRead => ({ call: c, escaped: escaped === true, ...(trim ? { trim } : {}) });

/** The read of a value at the cursor; `record` names the function of a record value. */
export function valueRead(v: ValueModel, place: Place, label: string, record: (r: Extract<ValueModel, { kind: 'record' }>['record']) => string): ValueRead {
  switch (v.kind) {
    case 'integer':
    case 'u64': {
      const toSeconds = v.kind === 'integer' && v.unit !== undefined && TIME_UNITS.has(v.unit);
      const wide = v.kind === 'integer' && v.wide === true;
      const method =
        v.kind === 'u64'
          ? v.hex
            ? 'hex64'
            : 'u64'
          : v.hex
            ? wide
              ? 'wHex'
              : 'hexNum'
            : v.octal
              ? wide
                ? 'wOct'
                : 'octNum'
              : toSeconds
                ? v.signed
                  ? 'approx'
                  : 'approxUnsigned'
                : v.signed
                  ? wide
                    ? 'wi'
                    : 'i'
                  : wide
                    ? 'w'
                    : 'u';
      return {
        kind: 'number',
        call: call(method),
        scale: v.kind === 'integer' ? scaleOf(v.unit, wide) : { kind: 'none' },
        sentinels: v.sentinels.map((s) => ({ raw: s.raw, name: s.name })),
        ...(v.kind === 'integer' && v.suffix !== undefined ? { suffix: { text: v.suffix, optional: v.suffixOptional === true } } : {}),
      };
    }
    case 'float':
      return {
        kind: 'number',
        call: call('f'),
        scale: scaleOf(v.unit),
        sentinels: [],
        ...(v.suffix !== undefined ? { suffix: { text: v.suffix, optional: v.suffixOptional === true } } : {}),
      };
    case 'string': {
      const c =
        place === 'line'
          ? call(v.verbatim ? 'restVerbatim' : 'rest')
          : place === 'item'
            ? call('whole')
            : v.phrases !== undefined
              ? phrased(v.phrases)
              : call(v.quoted ? 'quoted' : 'word');
      return { kind: 'string', read: str(c, v.escaped) };
    }
    case 'enum':
      return {
        kind: 'enum',
        values: v.values.map((e) => ({ raw: e.raw, name: e.name })),
        expected: `${label}: one of ${v.values.map((e) => e.raw).join(', ')}`,
      };
    case 'mask':
      return { kind: 'call', call: call('mask') };
    case 'cpulist':
      return { kind: 'call', call: call('cpulist') };
    case 'choice':
      return { kind: 'call', call: call('choice', v.unselected === true) };
    case 'inet':
      return { kind: 'call', call: call('inet', v.order, { code: 'ctx.littleEndian' }) };
    case 'list': {
      // The items of one token (`rw,relatime`), or the tokens of a short rest of a line (VmFlags), are counted first
      // and go into an array made at that length (Scan.listRoom).
      const room = v.open === undefined && (v.separator === null || v.separator.length === 1);
      // An item may be empty (gVisor prints a mount's options as ",noatime,..."): kept as "".
      const item: ValueRead =
        v.separator !== null && v.of.kind === 'string' && v.separator.length === 1
          ? { kind: 'string', read: str(call('wordBefore', v.separator, v.separator), v.of.escaped) }
          : valueRead(v.of, 'token', label, record);
      // An enum item ends at the separator too (`PERMANENT,INACTIVE`).
      if (item.kind === 'enum' && v.separator !== null && v.separator.length === 1) item.stop = v.separator;
      return {
        kind: 'list',
        itemType: scalarType(v.of),
        room: room ? (v.separator === null ? -1 : v.separator.charCodeAt(0)) : undefined,
        ...(v.open !== undefined ? { open: v.open, close: v.close! } : {}),
        separator: v.separator,
        item,
      };
    }
    case 'pair': {
      const fv = v.first.value;
      const sv = v.second.value;
      // A string first part ends at the separator (or, with an optional second part, at the token's end).
      const first: ValueRead =
        fv.kind === 'string' && v.separator.length === 1
          ? {
              kind: 'string',
              read: str(
                fv.quoted ? call('quoted', v.separator) : fv.phrases !== undefined ? phrased(fv.phrases, v.separator) : call('wordTo', v.separator),
                fv.escaped,
              ),
            }
          : valueRead(fv, 'token', v.first.name, record);
      const second: ValueRead =
        sv.kind === 'string' && sv.quoted
          ? { kind: 'string', read: str(call('quoted', undefined, true), sv.escaped) }
          : valueRead(sv, 'token', v.second.name, record);
      return {
        kind: 'pair',
        separator: v.separator,
        first: { name: v.first.name, type: scalarType(fv), read: first, inet: fv.kind === 'inet' },
        second: { name: v.second.name, type: scalarType(sv), read: second, inet: sv.kind === 'inet', optional: v.second.optional === true },
        checkQuote: v.second.optional === true && fv.kind === 'string' && fv.quoted === true,
      };
    }
    case 'record':
      return { kind: 'record', fn: record(v.record) };
  }
}

/** A token a pick can step over without reading its value: one plain word. */
export const skippable = (t: FieldToken): boolean =>
  !t.repeat &&
  !t.rest &&
  t.perColumn === undefined &&
  t.enclosed === undefined &&
  t.width === undefined &&
  t.untilLast === undefined &&
  t.prefix === undefined &&
  t.terminator === undefined &&
  ['integer', 'u64', 'float', 'string', 'enum', 'mask', 'cpulist'].includes(t.field.value.kind);

/**
 * The read of one field token; `fieldType` is the field's declared type (a
 * repeated token's item and array types come from it).
 */
export function tokenRead(t: FieldToken, fieldType: string, record: (r: Extract<ValueModel, { kind: 'record' }>['record']) => string): TokenRead {
  const f = t.field;
  const fv = f.value;
  const escaped = fv.kind === 'string' && fv.escaped === true;
  const verbatim = fv.kind === 'string' && fv.verbatim === true;
  if (
    fv.kind === 'integer' &&
    !fv.hex &&
    !fv.octal &&
    fv.sentinels.length === 0 &&
    fv.suffix === undefined &&
    !t.repeat &&
    t.perColumn === undefined &&
    t.prefix === undefined &&
    !t.rest &&
    t.width === undefined &&
    t.untilLast === undefined &&
    t.enclosed === undefined &&
    t.terminator === undefined
  ) {
    const toSeconds = fv.unit !== undefined && TIME_UNITS.has(fv.unit);
    const wide = fv.wide === true;
    const method = toSeconds ? (fv.signed ? 'tokApprox' : 'tokApproxUnsigned') : fv.signed ? (wide ? 'tokWI' : 'tokI') : wide ? 'tokW' : 'tokU';
    return { kind: 'tok', call: call(method), scale: scaleOf(fv.unit, wide) };
  }
  const space = verbatim ? 'oneSpace' : 'ws';
  const read = (body: TokenBody, prefix = t.prefix): TokenRead => ({ kind: 'read', space, ...(prefix !== undefined ? { prefix } : {}), body });
  if (t.repeat || t.perColumn !== undefined) {
    const itemType = fieldType.replace(/^Array<(.*)>$/, '$1').replace(/\[\]$/, '');
    const arrayType = itemType.includes('|') ? `Array<${itemType}>` : `${itemType}[]`;
    if (t.perColumn === undefined && t.endsAt === undefined && t.prefix === undefined && isPlainUnsigned(fv)) {
      return read({ kind: 'uList', method: fv.kind === 'integer' && fv.wide ? 'wList' : 'uList', arrayType });
    }
    return read(
      {
        kind: 'repeat',
        arrayType,
        itemType,
        ...(t.prefix !== undefined ? { prefix: t.prefix } : {}),
        item: valueRead(fv, 'token', f.name, record),
        until:
          t.perColumn !== undefined
            ? { kind: 'columns', header: t.perColumn }
            : t.endsAt !== undefined
              ? t.endsBefore
                ? { kind: 'endsAt', word: t.endsAt, expected: '', before: true }
                : { kind: 'endsAt', word: t.endsAt, expected: `a lone "${t.endsAt}" ending ${f.name}` }
              : { kind: 'line' },
      },
      undefined,
    );
  }
  if (t.rest) return read({ kind: 'string', read: str(call(verbatim ? 'restVerbatim' : 'rest'), escaped) });
  if (t.width !== undefined) return read({ kind: 'string', read: str(call('fixed', t.width), escaped) });
  if (t.untilLast !== undefined) return read({ kind: 'string', read: str(call('untilLast', t.untilLast, ...(verbatim ? [true] : [])), escaped) });
  // A terminator that may be missing is there, or the line ends (the optional tokens after it are absent).
  const end: TokenEnd = t.terminator !== undefined ? { kind: 'char', char: t.terminator, optional: t.terminatorOptional === true } : { kind: 'sep' };
  if (t.enclosed) {
    return read({ kind: 'enclosed', read: str(call('enclosed', t.enclosed.open, t.enclosed.close, t.enclosed.closeAt), escaped), end });
  }
  if (t.terminator !== undefined && fv.kind === 'string') {
    return read({ kind: 'terminated', read: str(call(t.terminatorOptional ? 'untilOrEnd' : 'until', t.terminator), escaped, true) });
  }
  if (t.terminator !== undefined && fv.kind === 'list' && fv.separator !== null && fv.of.kind === 'string' && fv.open === undefined) {
    // A list ended by a terminator (cgroup's `cpu,cpuacct:`): items stop at either character, and it may be empty.
    return read({
      kind: 'terminatedList',
      item: str(call('wordBefore', fv.separator, t.terminator), fv.of.escaped),
      separator: fv.separator,
      terminator: t.terminator,
      end,
    });
  }
  const value = valueRead(fv, 'token', f.name, record);
  // An enum's word ends at its terminator too (nsfs's `net:[…]`).
  if (value.kind === 'enum' && t.terminator !== undefined) value.stop = t.terminator;
  return read({ kind: 'value', read: value, inet: fv.kind === 'inet', end });
}
