import type { ParseOptions } from './context.js';
import type { SpecModel, WriteSpecModel } from '../model/model.js';
import type { FileText } from './bytes.js';
import type { Pieces } from './pieces.js';

/** One spec as the runtime sees it: its id, its generated parser and its model. */
export interface SpecEntry {
  id: string;
  parse: (text: FileText, options?: ParseOptions) => unknown;
  /** For a one-line file of positional fields: reads only the fields named. */
  pick?: (text: FileText, fields: readonly string[], options?: ParseOptions) => Record<string, unknown>;
  /** For a file that is one table or one list of blocks: the parser a piece at a time (runtime/core/pieces.ts). */
  pieces?: Pieces<unknown>;
  model: SpecModel;
}

/** One write-only spec: its id, the function that turns a value into the text to write, and its model. */
export interface WriterEntry {
  id: string;
  format: (value: string) => string;
  model: WriteSpecModel;
}
