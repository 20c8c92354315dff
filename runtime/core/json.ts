import { randomUUID } from 'node:crypto';

/**
 * JSON for parsed values. Bigints (masks, addresses, and in exact mode the
 * 64-bit counters and sizes) are written as strings of decimal digits by
 * default, so a reader that turns every JSON number into a double (JSON.parse,
 * jq before 1.7) loses no bit; with `digits` they are written as JSON numbers
 * with all their digits, which JSON allows and readers with big integers
 * (Python, Go's json.Number, jq 1.7) read exactly. Every other value is
 * written as JSON.stringify writes it.
 */
export function toJson(value: unknown, indent = 2, digits = false): string {
  if (!digits) return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), indent);
  // A bigint becomes a string no parsed text can hold (a random mark), then loses its quotes.
  const mark = `\u0000${randomUUID()}:`;
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${mark}${v}` : v), indent);
  return text.replace(new RegExp(`"\\\\u0000${mark.slice(1)}(-?\\d+)"`, 'g'), '$1');
}
