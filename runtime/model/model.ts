/**
 * The checked model of a spec: what the generator's emitters consume, and what
 * the metadata emitter writes out for the runtime and the tests. Everything in
 * it has been validated (schema, then semantic checks), so emitters can trust
 * names to be safe identifiers and references to resolve.
 */

/** Units the kernel prints in; the runtime normalises them to bytes or seconds. */
export type Unit = 'bytes' | 'kB' | 'pages' | 'sectors' | 'ticks' | 'jiffies' | 'ns' | 'us' | 'ms' | 'cs' | 's' | 'percent';

/** A value as it appears in the text, and the type it becomes. */
export type ValueModel =
  | {
      kind: 'integer';
      signed: boolean;
      unit?: Unit;
      suffix?: string;
      sentinels: Sentinel[];
      hex: boolean;
      octal?: boolean;
      /** The suffix may be missing (`optionalEnd`): one kernel prints the unit, another the bare number. */
      suffixOptional?: boolean;
      /**
       * A count or size the kernel keeps in 64 bits: with `bigint: true` it is
       * read as a bigint (see docs/numbers.md). Set by the generator: a
       * counter, or a value in a byte unit, that the spec does not mark `narrow`.
       */
      wide?: boolean;
    }
  | { kind: 'u64'; hex: boolean; sentinels: Sentinel[] }
  | {
      kind: 'float';
      unit?: Unit;
      suffix?: string;
      /** The suffix may be missing (`optionalEnd`). */
      suffixOptional?: boolean;
    }
  | {
      kind: 'string';
      /** The kernel escapes white space and backslashes (octal or C letters); the value is decoded. */
      escaped: boolean;
      /** Double-quoted runs may hold spaces; the quotes are removed (the kernel command line). */
      quoted?: boolean;
      /** The value is the text as printed, white space at its edges included (a task name may begin or end with spaces). */
      verbatim?: boolean;
      /** Texts holding white space that the word may begin with (numa_maps' `weighted interleave`), longest first. */
      phrases?: string[];
    }
  | { kind: 'enum'; values: EnumValue[] }
  | {
      kind: 'inet';
      /**
       * An IPv4 (8 hex digits) or IPv6 (32 hex digits) address printed in hex:
       * `host` as 32-bit words in the byte order of the machine (net/tcp), or
       * `network` as bytes in order (if_inet6). The value is the usual text
       * form; the hex is kept beside it as `<name>Raw`.
       */
      order: 'host' | 'network';
    }
  | { kind: 'mask' }
  | { kind: 'cpulist' }
  /**
   * Words of which one is in brackets (`always [madvise] never`): the
   * bracketed word is `selected`, every word (without brackets) is in
   * `choices`. With `unselected`, a line with no bracketed word is read too
   * (`selected` absent); two bracketed words are always an error.
   */
  | { kind: 'choice'; unselected?: boolean }
  | { kind: 'list'; of: ValueModel; separator: string | null; open?: string; close?: string }
  | { kind: 'pair'; separator: string; first: FieldModel; second: FieldModel }
  | { kind: 'record'; record: RecordModel };

/** A raw token that stands for something other than a number (`-1`, `unlimited`, u64::MAX). */
export interface Sentinel {
  raw: string;
  name: string;
  description: string;
}

export interface EnumValue {
  raw: string;
  name: string;
  description: string;
}

/** One named value: its TypeScript name, the kernel's name, docs and versions. */
export interface FieldModel {
  name: string;
  raw: string;
  description: string;
  since?: string;
  until?: string;
  /** Absent from some files (a version-dependent or config-dependent field). */
  optional: boolean;
  /** The spec says `optional: true`: absent with some configurations even on kernels after `since` (so an audit does not expect it). */
  configDependent?: boolean;
  /** Producers whose file leaves this key out (folders of producers/: `gvisor`, `linux-2.6.32`, ...), found by the generator's presence pass. */
  absentIn?: string[];
  /**
   * For numbers: `counter`, a total that only grows while the system runs
   * (its change per second is what a watcher shows), or `gauge`, a level
   * read as it is. Absent: not classified.
   */
  measure?: 'counter' | 'gauge';
  /**
   * What the field is to a Prometheus exporter, as the spec marks it
   * (`label:`): `true` or a label name, the field names its row (its value
   * labels the row's samples instead of being one) or, on a record, the
   * label whose value is the record's name among sibling records declared
   * alike; `false`, a text field that does not name its row (free text).
   * Absent: the exporter's default (text fields of a row label it). Parsing
   * does not look at it.
   */
  label?: boolean | string;
  value: ValueModel;
  /** The value decoded further into a field of its own beside it (docs/spec-language.md, Decoding); the value stays as printed. */
  decode?: DecodeModel;
}

/**
 * A decoding of a token's value into a sibling field `name`: flag letters
 * (one per position, `letter` when on, `clear` when off) or bits of an
 * integer to named booleans, or the items of a list of strings split into
 * key and optional value (`fields`: keys typed by the spec; a field with no
 * type is a key that comes alone, read as true), or an integer to the name
 * of its value (`names`; absent for a number no name covers).
 */
