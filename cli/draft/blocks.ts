/**
 * Blocks separated by blank lines (cpuinfo, crypto): each block read as
 * keyed lines with the same separator; a key missing from some block is
 * optional.
 */
import { keyedOf } from './keyed.js';
import type { NameSet } from './names.js';
import type { DraftLayout } from './spec.js';
import { blankSeparatedGroups } from './text.js';

/** The lines as blocks of keyed lines, or undefined when there are fewer than two blocks or a block is not keyed. */
export function blocksOf(lines: readonly string[], names: NameSet): (DraftLayout & { kind: 'blocks' }) | undefined {
  const groups = blankSeparatedGroups(lines);
  if (groups.length < 2) return undefined;
  const body = keyedOf(groups, names);
  return body === undefined ? undefined : { kind: 'blocks', body };
}
