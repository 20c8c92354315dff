/**
 * Limits of the spec language (generator/spec.schema.json) that a draft of
 * a large or unusual file could reach; the draft stays within them.
 */

/** Most tokens a record names; a line's later tokens are kept in `extraTokens` by the parser. */
export const MAX_TOKENS = 128;
/** Most entries of a keyed layout; the parser keeps other keys in `extra`. */
export const MAX_KEYED_ENTRIES = 512;
/** Most fields a record's `pairs` name. */
export const MAX_PAIRS = 256;
/** Longest literal word (a header's column title). */
export const MAX_LITERAL = 64;
/** Longest field name. */
export const MAX_NAME = 64;
/** Longest kernel name of a value (a key, a column title, a pair's key). */
export const MAX_RAW = 128;
