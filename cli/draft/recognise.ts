/**
 * Recognises the shape of a sample, trying the constructs of the spec
 * language from the most particular to the most general: a single line,
 * blocks separated by blank lines, keyed lines, a table.
 */
import { blocksOf } from './blocks.js';
import { keyedOf } from './keyed.js';
import { lineOf } from './line.js';
import { NameSet } from './names.js';
import type { DraftLayout, DraftRecord } from './spec.js';
import { tableOf } from './table.js';
import { isBlank, linesOf } from './text.js';

/** A recognised sample: its layout and a phrase saying what was recognised. */
export interface Recognised {
  layout: DraftLayout;
  shape: string;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function recordPhrase(r: DraftRecord, what: string): string {
  const pairs = r.pairs ? ` and ${plural(r.pairs.fields.length, 'key=value token')}` : '';
  return `${plural(r.tokens.length, what)}${pairs}`;
}

/** What a layout is, in words, for the command's note. */
export function describeLayout(l: DraftLayout): string {
  switch (l.kind) {
    case 'keyed':
      return `keyed lines (separator ${l.separator}, ${plural(l.entries.length, 'key')})`;
    case 'table':
      return `a table ${l.header ? 'with a header line' : 'without a header line'} (${recordPhrase(l.row, 'column')})`;
    case 'line':
      return `a single line (${recordPhrase(l.record, 'positional token')})`;
    case 'blocks':
      return `blocks separated by blank lines, each ${describeLayout(l.body)}`;
  }
}

/**
 * The shape of `text` (known to be non-empty text), or why none fits.
 * `fileName` names a value that is alone on the file's only line.
 */
export function recognise(text: string, fileName: string): Recognised | { reason: string } {
  const lines = linesOf(text);
  const found = ((): DraftLayout | undefined => {
    if (lines.length === 1) return keyedOf([lines], new NameSet()) ?? lineOf(lines[0]!, fileName, new NameSet());
    return blocksOf(lines, new NameSet()) ?? keyedOf([lines.filter((l) => !isBlank(l))], new NameSet()) ?? tableOf(lines, new NameSet());
  })();
  if (found === undefined) {
    return {
      reason:
        'its lines are neither keyed lines (`Key: value`, `key value`, one key each) nor the rows of a table ' +
        '(most rows must have the same number of tokens), nor blocks of keyed lines separated by blank lines',
    };
  }
  return { layout: found, shape: describeLayout(found) };
}
