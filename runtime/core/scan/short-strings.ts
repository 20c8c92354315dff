/**
 * The table of short strings the scanner shares between parses (see
 * Scan.str): a token a file repeats on every line, or a value repeats in
 * every parse, is one string, not one per line.
 */

/** Slots of the table of short strings (a power of two; see shortString). */
const SHORT_BITS = 12;
const SHORT_SLOTS = 1 << SHORT_BITS;

/**
 * Strings of 2 to 12 characters made before, by a hash of their bytes: a
 * token a file repeats on every line (rw, relatime, tmpfs, VmFlags' rd and
 * mr, a process name) is one string, not one per line. Each slot holds the
 * last string made for it, so the table stays 4,096 short strings.
 */
const shortStrings: string[] = new Array<string>(SHORT_SLOTS).fill('');

/** The bytes of each slot's string, four to a word, and its length (0: an empty slot). */
const shortKeys = new Int32Array(SHORT_SLOTS * 4);

/**
 * A string of 2 to 12 ASCII bytes b[a, e): the one made
 * before for the same bytes when the slot of their hash still holds it
 * (see shortStrings), else a new one that takes the slot. `text`: the
 * Latin-1 view of the bytes `b` (see ScanText).
 */
export function shortString(b: Uint8Array, text: string, a: number, e: number, n: number): string {
  let w0 = 0;
  let w1 = 0;
  let w2 = 0;
  for (let i = 0; i < n; i++) {
    const c = b[a + i]!;
    if (i < 4) w0 |= c << (i << 3);
    else if (i < 8) w1 |= c << ((i - 4) << 3);
    else w2 |= c << ((i - 8) << 3);
  }
  const slot = Math.imul(w0 ^ Math.imul(w1, 0x85ebca6b) ^ Math.imul(w2 ^ n, 0xc2b2ae35), 0x9e3779b1) >>> (32 - SHORT_BITS);
  const k = slot << 2;
  if (shortKeys[k] === w0 && shortKeys[k + 1] === w1 && shortKeys[k + 2] === w2 && shortKeys[k + 3] === n) return shortStrings[slot]!;
  const made = text.slice(a, e);
  shortKeys[k] = w0;
  shortKeys[k + 1] = w1;
  shortKeys[k + 2] = w2;
  shortKeys[k + 3] = n;
  shortStrings[slot] = made;
  return made;
}
