/**
 * A drafted spec, before it is written as YAML: the subset of the spec
 * language a draft uses. Every name and description in it is the author's
 * to replace; descriptions start with `TODO:` so that a draft never passes
 * for a finished spec.
 */
import type { Unit } from '../../runtime/model/model.js';

/** A scalar value: its type in the spec language and the options read from the text. */
export interface DraftValue {
  type: 'integer' | 'u64' | 'float' | 'string';
  /** An integer that was negative somewhere in the sample. */
  signed?: boolean;
  /** Printed in hexadecimal. */
  hex?: boolean;
  /** Unit the runtime normalises the number from (kB -> bytes, ms -> seconds). */
  unit?: Unit;
  /** Word printed after the number (`kB`). */
  suffix?: string;
}

/** `key=value` tokens read in any order after the positional tokens. */
export interface DraftPairs {
  separator: '=';
  fields: DraftField[];
}

/** Positional tokens, then optional pairs: a line, a row, or a keyed value. */
export interface DraftRecord {
  tokens: DraftToken[];
  pairs?: DraftPairs;
}

/** A named value: a keyed entry, a token, or a pair. */
export interface DraftField {
  /** camelCase TypeScript name derived from the kernel's name (or from the token's position). */
  name: string;
  /** The kernel's name: the key, the header word, the pair's key; absent for an unnamed token. */
  raw?: string;
  value: DraftValue | { type: 'record'; record: DraftRecord };
  /** Absent from some lines, rows or blocks of the sample. */
  optional: boolean;
  /** A `TODO:` line the author replaces with a description. */
  description: string;
}

/** One token of a record: a field, or a word that is always there. */
export type DraftToken =
  | { kind: 'literal'; text: string }
  | {
      kind: 'field';
      field: DraftField;
      /** The token ends at this character, which is not part of the value (`0:`). */
      terminator?: string;
    };

/** How the lines of the sample group into a value. */
export type DraftLayout =
  | { kind: 'keyed'; separator: 'colon' | 'space' | 'auto'; entries: DraftField[] }
  | {
      kind: 'table';
      /** Words of the header line, matched as literals; absent when the table has none. */
      header?: string[];
      row: DraftRecord;
    }
  | { kind: 'line'; record: DraftRecord }
  | { kind: 'blocks'; body: DraftLayout };

export interface DraftSpec {
  description: string;
  paths: string[];
  layout: DraftLayout;
}

/** The description a draft gives a value named `what` in the kernel's text. */
export function todo(what: string): string {
  return `TODO: describe ${what}`;
}
