/**
 * Checks of a link spec (`link: true`): the file is a symbolic link whose
 * target readlink gives, and the layout reads that target as one line.
 */
import type { LayoutModel } from '../../runtime/model/model.js';
import type { Obj } from './base.js';
import type { Checker } from './layouts.js';

/** Whether a spec says `link: true`, after checking that its layout can read a link's target. */
export function checkLink(c: Checker, d: Obj, layout: LayoutModel): boolean {
  if (d.link !== true) return false;
  const lines = layout.kind === 'line' || (layout.kind === 'variants' && layout.variants.every((v) => v.shape.kind === 'line'));
  if (!lines) c.fail(['layout'], 'a link\'s target is one piece of text: its layout is "line", or "variants" of line layouts');
  if (d.singleRecord !== undefined) c.fail(['singleRecord'], 'a link is read with readlink, not read(): "singleRecord" says nothing of it');
  // A target is one name the kernel makes whole: text after the tokens named is not a newer field but a shape no kernel prints.
  for (const l of layout.kind === 'variants' ? layout.variants.map((v) => v.shape) : [layout]) if (l.kind === 'line') l.record.closed = true;
  return true;
}
