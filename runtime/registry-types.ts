import type { ParseContext } from './context.js';
import type { SpecModel } from './model.js';

/** One spec as the runtime sees it: its id, its generated parser and its model. */
export interface SpecEntry {
  id: string;
  parse: (text: string, ctx?: ParseContext) => unknown;
  model: SpecModel;
}
