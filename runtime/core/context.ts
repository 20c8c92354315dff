/** System facts a parser needs to normalise units, and the file name used in errors. */
export interface ParseContext {
  /** Name of the file being parsed, used in error messages. */
  file: string;
  /** Bytes per page (AT_PAGESZ), for values counted in pages. */
  pageSize: number;
  /** Clock ticks per second (USER_HZ, AT_CLKTCK), for values counted in ticks. */
  clockTick: number;
  /** Kernel timer interrupts per second (CONFIG_HZ), for values counted in jiffies. */
  hz: number;
  /** Byte order of the machine the file came from, for addresses printed as host-order words (net/tcp). */
  littleEndian: boolean;
}

/**
 * What a generated parse function takes: any part of a ParseContext (the
 * rest from DEFAULT_CONTEXT) and the mode of the parse.
 */
export interface ParseOptions extends Partial<ParseContext> {
  /**
   * Exact mode: every counter and size the kernel keeps in 64 bits (a spec's
   * wide integers) is a bigint, small values too. Default false: they are
   * numbers, exact up to 2^53 and the nearest double beyond (docs/numbers.md).
   */
  bigint?: boolean;
}

/** A full context with the mode of the parse: what ProcFs hands the parsers and the piece readers. */
export type ReadContext = ParseContext & { bigint?: boolean };

/** Defaults for parsing text from an unknown machine: 4 KiB pages, USER_HZ of 100, HZ 250, little-endian. */
export const DEFAULT_CONTEXT: ParseContext = Object.freeze({
  file: '<text>',
  pageSize: 4096,
  clockTick: 100,
  hz: 250,
  littleEndian: true,
});

/** A full context from a partial one, filling gaps with DEFAULT_CONTEXT. */
export function contextOf(partial?: ParseOptions): ParseContext {
  if (partial === undefined) return DEFAULT_CONTEXT;
  // A full context (what ProcFs passes) is used as it is: no object is made per parse.
  if (
    partial.file !== undefined &&
    partial.pageSize !== undefined &&
    partial.clockTick !== undefined &&
    partial.hz !== undefined &&
    partial.littleEndian !== undefined
  ) {
    return partial as ParseContext;
  }
  return {
    file: partial.file ?? DEFAULT_CONTEXT.file,
    pageSize: partial.pageSize ?? DEFAULT_CONTEXT.pageSize,
    clockTick: partial.clockTick ?? DEFAULT_CONTEXT.clockTick,
    hz: partial.hz ?? DEFAULT_CONTEXT.hz,
    littleEndian: partial.littleEndian ?? DEFAULT_CONTEXT.littleEndian,
  };
}
