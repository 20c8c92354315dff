/**
 * A table: one row per line, columns separated by white space, with or
 * without a header line naming the columns. The first line is a header when
 * every word of it is text and some column below it holds only numbers.
 */
import { MAX_LITERAL, MAX_TOKENS } from './limits.js';
import type { NameSet } from './names.js';
import { recordOf } from './record.js';
import type { DraftLayout } from './spec.js';
import { isBlank, tokensOf } from './text.js';
import { draftValueOf } from './values.js';

/** Share of rows that must have the commonest number of tokens for the lines to be a table. */
const REGULAR_SHARE = 0.5;

function isHeader(first: readonly string[], below: readonly (readonly string[])[]): boolean {
  if (below.length === 0 || first.some((w) => w.length > MAX_LITERAL || draftValueOf([w]).type !== 'string')) return false;
  return first.some((_, i) => {
    const texts = below.filter((row) => row.length > i).map((row) => row[i]!);
    return texts.length === below.length && draftValueOf(texts).type !== 'string';
  });
}

/** True when most rows have the same number of tokens (a row may end early, or hold a free-text tail). */
function regular(rows: readonly (readonly string[])[]): boolean {
  const counts = new Map<number, number>();
  for (const row of rows) counts.set(row.length, (counts.get(row.length) ?? 0) + 1);
  return Math.max(...counts.values()) >= rows.length * REGULAR_SHARE;
}

/** The lines as a table (blank lines are skipped, as the parser skips them), or undefined when their rows are irregular. */
export function tableOf(lines: readonly string[], names: NameSet): (DraftLayout & { kind: 'table' }) | undefined {
  const rows = lines.filter((l) => !isBlank(l)).map(tokensOf);
  if (rows.length === 0) return undefined;
  // The parser reads a header from the file's first line: a table that starts with a blank line has none.
  const header = !isBlank(lines[0]!) && isHeader(rows[0]!, rows.slice(1)) ? rows[0]! : undefined;
  const data = header ? rows.slice(1) : rows;
  if (!regular(data)) return undefined;
  const row = recordOf(data, { names, what: 'column', ...(header ? { header } : {}) });
  // Header words after the first MAX_TOKENS are left unmatched: the parser keeps them in the header's `extraTokens`.
  return { kind: 'table', ...(header ? { header: header.slice(0, MAX_TOKENS) } : {}), row };
}
