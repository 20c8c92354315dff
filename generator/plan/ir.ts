/**
 * The read plan: what a generated parser does, as data. The planner
 * (plan/module.ts and its helpers) makes every decision here once: which
 * scanner call reads a value, which fast path a token or a keyed line takes,
 * how a record's object is made. The printers (emit/*) turn a plan into code
 * and decide nothing but the names of temporaries.
 */

/** An argument of a scanner call: a string (printed as a quoted literal), a number, a boolean, undefined, or code. */
export type Arg = string | number | boolean | undefined | { code: string };

/** A call on the scanner `s`: s.<method>(<args>). */
export interface Call {
  method: string;
  args: Arg[];
}

/** How a number read is turned into the value: times a byte factor, or divided into seconds. */
export type Scale = { kind: 'none' } | { kind: 'bytes'; factor: string; wide: boolean } | { kind: 'divide'; by: string };

/**
 * A string read: the call, then `.trim()` when asked; an escaped string is
 * decoded, by the word reader's unescaping variant when it has one (no second
 * search of each word), or by Scan.unescape.
 */
export interface StringRead {
  call: Call;
  trim?: boolean;
  escaped: boolean;
}

export interface SentinelRead {
  raw: string;
  name: string;
}

/** Statements that read one value at the cursor into a target. */
export type ValueRead =
  | {
      kind: 'number';
      call: Call;
      scale: Scale;
      /** Words read as names instead of numbers (`-1` -> "none"). */
      sentinels: SentinelRead[];
      suffix?: { text: string; optional: boolean };
    }
  | { kind: 'string'; read: StringRead }
  | { kind: 'enum'; values: SentinelRead[]; expected: string /** The word also ends at this character (a token's terminator). */; stop?: string }
  | { kind: 'call'; call: Call }
  | ListRead
  | PairRead
  | { kind: 'record'; fn: string };

export interface ListRead {
  kind: 'list';
  itemType: string;
  /** Counted first and made at that length (Scan.listRoom of this separator code, -1: white space); undefined: pushed. */
  room: number | undefined;
  open?: string;
  close?: string;
  /** null: items separated by white space. */
  separator: string | null;
  /** The read of one item: a string item of a one-character separator reads to the separator (it may be empty). */
  item: ValueRead;
}

export interface PairRead {
  kind: 'pair';
  separator: string;
  first: { name: string; type: string; read: ValueRead; inet: boolean };
  second: { name: string; type: string; read: ValueRead; inet: boolean; optional: boolean };
  /** The first part is a quoted string that may leave its quote open when the second is absent. */
  checkQuote: boolean;
}

/** How a token ends: at the separator (s.sep) or at a terminator character, required or not. */
export type TokenEnd = { kind: 'sep' } | { kind: 'char'; char: string; optional: boolean };

/** Statements that read one field token into its local. */
export type TokenRead =
  /** The commonest token, a decimal integer: white space, the number and the boundary after it in one call. */
  | { kind: 'tok'; call: Call; scale: Scale }
  | {
      kind: 'read';
      /** A verbatim value keeps its leading white space: one separator character only. */
      space: 'ws' | 'oneSpace';
      prefix?: string;
      body: TokenBody;
    };

export type TokenBody =
  | { kind: 'uList'; method: 'uList' | 'wList'; arrayType: string }
  | {
      kind: 'repeat';
      arrayType: string;
      itemType: string;
      prefix?: string;
      item: ValueRead;
      until: { kind: 'columns'; header: string } | { kind: 'endsAt'; word: string; expected: string; before?: boolean } | { kind: 'line' };
    }
  /** A string read that is the whole token (rest of line, fixed width, up to a last character). */
  | { kind: 'string'; read: StringRead }
  | { kind: 'enclosed'; read: StringRead; end: TokenEnd }
  /** A string up to its terminator, trimmed (the terminator stays for the next token). */
  | { kind: 'terminated'; read: StringRead }
  | { kind: 'terminatedList'; item: StringRead; separator: string; terminator: string; end: TokenEnd }
  | { kind: 'value'; read: ValueRead; inet: boolean; end: TokenEnd };

