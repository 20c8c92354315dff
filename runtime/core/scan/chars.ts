/**
 * Bytes and character classes of the scanner (runtime/core/scan.ts), and
 * searches in a range of its text.
 *
 * The scanner's modules read what they take from here through constants of
 * their own, set once when the module loads (`const { isSpace } = chars`),
 * and these functions read the codes through constants of this module, not
 * the exported CHAR: V8 (Node 20) reads an imported binding, or an exported
 * one even in its own module, from the module's cell at every use, and in a
 * loop over bytes that is every pass (a digit and white-space loop calling
 * an imported isSpace and reading imported codes ran at two thirds of the
 * speed of the same loop on constants of its module).
 */

/** Codes of the ASCII characters the scanner looks for. */
export const CHAR = { SP: 32, TAB: 9, NL: 10, COLON: 58, BACKSLASH: 92, ZERO: 48, NINE: 57, MINUS: 45, PLUS: 43 } as const;

const { SP, TAB, ZERO, NINE } = CHAR;

export function isSpace(c: number): boolean {
  return c === SP || c === TAB;
}

export function hexDigit(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** True for an octal digit. */
export function isOctal(c: number): boolean {
  return c >= ZERO && c <= 55;
}

/** Code of a one-character ASCII argument (a separator or terminator named by a spec). */
export function codeOf(c: string): number {
  return c.charCodeAt(0);
}

/**
 * Index of `c` in t[a, b), or -1. Unlike indexOf it never looks past `b`:
 * an unbounded search for a character a line lacks runs on to the next line
 * that has it, and done on every line, that is quadratic in the text. A
 * short range is scanned directly; a long one is searched in a slice of the
 * text (a view, not a copy), as fast as indexOf and bounded, or in the text
 * itself when the range ends where the text does.
 */
export function findIn(t: string, c: string, a: number, b: number): number {
  if (b - a > 32 || c.length !== 1) {
    // A range that runs to the text's end needs no bound: the text itself is searched, no slice made.
    if (b === t.length) return t.indexOf(c, a);
    const i = t.slice(a, b).indexOf(c);
    return i < 0 ? -1 : a + i;
  }
  const code = c.charCodeAt(0);
  for (let i = a; i < b; i++) if (t.charCodeAt(i) === code) return i;
  return -1;
}

/**
 * Index of the last `c` in t[a, b), or -1 (never looking before `a`;
 * searched in a slice, see findIn). Forward searches from one match to the
 * next: V8's indexOf is a fast builtin, its lastIndexOf a slow runtime call
 * (8x slower on a stat line), and the text is still read only once.
 */
export function findLastIn(t: string, c: string, a: number, b: number): number {
  const s = t.slice(a, b);
  let i = s.indexOf(c);
  if (i < 0) return -1;
  for (;;) {
    const j = s.indexOf(c, i + 1);
    if (j < 0) return a + i;
    i = j;
  }
}

/** True when b[p, p + s.length) holds the ASCII text `s` (a short suffix: compared byte by byte, no call). */
export function bytesAre(b: Uint8Array, p: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (b[p + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** True when t[p, p + s.length) is `s` and ends by `limit`. */
export function startsAt(t: string, p: number, limit: number, s: string): boolean {
  return p + s.length <= limit && t.startsWith(s, p);
}
