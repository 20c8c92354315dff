/**
 * Lines of tokens -> the record each of them reads as: positional tokens
 * (column by column: a literal word, or a field typed from every row), then
 * `key=value` pairs when every line ends in them (pressure's `avg10=0.00`).
 * Shared by the single-line and table shapes.
 */
import { MAX_PAIRS, MAX_RAW, MAX_TOKENS } from './limits.js';
import type { NameSet } from './names.js';
import { todo, type DraftField, type DraftPairs, type DraftRecord, type DraftToken } from './spec.js';
import { draftValueOf } from './values.js';

/** A `key=value` token: a key that reads as a name, then a value. */
const PAIR = /^([A-Za-z_][A-Za-z0-9_.-]*)=(\S+)$/;

/** How to name the record's tokens. */
export interface RecordNaming {
  names: NameSet;
  /** Words of the table's header line, naming the columns in order. */
  header?: readonly string[];
  /** `token` (of a line) or `column` (of a table), for the TODO of an unnamed value. */
  what: 'token' | 'column';
  /** The kernel's name of a value that is alone on its line (the file name: `timerslack_ns`). */
  lone?: string;
}

/** Index from which every row holds only `key=value` tokens, or undefined when the rows do not end in pairs. */
function pairsStart(rows: readonly (readonly string[])[]): number | undefined {
  let start = 0;
  for (const row of rows) {
    let p = row.length;
    while (p > 0 && PAIR.test(row[p - 1]!) && row[p - 1]!.indexOf('=') <= MAX_RAW) p--;
    start = Math.max(start, p);
  }
  if (rows.some((row) => row.length < start) || !rows.some((row) => row.length > start)) return undefined;
  // A key twice on one line is a parse error for pairs: such lines are not pairs.
  const all = new Set<string>();
  for (const row of rows) {
    const keys = row.slice(start).map((t) => PAIR.exec(t)![1]!);
    if (new Set(keys).size !== keys.length) return undefined;
    for (const k of keys) all.add(k);
  }
  return all.size <= MAX_PAIRS ? start : undefined;
}

/** The `key=value` tokens of every row, as fields in the order their keys first come. */
export function pairsOf(rows: readonly (readonly string[])[], names: NameSet): DraftPairs {
  const values = new Map<string, string[]>();
  const rowsWith = new Map<string, number>();
  for (const row of rows) {
    for (const token of row) {
      const [, key, value] = PAIR.exec(token)!;
      if (!values.has(key!)) values.set(key!, []);
      values.get(key!)!.push(value!);
      rowsWith.set(key!, (rowsWith.get(key!) ?? 0) + 1);
    }
  }
  const fields: DraftField[] = [...values].map(([key, texts]) => ({
    name: names.name(key, 'value'),
    raw: key,
    value: draftValueOf(texts, key),
    optional: rowsWith.get(key) !== rows.length,
    description: todo(key),
  }));
  return { separator: '=', fields };
}

/** True when every token of every row is `key=value` (a keyed value that is a record of pairs). */
export function allPairs(rows: readonly (readonly string[])[]): boolean {
  return rows.length > 0 && rows.every((row) => row.length > 0) && pairsStart(rows) === 0;
}

/** A word that stands for no value: punctuation alone, or a label ending in `:`, the same on every row (`N:`). */
function literalColumn(texts: readonly string[], rows: number): boolean {
  const first = texts[0]!;
  return rows >= 2 && texts.length === rows && texts.every((t) => t === first) && (/^[^A-Za-z0-9]+$/.test(first) || /^[A-Za-z]+:$/.test(first));
}

/** Characters that end a number or a word in a column: `0:` in key-users, `0,` in buddyinfo. */
const TERMINATORS = [':', ','];

/** The character every text of a column ends with, and holds nowhere else: the token is read up to it. */
function terminatorOf(texts: readonly string[]): string | undefined {
  return TERMINATORS.find((c) => texts.every((t) => t.length > 1 && t.indexOf(c) === t.length - 1));
}

function positional(rows: readonly (readonly string[])[], columns: number, naming: RecordNaming): DraftToken[] {
  const tokens: DraftToken[] = [];
  for (let i = 0; i < columns; i++) {
    let texts = rows.filter((row) => row.length > i).map((row) => row[i]!);
    if (literalColumn(texts, rows.length)) {
      tokens.push({ kind: 'literal', text: texts[0]! });
      continue;
    }
    const terminator = terminatorOf(texts);
    if (terminator !== undefined) texts = texts.map((t) => t.slice(0, -1));
    const headerWord = naming.header?.[i];
    const kernelName = headerWord ?? (columns === 1 ? naming.lone : undefined);
    const field: DraftField = {
      name: naming.names.name(kernelName, columns === 1 && naming.lone !== undefined ? 'value' : `field${i + 1}`),
      ...(headerWord !== undefined ? { raw: headerWord } : {}),
      value: draftValueOf(texts, kernelName),
      optional: texts.length < rows.length,
      description: todo(headerWord ?? (kernelName !== undefined ? kernelName : `${naming.what} ${i + 1}`)),
    };
    tokens.push({ kind: 'field', field, ...(terminator !== undefined ? { terminator } : {}) });
  }
  return tokens;
}

/** The record that reads every one of `rows` (token lists, none empty). */
export function recordOf(rows: readonly (readonly string[])[], naming: RecordNaming): DraftRecord {
  const start = pairsStart(rows);
  // Tokens after the first MAX_TOKENS are left unnamed: the parser keeps them in `extraTokens`.
  if (start === undefined || start > MAX_TOKENS) return { tokens: positional(rows, Math.min(MAX_TOKENS, Math.max(...rows.map((r) => r.length))), naming) };
  const tokens = positional(
    rows.map((r) => r.slice(0, start)),
    start,
    naming,
  );
  return {
    tokens,
    pairs: pairsOf(
      rows.map((r) => r.slice(start)),
      naming.names,
    ),
  };
}