/** A pick's handling of one field token. */
export interface PickToken {
  /** The field's name, which also names its token number. */
  field: string;
  /** The token may be stepped over unread when not asked for. */
  skippable: boolean;
  /** It may start a run of stepped-over tokens (Scan.want's plain[i] !== 0). */
  runs: boolean;
  /** The number of field tokens of the record (Scan.want's n). */
  count: number;
}

export type TokenStep =
  | { kind: 'literal'; text: string }
  | {
      kind: 'field';
      index: number;
      local: string;
      read: TokenRead;
      /** The repeated-token array is declared already (a pick's locals come before its tokens). */
      predeclared: boolean;
      /** A statement reading the token's decoding, printed right after it (plan/decode.ts). */
      decode?: string | undefined;
      /** Optional: 'opening' when read by its opening character, 'trailing' when read while the line goes on; first: opens the trailing group. */
      optional?: { kind: 'opening'; open: string } | { kind: 'trailing'; first: boolean };
      pick?: PickToken;
      /** A text the kernel may append to this string: cut off when there, and `local` (a boolean) says whether it was. */
      trailer?: { text: string; local: string };
      /** The value must begin with this text (checked before it is read; it is kept). */
      startsWith?: string;
    };

export interface Local {
  name: string;
  type: string;
  /** `| undefined` after the type. */
  maybe: boolean;
  /** `= undefined` initialiser. */
  init: boolean;
}

/** A field read by its name (`pairs`, `columns`): the case arm. */
export interface NamedField {
  raw: string;
  local: string;
  read: ValueRead;
}

export interface PairsPlan {
  separator: string;
  fields: NamedField[];
  required: { local: string; expected: string }[];
}

export interface ColumnsPlan {
  others: boolean;
  /** The key table of the names the spec describes: a name's number there is its case arm (Scan.columns). */
  table: string;
  fields: NamedField[];
  required: { local: string; expected: string }[];
}

/** A field of an object: its value's expression, and whether it is left out when undefined. */
export interface ObjectField {
  name: string;
  expr: string;
  optional: boolean;
}

/** How a record's object is made, its keys in the order of the type (see Planner.object). */
export type ObjectPlan = { kind: 'literal'; type: string; fields: ObjectField[]; catchAll: ObjectField[] } | { kind: 'builder'; name: string; args: string[] };

/** A constructor of objects of `type`, taking the fields in order. */
export interface Builder {
  name: string;
  type: string;
  fields: { name: string; optional: boolean }[];
}

export interface RecordBody {
  kind: 'record';
  locals: Local[];
  tokens: TokenStep[];
  pairs?: PairsPlan;
  columns?: ColumnsPlan;
  /** Tokens after the described ones are kept as extraTokens (otherwise the line must end). */
  tail: boolean;
  object: ObjectPlan;
}

export interface Param {
  name: string;
  type: string;
}

export interface FnPlan {
  name: string;
  params: Param[];
  returnType: string;
  body: Body;
}

/** Calls tried in turn from the same cursor, each a statement using the call's result. */
export interface Variants {
  calls: string[];
  use: 'push' | 'return';
}

export type Body =
  | RecordBody
  | { kind: 'line'; record: string }
  | { kind: 'variants'; variants: Variants }
  | TableBody
  | { kind: 'tableWhole'; layout: string; result: string }
  | { kind: 'tableFirst'; lead: TableLead; rowType: string; layout: string; rowsUseHead: boolean }
  | { kind: 'rows'; loop: RowsLoop }
  | ItemsBody
  | { kind: 'blocks'; type: string; loop: RowsLoop }
  | { kind: 'blocksWhole'; layout: string }
  | { kind: 'blocksFirst'; type: string; layout: string }
  | TreeBody
  | KeyedBody;