export type DecodeModel =
  | { kind: 'letters'; name: string; description: string; values: { letter: string; clear: string; name: string; description: string }[] }
  | { kind: 'bits'; name: string; description: string; values: { bit: number; name: string; description: string }[] }
  | {
      kind: 'options';
      name: string;
      description: string;
      separator: string;
      fields: { raw: string; name: string; type?: 'integer' | 'string'; description: string }[];
    }
  | { kind: 'names'; name: string; description: string; values: { value: number; name: string; description: string }[] };

/** One whitespace-separated token of a record. */
export type TokenModel =
  | { kind: 'literal'; text: string }
  | {
      kind: 'field';
      field: FieldModel;
      /** The token is wrapped in these characters, e.g. `(comm)`. */
      enclosed?: { open: string; close: string; closeAt: 'first' | 'last' | 'balanced' };
      /** The token ends at this character (consumed) rather than at white space. */
      terminator?: string;
      /**
       * The terminator may be missing where the line ends (`optionalEnd`):
       * printed only when optional tokens follow (timer_list's tail under
       * CONFIG_TIMER_STATS). Every token after this one is optional.
       */
      terminatorOptional?: boolean;
      /** Text the token starts with, not part of the value (`avg10=`). */
      prefix?: string;
      /** The field takes every remaining token as a list. */
      repeat: boolean;
      /** The field takes the rest of the line as text. */
      rest: boolean;
      /** With repeat: the list ends at a token equal to this marker (consumed), and tokens may follow. */
      endsAt?: string;
      /** With endsAt: the list ends before a token that begins with the marker (`endsBefore`), which is not consumed. */
      endsBefore?: boolean;
      /** One value per item of this header field (interrupts' per-CPU counts); a row may end early. */
      perColumn?: string;
      /** The token is this many characters wide, padded with spaces (a fixed-width column). */
      width?: number;
      /** The token is the text up to the last `untilLast` character of the line (which is not consumed). */
      untilLast?: string;
      /**
       * A text the kernel may append to this string (a `rest` token): cut off
       * when the value ends with it, and field `name` says whether it did
       * (` (deleted)` after the path of an unlinked file).
       */
      trailer?: { text: string; name: string; description: string };
      /** The value (a `rest` string) must begin with this text, which it keeps: the line is not this shape otherwise (a path's `/`). */
      startsWith?: string;
    };

/**
 * A line (or a value) read as positional tokens, then optional key=value
 * tokens; or values named by a header line (`columns`).
 */
export interface RecordModel {
  tokens: TokenModel[];
  pairs?: { separator: string; fields: FieldModel[] };
  /** A shape that never grows (an old format): more tokens than it names mean the line is not this shape. */
  closed?: boolean;
  /** The values are named by the words of a header line (net/snmp's `Tcp: RtoAlgorithm ...`). */
  columns?: {
    fields: FieldModel[];
    /** Columns are open-ended data named by the kernel: those the spec does not name are collected here, not in `extra`. */
    others?: { name: string; description: string };
  };
}

/** One of several shapes a row or a block may take; the first that reads the text wins. */
export interface Variant<T> {
  /** Value of the `kind` field that tells the shapes apart. */
  name: string;
  description: string;
  shape: T;
}

/** What one key of a keyed layout holds. */
export interface KeyedEntry {
  /** The kernel's key, or the fixed start of it when `indexed` is set. */
  key: string;
  field: FieldModel;
  /** The key is `key` followed by an index (`cpu0`, `cpu1`): values collect in a list. */
  indexed?: { name: string; description: string };
  /** The key may come on several lines (fdinfo's `tfd:` per epoll target): every value, in order, in an array. */
  repeated?: boolean;
  /** Text between the separator and the value (`free` in zoneinfo's `pages free 3840`). */
  prefix?: string;
  /**
   * The key is a whole line opening a nested section, closed by one of
   * `until` keys or the end. On an indexed entry the section is the lines
   * after each indexed line (schedstat's domain lines under each cpu line),
   * up to the next line of the same indexed key; it becomes field `name` of
   * that line's record.
   */
  section?: { until: string[]; layout: LayoutModel; name?: string; description?: string };
}

export type KeySeparator = 'colon' | 'space' | 'auto';

