/**
 * Internet addresses of the scanner (runtime/core/scan.ts): IPv4 and IPv6
 * addresses printed in hexadecimal, as their usual text.
 */
import * as chars from './chars.js';
import { ScanSets } from './sets.js';

// Copied into constants of this module once: an import is read through its module cell at every use (see chars.ts).
const { hexDigit } = chars;

/** Texts of IPv4 addresses read lately, by value (plus 2^32 when read byte-swapped); cleared when it fills. */
const IPV4_TEXT = new Map<number, string>();

export class ScanInet extends ScanSets {
  /**
   * An IPv4 (8 hex digits) or IPv6 (32 hex digits) address printed in hex,
   * as its usual text form. `host`: 32-bit words in the byte order of the
   * machine that printed them (net/tcp, net/route); `network`: bytes in
   * order (if_inet6, ipv6_route).
   */
  inet(order: 'host' | 'network', littleEndian: boolean): string {
    const b = this.b;
    const a = this.pos;
    let p = a;
    while (p < this.le && hexDigit(b[p]!) >= 0) p++;
    this.ts = a;
    const n = p - a;
    if (n !== 8 && n !== 32) this.fail('an address of 8 or 32 hex digits');
    const swap = order === 'host' && littleEndian;
    this.pos = p;
    if (n === 8) {
      // The four bytes as printed; in host order on a little-endian machine the word's bytes are reversed.
      const b0 = hexDigit(b[a]!) * 16 + hexDigit(b[a + 1]!);
      const b1 = hexDigit(b[a + 2]!) * 16 + hexDigit(b[a + 3]!);
      const b2 = hexDigit(b[a + 4]!) * 16 + hexDigit(b[a + 5]!);
      const b3 = hexDigit(b[a + 6]!) * 16 + hexDigit(b[a + 7]!);
      // A table's addresses repeat (the local ones, 0.0.0.0 of listeners): each text is made once.
      const key = (swap ? 2 ** 32 : 0) + ((b0 << 24) >>> 0) + (b1 << 16) + (b2 << 8) + b3;
      let text = IPV4_TEXT.get(key);
      if (text === undefined) {
        text = swap ? `${b3}.${b2}.${b1}.${b0}` : `${b0}.${b1}.${b2}.${b3}`;
        if (IPV4_TEXT.size >= 4096) IPV4_TEXT.clear();
        IPV4_TEXT.set(key, text);
      }
      return text;
    }
    const bytes = new Array<number>(16);
    for (let w = 0; w < 4; w++) {
      for (let i = 0; i < 4; i++) {
        const at = a + w * 8 + (swap ? (3 - i) * 2 : i * 2);
        bytes[w * 4 + i] = hexDigit(b[at]!) * 16 + hexDigit(b[at + 1]!);
      }
    }
    return ipv6Text(bytes);
  }
}

/**
 * RFC 5952 text of an IPv6 address: lower-case groups without leading
 * zeros, the longest run of two or more zero groups as `::` (the first such
 * run on a tie), and an IPv4-mapped address as `::ffff:a.b.c.d`.
 */
function ipv6Text(b: number[]): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b[i]! * 256 + b[i + 1]!);
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(g);
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLen))}`;
}
