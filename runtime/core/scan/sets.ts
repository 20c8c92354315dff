/**
 * Sets of the scanner (runtime/core/scan.ts): CPU and node lists
 * (`0-3,8`) and bit masks in hexadecimal.
 */
import * as bigints from './bigints.js';
import * as chars from './chars.js';
import { ScanKeys } from './keys.js';

// Copied into constants of this module once: an import is read through its module cell at every use (see chars.ts).
const { isSpace, hexDigit } = chars;
const { bigOf } = bigints;

/** CPU and node numbers of a CPU list are below this (see Scan.cpulist). */
const CPULIST_LIMIT = 1 << 20;

/** The numbers of the CPU list being read (see Scan.cpulist), reused by each call. */
let cpuScratch: number[] = [];

/** Largest scratch kept after a call. */
const CPU_SCRATCH_KEEP = 4096;

export class ScanSets extends ScanKeys {
  /**
   * A CPU or node list such as `0-3,8,10-11`, expanded to ascending numbers.
   * The kernel prints the set bits of a mask in order, and no kernel has
   * 2^20 CPUs or nodes (NR_CPUS stops at 8192): so every number is below
   * CPULIST_LIMIT and each part starts above the one before, which bounds
   * the list by the limit whatever the text (a range at 2^53 would
   * otherwise never end: past 2^53 a double's `c++` is `c`).
   */
  cpulist(): number[] {
    const a = this.pos;
    if (this.pos >= this.le || isSpace(this.b[this.pos]!)) {
      return [];
    }
    // Gathered in a scratch array and copied out at their number: an array grown by push keeps room for 17 or more (status' `0-1` held 152 bytes of elements for 2 numbers).
    let out = cpuScratch;
    let n = 0;
    let last = -1;
    for (;;) {
      const lo = this.cpuNumber(last);
      let hi = lo;
      if (this.at('-')) {
        this.pos++;
        hi = this.cpuNumber(lo - 1);
      }
      last = hi;
      for (let c = lo; c <= hi; c++) out[n++] = c;
      if (!this.at(',')) break;
      this.pos++;
    }
    this.ts = a;
    const list = out.slice(0, n);
    // A scratch grown by a long list is let go, not kept for good.
    if (out.length > CPU_SCRATCH_KEEP) out = [];
    cpuScratch = out;
    return list;
  }

  /** One number of a CPU list: above `after` and below CPULIST_LIMIT. */
  private cpuNumber(after: number): number {
    const a = this.pos;
    const n = this.u();
    if (n <= after || n >= CPULIST_LIMIT) {
      this.ts = a;
      this.pos = a;
      this.fail(after < 0 ? `a CPU or node number below ${CPULIST_LIMIT}` : `a CPU or node number above ${after} and below ${CPULIST_LIMIT}`);
    }
    return n;
  }

  /** A bit mask in hexadecimal, possibly in comma-separated 32-bit groups, as a bigint. */
  mask(): bigint {
    const b = this.b;
    const a = this.pos;
    let p = a;
    let from = a;
    // Leading zero digits are skipped (Mems_allowed prints hundreds of them):
    // `sig` counts significant digits and `n` holds them while they fit a double.
    let sig = 0;
    let sigStart = -1;
    let n = 0;
    while (p < this.le) {
      const c = b[p]!;
      if (c === 44) {
        if (p === from) break;
        from = p + 1;
      } else {
        const d = hexDigit(c);
        if (d < 0) break;
        if (sig > 0 || d > 0) {
          if (sig === 0) sigStart = p;
          sig++;
          if (sig <= 13) n = n * 16 + d;
        }
      }
      p++;
    }
    this.ts = a;
    if (p === from) this.fail('a hexadecimal mask');
    this.pos = p;
    if (sig <= 13) return bigOf(n);
    const t = this.text;
    let digits = '';
    let run = sigStart;
    for (let i = sigStart; i < p; i++) {
      if (b[i] === 44) {
        digits += t.slice(run, i);
        run = i + 1;
      }
    }
    digits += t.slice(run, p);
    return BigInt(`0x${digits}`);
  }
}
