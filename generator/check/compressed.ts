/**
 * Checks of a compressed spec (`compressed: gzip`): the file holds its text
 * compressed, as /proc/config.gz does (kernel/configs.c gives the gzip data
 * the build embedded), and the runtime decompresses it before parsing.
 */
import type { Obj } from './base.js';
import type { Checker } from './layouts.js';

/** The compression a spec names, after checking that it can go with the rest of the spec. */
export function checkCompressed(c: Checker, d: Obj): 'gzip' | undefined {
  if (d.compressed === undefined) return undefined;
  if (d.link === true) c.fail(['compressed'], "a link's target is text readlink gives: it is not compressed");
  // Compressed data is decompressed whole: a short read is no end of the text, and no record can be parsed before the end.
  if (d.singleRecord !== undefined) c.fail(['singleRecord'], 'a compressed file is read to its end and decompressed whole: "singleRecord" says nothing of it');
  return d.compressed as 'gzip';
}
