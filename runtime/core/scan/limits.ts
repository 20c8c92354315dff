/** Limits of the numbers the scanner reads (docs/numbers.md) and of the arrays it makes room for. */

/** Digits of the largest unsigned 64-bit integer (2^64 - 1) and of 2^63, the magnitude of the most negative signed one. */
export const U64_MAX_DIGITS = '18446744073709551615';
export const I64_MIN_DIGITS = '9223372036854775808';
export const U64_MAX = 0xffffffffffffffffn;
/** Largest integer a JavaScript number holds exactly. */
export const SAFE = Number.MAX_SAFE_INTEGER;
/** The most slots Scan.listRoom and Scan.itemsLeft make room for (V8 gives an array made at a great length slow dictionary elements). */
export const LIST_ROOM = 1024;
