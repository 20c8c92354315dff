/**
 * Strings of bytes that need not be UTF-8, without losing any. The kernel
 * prints a command line, an environment or a path as the bytes it was
 * given. Valid UTF-8 decodes as usual; each byte that is not part of a valid
 * sequence becomes the lone surrogate U+DC80 + (byte - 0x80), as Python's
 * `surrogateescape` does. Valid UTF-8 never decodes to a lone surrogate (the
 * encodings of U+D800..U+DFFF, ED A0 80 and on, are invalid), so bytesOf
 * gives back exactly the bytes read.
 */

/** Buffer's decoder without toString's argument handling (Node's own code calls it; its types omit it). */
interface Utf8Buffer extends Buffer {
  utf8Slice(start: number, end: number): string;
}

/** The text of buf[start, end), invalid bytes escaped (see the module's comment). */
export function utf8Text(buf: Buffer, start: number, end: number): string {
  const s = (buf as Utf8Buffer).utf8Slice(start, end);
  // Buffer's decoder writes U+FFFD for each invalid sequence: only a text with one (or a U+FFFD of its own) is decoded again, byte by byte.
  return s.indexOf('\uFFFD') < 0 ? s : escapedText(buf as Utf8Buffer, start, end);
}

/** The text of bytes that need not be UTF-8: valid sequences decoded, any other byte 0x80-0xFF as U+DC80..U+DCFF. */
export function decodeBytes(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return utf8Text(buf, start, end);
}

function escapedText(b: Utf8Buffer, start: number, end: number): string {
  let out = '';
  // Valid runs are decoded whole; the loop only finds where they end.
  let run = start;
  let i = start;
  while (i < end) {
    if (b[i]! < 0x80) {
      i++;
      continue;
    }
    const n = sequenceLength(b, i, end);
    if (n > 0) {
      i += n;
      continue;
    }
    if (run < i) out += b.utf8Slice(run, i);
    out += String.fromCharCode(0xdc00 + b[i]!);
    run = ++i;
  }
  if (run < end) out += b.utf8Slice(run, end);
  return out;
}

/**
 * Length of the valid UTF-8 sequence starting at b[i] (a byte of 0x80 or
 * more), or 0: the shortest form of a code point up to U+10FFFF that is not
 * a surrogate (RFC 3629's table). A byte it refuses is escaped alone and the
 * next is tried, which escapes each byte of a truncated sequence as
 * Python's maximal-subpart rule does.
 */
function sequenceLength(b: Uint8Array, i: number, end: number): number {
  const x = b[i]!;
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (x >= 0xc2 && x <= 0xdf) n = 2;
  else if (x >= 0xe0 && x <= 0xef) {
    n = 3;
    if (x === 0xe0)
      lo = 0xa0; // below: an overlong form
    else if (x === 0xed) hi = 0x9f; // above: a surrogate
  } else if (x >= 0xf0 && x <= 0xf4) {
    n = 4;
    if (x === 0xf0)
      lo = 0x90; // below: an overlong form
    else if (x === 0xf4) hi = 0x8f; // above: beyond U+10FFFF
  } else return 0;
  if (i + n > end) return 0;
  const y = b[i + 1]!;
  if (y < lo || y > hi) return 0;
  for (let k = 2; k < n; k++) {
    const z = b[i + k]!;
    if (z < 0x80 || z > 0xbf) return 0;
  }
  return n;
}

/** A lone surrogate U+DC80..U+DCFF (the `u` flag reads a surrogate pair as one code point, which this class does not hold). */
const ESCAPED_BYTE = /[\uDC80-\uDCFF]/u;

/** Whether a string holds a byte escaped by decodeBytes. */
export function hasEscapedBytes(value: string): boolean {
  return ESCAPED_BYTE.test(value);
}

/**
 * The bytes a string stands for: U+DC80..U+DCFF alone (a byte decodeBytes
 * escaped) is that byte, 0x80-0xFF; everything else is UTF-8 (another lone
 * surrogate, which decodeBytes never makes, as U+FFFD).
 */
export function bytesOf(value: string): Buffer {
  if (!ESCAPED_BYTE.test(value)) return Buffer.from(value, 'utf8');
  const parts: Buffer[] = [];
  let run = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      // A pair is one code point, encoded with its run (its low half may lie in U+DC80..U+DCFF).
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    } else if (c >= 0xdc80 && c <= 0xdcff) {
      if (run < i) parts.push(Buffer.from(value.slice(run, i), 'utf8'));
      parts.push(Buffer.of(c - 0xdc00));
      run = i + 1;
    }
  }
  if (run < value.length) parts.push(Buffer.from(value.slice(run), 'utf8'));
  return Buffer.concat(parts);
}

/**
 * What a parser reads: a file's bytes as read (a view that may be valid only
 * until the next read, see readViewSync), or text given as a string.
 */
export type FileText = string | Uint8Array;
