/**
 * A file of one line: positional tokens (typed one by one), possibly ending
 * in `key=value` pairs. A value alone on its line is named after the file
 * (`timerslack_ns`), and gets the unit the name ends in.
 */
import type { NameSet } from './names.js';
import { recordOf } from './record.js';
import type { DraftLayout } from './spec.js';
import { tokensOf } from './text.js';

/** The one line of a file as a record; `fileName` names a value that is alone on it. */
export function lineOf(line: string, fileName: string, names: NameSet): DraftLayout & { kind: 'line' } {
  return { kind: 'line', record: recordOf([tokensOf(line)], { names, what: 'token', lone: fileName }) };
}
