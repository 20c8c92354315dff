/**
 * Files that hold their text compressed (a spec with `compressed: gzip`,
 * /proc/config.gz): kernel/configs.c hands out the gzip data the build
 * embedded, and the text is what it decompresses to. Decompressing is
 * computation, not I/O: the generated parser of such a spec calls
 * textOfCompressed on the bytes it is given, and runtime/reading decompresses
 * off the event loop for an async read (gunzipError and GUNZIP_OPTIONS are
 * shared with it).
 */
import { gunzipSync, type ZlibOptions } from 'node:zlib';
import { parseError, type ProcfsError } from './errors.js';

/** A compression a spec may name. */
export type Compression = 'gzip';

/**
 * The most a file may decompress to (64 MiB, where a kernel's configuration
 * is about 100 KiB of text in 25 KiB of gzip): past it, the data is refused
 * rather than filling memory.
 */
export const MAX_DECOMPRESSED = 64 * 1024 * 1024;

export const GUNZIP_OPTIONS: ZlibOptions = { maxOutputLength: MAX_DECOMPRESSED };

/** Whether `b` begins as gzip data does (RFC 1952: the bytes 1f 8b). Text the kernel prints never begins with byte 0x1f. */
export function isGzip(b: string | Uint8Array): b is Uint8Array {
  return typeof b !== 'string' && b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** The parse error of data that does not decompress (a cut or damaged copy, or more than MAX_DECOMPRESSED). */
export function gunzipError(err: unknown, file: string, spec: string): ProcfsError {
  const why = err instanceof Error ? err.message : String(err);
  return parseError({ file, line: 1, column: 1, expected: 'gzip data that decompresses whole', found: why }, spec);
}

/**
 * The text a parser of a compressed spec reads: bytes that are gzip data
 * decompressed, anything else (a string, or bytes decompressed already, as
 * ProcFs passes them) as it is. Throws ProcfsError (parse) for gzip data
 * that does not decompress.
 */
export function textOfCompressed(text: string | Uint8Array, compression: Compression, file: string, spec: string): string | Uint8Array {
  if (compression !== 'gzip' || !isGzip(text)) return text;
  try {
    return gunzipSync(text, GUNZIP_OPTIONS);
  } catch (err) {
    throw gunzipError(err, file, spec);
  }
}