/** Lines nested by indentation: each row read by `row`, placed under the nearest shallower line (see Scan.treeDepth). */
export interface TreeBody {
  kind: 'tree';
  /** The layout's type (an array of nodes) and a node's. */
  type: string;
  nodeType: string;
  /** The call reading one row at the cursor. */
  row: string;
  indent: number;
  first: number;
}

export interface TableLead {
  /** Function reading the header line into h. */
  head?: string;
  /** Numbers of the header lines skipped. */
  skip: number[];
}

export type RowsLoop = { kind: 'table'; rows: { call: string }[] } | { kind: 'blocks'; body: string; start: BlockStart };

export type BlockStart = { kind: 'like'; cls: string; terminator: string } | { kind: 'start'; word: string } | { kind: 'blank' };

export interface TableBody {
  kind: 'table';
  rowType: string;
  lead: TableLead;
  loop: RowsLoop;
  /** With a header: the result spreads it, after the variant's kind. */
  header?: { kind?: string };
}

export interface ItemsBody {
  kind: 'items';
  type: string;
  separator: string;
  item:
    | {
        kind: 'pair';
        separator: string;
        required: boolean;
        first: { name: string; escaped: boolean };
        second: { name: string; escaped: boolean };
        optional: boolean;
      }
    | { kind: 'value'; read: ValueRead };
}

/** A plain unsigned number alone on its line (Scan.uLine) and how it is read. */
export interface LineNumberRead {
  wide: boolean;
  factor: string;
  suffix: string;
  optional: boolean;
  /** The keyed loop may have read it already (`fast`). */
  fromLoop: boolean;
}

export type EntryRead =
  | { kind: 'repeated'; itemType: string; prefix?: string; read: ValueRead; eol: boolean }
  | { kind: 'columns'; record: string; table: string }
  | { kind: 'number'; number: LineNumberRead }
  | { kind: 'value'; space: 'ws' | 'oneSpace'; prefix?: string; read: ValueRead; eol: boolean };

export interface EntryCase {
  key: string;
  /** The number of the key in its key table, when there is one. */
  label?: number;
  local: string;
  read: EntryRead;
  /** The statement decoding the value further (`options`), right after it is read. */
  decode?: string;
}

export interface KeyTable {
  name: string;
  keys: string[];
  bytes: boolean;
  /** Per key, a plain number read by Scan.keyedNumber: factor ('0': none) and suffix. */
  numbers?: { factor: string; suffix: string }[];
}

export interface KeyedBody {
  kind: 'keyed';
  head?: { locals: Local[]; tokens: TokenStep[] };
  /** Numbers of the lines skipped. */
  skip: number[];
  locals: { name: string; type: string; list: boolean }[];
  catchAll: 'others' | 'extraColumns' | 'extra' | undefined;
  separator: string;
  /** Key lookup: by a switch on the key, on its number in a Map, or by the key's bytes with the expected key tried first. */
  dispatch: { kind: 'switch' } | { kind: 'map'; table: string } | { kind: 'bytes'; table: string; sepCode: number; count: number; fast: boolean };
  sections: { key: string; local: string; until: string[]; fn: string }[];
  cases: EntryCase[];
  indexed: { key: string; local: string; indexName: string; record: string; section?: { name: string; until: string[]; fn: string } }[];
  fallback: { kind: 'extraColumns' } | { kind: 'others' } | { kind: 'extra' } | { kind: 'fail'; expected: string };
  required: { local: string; expected: string }[];
  object: ObjectPlan;
}

export interface PiecesPlan {
  layout: string;
  lead: number;
  cut: { fn: string; args: Arg[] };
  head: string;
  rows: string;
  result: 'spread' | 'out';
  rowsUseHead: boolean;
}

export interface PickPlan {
  name: string;
  type: string;
  fieldNames: string[];
  plain: number[];
  locals: Local[];
  tokens: TokenStep[];
}

export interface ModulePlan {
  top: string;
  fns: FnPlan[];
  builders: Builder[];
  keyTables: KeyTable[];
  pieces?: PiecesPlan;
  pick?: PickPlan;
  usesVariants: boolean;
}
