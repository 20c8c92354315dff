/**
 * Records of a binary file (a spec with a `binary` layout: rt_acct,
 * pid/auxv): fixed-width integers, one record after another to the end of
 * the file, read where they lie in the bytes. A generated parser makes one
 * BinaryRecords and reads each field of each record at its offset. A file
 * that is not a whole number of records, or whose end record is missing or
 * followed by more bytes, is a parse error at line 1 and the column of the
 * byte where the reading stopped (its offset + 1).
 */
import { parseError } from './errors.js';

/** The bytes of `text`: a string is taken one byte per character (latin1), as Buffer's latin1 encoding gives them. */
function bytesOf(text: string | Uint8Array): Uint8Array {
  return typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
}

/** Up to 8 bytes from `at`, in hex, for an error's `found`. */
function hexAt(b: Uint8Array, at: number): string {
  const shown = Array.from(b.subarray(at, at + 8), (x) => x.toString(16).padStart(2, '0')).join(' ');
  return b.length - at > 8 ? `${shown} …` : shown;
}

export class BinaryRecords {
  readonly b: Uint8Array;
  readonly view: DataView;
  /** Records in the file (the end record included). */
  readonly count: number;

  constructor(
    text: string | Uint8Array,
    readonly file: string,
    readonly spec: string,
    /** Bytes of one record. */
    readonly size: number,
    /** The integers are little-endian. */
    readonly little: boolean,
  ) {
    this.b = bytesOf(text);
    this.view = new DataView(this.b.buffer, this.b.byteOffset, this.b.byteLength);
    const whole = Math.floor(this.b.length / size);
    if (whole * size !== this.b.length) {
      const left = this.b.length - whole * size;
      this.fail(whole * size, `a whole record of ${size} bytes (the file is ${this.b.length} bytes: ${left} left over after ${whole} records)`);
    }
    this.count = whole;
  }

  /** Throws the parse error for the byte at offset `at`. */
  fail(at: number, expected: string): never {
    throw parseError({ file: this.file, line: 1, column: at + 1, expected, found: hexAt(this.b, at) }, this.spec);
  }

  u8(at: number): number {
    return this.b[at]!;
  }

  u16(at: number): number {
    return this.view.getUint16(at, this.little);
  }

  u32(at: number): number {
    return this.view.getUint32(at, this.little);
  }

  /** A 64-bit unsigned integer as a number: exact up to 2^53, the nearest double beyond (one rounding, of the sum). */
  u64(at: number): number {
    const lo = this.view.getUint32(this.little ? at : at + 4, this.little);
    const hi = this.view.getUint32(this.little ? at + 4 : at, this.little);
    return hi * 2 ** 32 + lo;
  }

  /** A 64-bit unsigned integer, exactly. */
  u64n(at: number): bigint {
    return this.view.getBigUint64(at, this.little);
  }

  /**
   * The number of rows when the record whose field at `offset` (of `width`
   * bytes) holds `value` ends the file: it must be the last record. An
   * empty file has no rows (the kernel writes nothing for a process without
   * memory, a kernel thread); a file without that record is an error at its
   * end, one with bytes after it an error at the first of them.
   */
  rowsUntil(offset: number, width: 1 | 2 | 4 | 8, value: number, what: string): number {
    for (let i = 0; i < this.count; i++) {
      const at = i * this.size + offset;
      const v = width === 1 ? this.u8(at) : width === 2 ? this.u16(at) : width === 4 ? this.u32(at) : this.u64(at);
      if (v !== value || (width === 8 && this.u64n(at) !== BigInt(value))) continue;
      if (i < this.count - 1) this.fail((i + 1) * this.size, `the end of the file after the end record (${what})`);
      return i;
    }
    if (this.count > 0) this.fail(this.b.length, `the end record (${what}) before the end of the file`);
    return 0;
  }
}
