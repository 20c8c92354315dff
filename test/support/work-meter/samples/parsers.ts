/**
 * Parsers of lines of `key value` for the meter's own checks: two that take
 * time quadratic in their input, as a parser may by mistake, and one that
 * does the same work in linear time. The hooks instrument this folder as
 * they do the runtime and the generated parsers.
 */
import { findIn } from '../../../../runtime/core/scan.js';

/** One line per key; a line's key ends at a ':' or, without one, at its first space. */
export type Lines = [key: string, value: string][];

const bytesText = (text: string | Uint8Array): string => (typeof text === 'string' ? text : Buffer.from(text).toString('latin1'));

/** Looks for each line's ':' with an unbounded indexOf: on lines without one, every search runs to the end of the text. */
export function unboundedSearch(input: string | Uint8Array): Lines {
  const t = bytesText(input);
  const out: Lines = [];
  for (let ls = 0; ls < t.length; ) {
    let le = t.indexOf('\n', ls);
    if (le < 0) le = t.length;
    let k = t.indexOf(':', ls);
    if (k < 0 || k > le) k = findIn(t, ' ', ls, le);
    if (k < 0) k = le;
    out.push([t.slice(ls, k), t.slice(Math.min(k + 1, le), le)]);
    ls = le + 1;
  }
  return out;
}

/** Counts the lines before each line again from the start of the text (for a line number), a loop that re-reads what was read. */
export function rescan(input: string | Uint8Array): Lines {
  const b = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const t = bytesText(input);
  const out: Lines = [];
  for (let ls = 0; ls < b.length; ) {
    let line = 1;
    for (let i = 0; i < ls; i++) if (b[i] === 10) line++;
    let le = findIn(t, '\n', ls, t.length);
    if (le < 0) le = t.length;
    out.push([`${line}`, t.slice(ls, le)]);
    ls = le + 1;
  }
  return out;
}

/** As unboundedSearch, with each search bounded by the line's end (findIn): linear. */
export function boundedSearch(input: string | Uint8Array): Lines {
  const t = bytesText(input);
  const out: Lines = [];
  for (let ls = 0; ls < t.length; ) {
    let le = t.indexOf('\n', ls);
    if (le < 0) le = t.length;
    let k = findIn(t, ':', ls, le);
    if (k < 0) k = findIn(t, ' ', ls, le);
    if (k < 0) k = le;
    out.push([t.slice(ls, k), t.slice(Math.min(k + 1, le), le)]);
    ls = le + 1;
  }
  return out;
}

/** The samples by name, with a text to make their hostile inputs from (lines without a ':'). */
export const samples = [
  { id: 'sample/unbounded-search', parse: unboundedSearch },
  { id: 'sample/rescan', parse: rescan },
  { id: 'sample/bounded-search', parse: boundedSearch },
];

export const SEED = 'name value\nalpha 1 2 3\nbeta 45\n';
