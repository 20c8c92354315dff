/**
 * The fuzz case of a compressed spec (`compressed: gzip`): its text is
 * compressed again and parsed from the bytes, whole or damaged. Whole, the
 * bytes give what the text gives (the value, or the same error); damaged
 * (cut short, or a byte changed), they give that too or the typed parse
 * error of data that does not decompress, at line 1, column 1 of the file
 * (or, when the damage hit gzip's two-byte mark, the error of bytes read
 * as text).
 */
import { isDeepStrictEqual } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { ParseContext } from '../../runtime/core/context.js';
import { ProcfsError } from '../../runtime/core/errors.js';
import type { SpecEntry } from '../../runtime/core/registry-types.js';

type Outcome = { value: unknown } | { error: unknown };

function outcomeOf(entry: SpecEntry, input: string | Uint8Array, ctx: ParseContext): Outcome {
  try {
    return { value: entry.parse(input, ctx) };
  } catch (error) {
    return { error };
  }
}

/** The gzip data of `text`, damaged by the case's own numbers: whole, cut short, or with one byte changed. */
export function damagedGzip(text: string): { bytes: Uint8Array; damaged: boolean } {
  const bytes = gzipSync(text);
  const how = text.length % 3;
  if (how === 0) return { bytes, damaged: false };
  if (how === 1) return { bytes: bytes.subarray(0, Math.floor((bytes.length * ((text.length % 9) + 1)) / 10)), damaged: true };
  const at = (text.length * 7919) % bytes.length;
  bytes[at] = bytes[at]! ^ (1 + (text.length % 255));
  return { bytes, damaged: true };
}

/** Throws an Error describing how the parse of the case's bytes broke the rules above. */
export function checkCompressedCase(entry: SpecEntry, text: string, ctx: ParseContext): void {
  if (entry.model.compressed !== 'gzip') return;
  const fromText = outcomeOf(entry, text, ctx);
  const { bytes, damaged } = damagedGzip(text);
  const got = outcomeOf(entry, bytes, ctx);
  const same =
    'value' in fromText
      ? 'value' in got && isDeepStrictEqual(got.value, fromText.value)
      : 'error' in got && (got.error as Error).message === (fromText.error as Error).message;
  if (same) return;
  if (!damaged) throw new Error(`${entry.id}: the text compressed gives ${'error' in got ? String(got.error) : 'another value'}, not what the text gives`);
  if (!('error' in got)) throw new Error(`${entry.id}: damaged gzip data gives a value other than the text's`);
  const e = got.error;
  if (!(e instanceof ProcfsError) || e.code !== 'parse' || e.file !== ctx.file || e.spec !== entry.id)
    throw new Error(`${entry.id}: damaged gzip data threw ${String(e)}, not a parse error`);
  // Bytes whose first two are no longer gzip's mark are text to the parser, refused where the text breaks.
  const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (gzip && !e.message.startsWith(`${ctx.file}:1:1: expected gzip data`)) throw new Error(`${entry.id}: message ${e.message}`);
}
