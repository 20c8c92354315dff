/**
 * Huffman codes as deflate stores them (RFC 1951 3.2.2): code lengths
 * limited to a maximum, and the canonical codes those lengths give, bit
 * reversed so they can be written least significant bit first.
 */

/**
 * Code lengths for symbol frequencies, none longer than `maxBits`: a symbol
 * with frequency 0 gets length 0. At least two symbols get a code (a tree
 * of one leaf is not a complete code), so one or none used get padding ones.
 */
export function codeLengths(freqs: ArrayLike<number>, maxBits: number): Uint8Array {
  const n = freqs.length;
  const lengths = new Uint8Array(n);
  const used: number[] = [];
  for (let i = 0; i < n; i++) if (freqs[i]! > 0) used.push(i);
  if (used.length < 2) {
    for (let i = 0; used.length < 2 && i < n; i++) if (!used.includes(i)) used.push(i);
    for (const s of used) lengths[s] = 1;
    return lengths;
  }
  // Least frequent first; ties by symbol so the result does not depend on the sort's stability.
  used.sort((a, b) => freqs[a]! - freqs[b]! || a - b);
  const m = used.length;
  // Two-queue Huffman: leaves in order, inner nodes made in order of weight.
  const weight = new Float64Array(2 * m);
  const parent = new Int32Array(2 * m);
  for (let i = 0; i < m; i++) weight[i] = freqs[used[i]!]!;
  let leaf = 0;
  let inner = m;
  let made = m;
  const take = (): number => (leaf < m && (inner >= made || weight[leaf]! <= weight[inner]!) ? leaf++ : inner++);
  while (made < 2 * m - 1) {
    const a = take();
    const b = take();
    weight[made] = weight[a]! + weight[b]!;
    parent[a] = made;
    parent[b] = made;
    made++;
  }
  // Depths from the root (the last node made) down.
  const depth = new Int32Array(2 * m);
  for (let i = 2 * m - 3; i >= 0; i--) depth[i] = depth[parent[i]!]! + 1;
  // Count codes per length, folding those past the limit into it, then restore Kraft's equality.
  const count = new Int32Array(Math.max(maxBits, 32) + 1);
  for (let i = 0; i < m; i++) count[Math.min(depth[i]!, maxBits)]!++;
  let total = 0;
  for (let len = 1; len <= maxBits; len++) total += count[len]! * 2 ** (maxBits - len);
  while (total > 2 ** maxBits) {
    // Lengthen one code at the longest length below the limit: it frees room for two at the next length.
    count[maxBits]!--;
    for (let len = maxBits - 1; len > 0; len--) {
      if (count[len]! > 0) {
        count[len]!--;
        count[len + 1]! += 2;
        break;
      }
    }
    total--;
  }
  // Longest codes to the least frequent symbols.
  let s = 0;
  for (let len = maxBits; len > 0; len--) for (let k = count[len]!; k > 0; k--) lengths[used[s++]!] = len;
  return lengths;
}

/** Canonical codes for code lengths, each bit reversed (deflate sends a code's bits from its most significant down). */
export function canonicalCodes(lengths: Uint8Array, maxBits: number): Uint16Array {
  const perLength = new Int32Array(maxBits + 1);
  for (const l of lengths) if (l > 0) perLength[l]!++;
  const next = new Int32Array(maxBits + 2);
  let code = 0;
  for (let len = 1; len <= maxBits; len++) {
    code = (code + perLength[len - 1]!) << 1;
    next[len] = code;
  }
  const codes = new Uint16Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s]!;
    if (len === 0) continue;
    let c = next[len]!++;
    let r = 0;
    for (let i = 0; i < len; i++) {
      r = (r << 1) | (c & 1);
      c >>= 1;
    }
    codes[s] = r;
  }
  return codes;
}