export type LayoutModel =
  | { kind: 'line'; record: RecordModel }
  | {
      kind: 'keyed';
      separator: KeySeparator;
      /** The first line, read as a record whose fields join the object (pid/sched's `comm (pid, #threads: n)`). */
      header?: RecordModel;
      /** Lines skipped after the header (or at the start). */
      skip?: number;
      entries: KeyedEntry[];
      /** Unknown keys are kept in `extra` (true) or refused (false). */
      extra: boolean;
      /**
       * The layout's keys are open-ended data (counters named by the kernel, such
       * as zoneinfo's vmstat items): keys the spec does not name are expected and
       * collected under this field instead of `extra`.
       */
      others?: { name: string; description: string };
    }
  | {
      kind: 'table';
      /** Lines skipped at the start, after the header line when there is one. */
      skip: number;
      /** A header line read as a record; the result is then `{...header, rows}`. */
      header?: RecordModel;
      /** Every row has one shape (`record`) or one of several (`variants`, tried in order; each row gets `kind`). */
      rows: { record: RecordModel } | { variants: Variant<RecordModel>[] };
    }
  | {
      kind: 'blocks';
      /**
       * Blocks are separated by blank lines, start at lines beginning with
       * `start`, or start at lines that begin the way the header's first token reads.
       */
      split: { blank: true } | { start: string } | { header: true };
      header?: RecordModel;
      body: LayoutModel;
    }
  | { kind: 'variants'; variants: Variant<LayoutModel>[] }
  | {
      /**
       * Lines that nest by indentation (iomem, fib_trie): each line is a row
       * (one record, or one of several variants), a child of the nearest line
       * above it that is one level shallower. A line at column 0 is at depth
       * 0; depth d > 0 starts at column `first + (d - 1) * indent`.
       */
      kind: 'tree';
      indent: number;
      first: number;
      rows: { record: RecordModel } | { variants: Variant<RecordModel>[] };
    }
  | {
      kind: 'items';
      /** Items end at this character instead of a newline (NUL for cmdline and environ). */
      separator: string;
      item: FieldModel;
    }
  | BinaryLayout;

/** The C type of a field of a binary record: its width in bytes (ulong: the machine word, 8 bytes on a 64-bit machine). */
export type BinaryType = 'u8' | 'u16' | 'u32' | 'u64' | 'ulong';

/**
 * A file the kernel writes as bytes, not text (rt_acct, pid/auxv): records of
 * fixed-width integers, one after another to the end of the file, in the
 * byte order `order` (host: the machine's that wrote it, ParseContext.littleEndian).
 * `record` holds the fields as the tokens of a closed record (how the types
 * and the exporter see a row), `types` the C type of each token, null for
 * the field that holds the record's position instead (`index`). With
 * `until`, the record whose field `until.field` is `until.value` ends the
 * file and is not a row (auxv's AT_NULL).
 */
export interface BinaryLayout {
  kind: 'binary';
  order: 'host' | 'little' | 'big';
  record: RecordModel;
  types: (BinaryType | null)[];
  until?: { field: string; value: number };
}

export interface SpecModel {
  /** Spec id, the path under specs/ without extension: `proc/meminfo`. */
  id: string;
  /** Type name derived from the id: `ProcMeminfo`. */
  typeName: string;
  /** Parse function name: `parseProcMeminfo`. */
  parseName: string;
  description: string;
  /** Path patterns, with parameters in brackets: `/proc/[pid]/stat`. */
  paths: string[];
  /** `once`: the file does not change while the system runs, read it once; `sampled`: read it every time. */
  sampling: 'once' | 'sampled';
  /**
   * The kernel prints the file in one piece (single_open, or a read function
   * that fills the buffer as far as the text goes): a read that returns less
   * than asked for has reached the end, and the reader saves the read that
   * would return 0.
   */
  singleRecord?: boolean;
  /**
   * The file is a symbolic link: its target, read with readlink, is the text
   * the layout reads, as one line with nothing dropped (a newline is part of
   * a path). The layout is `line`, or `variants` of line layouts.
   */
  link?: boolean;
  /**
   * The file holds its text compressed (/proc/config.gz, gzip): the runtime
   * decompresses what it reads (runtime/core/compressed.ts) before the layout
   * reads it, and a parser given the file's bytes decompresses them.
   */
  compressed?: 'gzip';
  /** How the spec's numbers move, unless a field says otherwise (also for keys and columns no field names). */
  measure?: 'counter' | 'gauge';
  layout: LayoutModel;
  /** Path of the YAML file, relative to the repository. */
  source: string;
}

/** A write-only file that takes one of a few values (pid/clear_refs): a typed write, not a parse. */
export interface WriteSpecModel {
  id: string;
  /** Type name of the values: `ProcPidClearRefsValue`. */
  typeName: string;
  /** Name of the function that turns a value into the text to write: `formatProcPidClearRefs`. */
  formatName: string;
  description: string;
  paths: string[];
  /** What may be written: the kernel's text (`raw`) under a name. */
  values: EnumValue[];
  source: string;
}

/** Every field of a spec's model (of its layout, its records, pairs and sections), each once, in the order they appear. */
export function fieldsOf(model: SpecModel): FieldModel[] {
  const out: FieldModel[] = [];
  const seen = new Set<unknown>();
  const visit = (x: unknown): void => {
    if (x === null || typeof x !== 'object' || seen.has(x)) return;
    seen.add(x);
    const o = x as Record<string, unknown>;
    if (typeof o.name === 'string' && typeof o.optional === 'boolean' && o.value !== null && typeof o.value === 'object') out.push(o as unknown as FieldModel);
    for (const y of Object.values(o)) visit(y);
  };
  visit(model.layout);
  return out;
}
