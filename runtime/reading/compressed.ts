/**
 * Reading a compressed file (a spec with `compressed: gzip`, /proc/config.gz):
 * read to its end, then decompressed, on this thread for a sync read and in
 * the thread pool (zlib's async gunzip) for an async one. The file must be
 * gzip data, read either way; the parser then reads the text, which
 * runtime/core/compressed.ts leaves as it is.
 */
import { gunzip, gunzipSync } from 'node:zlib';
import { GUNZIP_OPTIONS, gunzipError } from '../core/compressed.js';
import type { Compression } from '../core/compressed.js';

/** The decompressed text of `bytes`, read from `file` of spec `spec`. Throws ProcfsError (parse) for data that does not decompress. */
export function decompressSync(bytes: Uint8Array, compression: Compression, file: string, spec: string): Uint8Array {
  if (compression !== 'gzip') return bytes;
  try {
    return gunzipSync(bytes, GUNZIP_OPTIONS);
  } catch (err) {
    throw gunzipError(err, file, spec);
  }
}

/** decompressSync in the thread pool. Rejects with ProcfsError (parse). */
export function decompressAsync(bytes: Uint8Array, compression: Compression, file: string, spec: string): Promise<Uint8Array> {
  if (compression !== 'gzip') return Promise.resolve(bytes);
  return new Promise((resolve, reject) => {
    gunzip(bytes, GUNZIP_OPTIONS, (err, out) => (err === null ? resolve(out) : reject(gunzipError(err, file, spec))));
  });
}
