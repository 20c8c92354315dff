/**
 * JSON for parsed values. Bigints (masks, addresses, 64-bit counters) are
 * written as strings of decimal digits, so no bit is lost; every other value
 * is written as JSON.stringify writes it.
 */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), indent);
}
