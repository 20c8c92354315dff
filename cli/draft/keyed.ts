/**
 * Keyed lines: `Key: value` (separator colon), `key value` (separator
 * space), or both in one file (auto), every key once per group of lines.
 * A value is typed from every text it has: a number, a number and its unit
 * word (`16 kB`), `key=value` tokens (a record of pairs), or text.
 */
import { MAX_KEYED_ENTRIES, MAX_RAW } from './limits.js';
import { NameSet } from './names.js';
import { allPairs, pairsOf } from './record.js';
import { todo, type DraftField, type DraftLayout } from './spec.js';
import { trimmed, tokensOf } from './text.js';
import { unitOfWord } from './units.js';
import { keyedValueOf, draftValueOf } from './values.js';

type Separator = 'colon' | 'space' | 'auto';

/** A key before a colon: a name of at most four words, such as `MemTotal`, `cpu MHz` or `Active(anon)`. */
const COLON_KEY = /^[A-Za-z_][A-Za-z0-9_ .()+#/-]*$/;
/** A key before white space: one word that is a name, such as `XfrmInError` or `nr_free_pages`. */
const SPACE_KEY = /^[A-Za-z_][A-Za-z0-9_.()+#/-]*$/;
const MAX_KEY_WORDS = 4;
const NUMBER = /^(-?[0-9]+(\.[0-9]+)?|0x[0-9a-fA-F]+)$/;

/** One keyed line: its key and the text after the separator. */
interface KeyedLine {
  key: string;
  value: string;
}

/** A value that reads as one thing: one token, a number and its unit word, or `key=value` tokens. */
function simpleValue(value: string): boolean {
  const tokens = tokensOf(value);
  if (tokens.length === 1) return true;
  if (tokens.length === 2 && NUMBER.test(tokens[0]!) && unitOfWord(tokens[1]!) !== undefined) return true;
  return allPairs([tokens]);
}

/** The line split at its first colon, when what comes before it is a key. */
function colonLine(line: string): KeyedLine | undefined {
  const c = line.indexOf(':');
  if (c < 0) return undefined;
  const key = trimmed(line.slice(0, c));
  if (!COLON_KEY.test(key) || key.length > MAX_RAW || key.split(/[ \t]+/).length > MAX_KEY_WORDS) return undefined;
  return { key, value: trimmed(line.slice(c + 1)) };
}

/** The line split after its first word, when that word is a key and the rest one value. */
function spaceLine(line: string): KeyedLine | undefined {
  const m = /^[ \t]*(\S+)[ \t]+(.*)$/.exec(line);
  if (!m || !SPACE_KEY.test(m[1]!) || m[1]!.length > MAX_RAW) return undefined;
  const value = trimmed(m[2]!);
  return simpleValue(value) ? { key: m[1]!, value } : undefined;
}

/**
 * A first line of two words over lines whose values are all numbers is the
 * header of a two-column table (`Name Size` over `foo 1`), not a key.
 */
function headedColumns(lines: readonly KeyedLine[]): boolean {
  const [first, ...rest] = lines;
  if (first === undefined || rest.length === 0 || tokensOf(first.value).length !== 1 || draftValueOf([first.value]).type !== 'string') return false;
  return rest.every((l) => tokensOf(l.value).length === 1 && draftValueOf([l.value]).type !== 'string');
}

/** How the parser would split the line under `sep`, when that split gives a key. */
function split(line: string, sep: Separator): KeyedLine | undefined {
  if (sep === 'colon') return colonLine(line);
  if (sep === 'space') return spaceLine(line);
  return line.includes(':') ? colonLine(line) : spaceLine(line);
}

/**
 * Every group read as keyed lines under one separator, each key at most once
 * per group; undefined when no separator does. Tables whose first column
 * ends in a colon (`eth0: 1 2 3`) are not keyed: at least one value must be
 * a single thing.
 */
function splitGroups(groups: readonly (readonly string[])[]): { sep: Separator; lines: KeyedLine[][] } | undefined {
  for (const sep of ['colon', 'space', 'auto'] as const) {
    const lines = groups.map((g) => g.map((l) => split(l, sep)));
    if (lines.some((g) => g.some((l) => l === undefined))) continue;
    const keyed = lines as KeyedLine[][];
    if (keyed.some((g) => new Set(g.map((l) => l.key)).size !== g.length)) continue;
    if (!keyed.some((g) => g.some((l) => simpleValue(l.value)))) continue;
    if (sep !== 'colon' && keyed.some(headedColumns)) continue;
    return { sep, lines: keyed };
  }
  return undefined;
}

/**
 * Groups of lines (the whole file, or each block of a blocks file) as one
 * keyed layout: the keys in the order they first come, a key missing from
 * some group optional.
 */
export function keyedOf(groups: readonly (readonly string[])[], names: NameSet): (DraftLayout & { kind: 'keyed' }) | undefined {
  const found = splitGroups(groups);
  if (found === undefined) return undefined;
  const values = new Map<string, string[]>();
  for (const group of found.lines) {
    for (const { key, value } of group) {
      if (!values.has(key)) values.set(key, []);
      values.get(key)!.push(value);
    }
  }
  // Keys after the first MAX_KEYED_ENTRIES are left unnamed: the parser keeps them in `extra`.
  const entries: DraftField[] = [...values].slice(0, MAX_KEYED_ENTRIES).map(([key, texts]) => {
    const rows = texts.map(tokensOf);
    return {
      name: names.name(key, 'value'),
      raw: key,
      value: allPairs(rows) ? { type: 'record', record: { tokens: [], pairs: pairsOf(rows, new NameSet()) } } : keyedValueOf(texts, key),
      optional: texts.length < groups.length,
      description: todo(key),
    };
  });
  return { kind: 'keyed', separator: found.sep, entries };
}
